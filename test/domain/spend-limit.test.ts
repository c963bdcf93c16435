import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/domain/errors.js';
import { checkCredits, checkKeyLimit, limitWindow, worstCost, type SpendRequest } from '../../src/domain/spend-limit.js';
import type { KeyRecord, LimitReset } from '../../src/domain/types.js';

function key(overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    hash: 'h',
    name: 'k',
    label: 'sk-or-v1-abc...xyz',
    disabled: false,
    limit: 1,
    limit_reset: 'daily',
    include_byok_in_limit: false,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: null,
    expires_at: null,
    creator_user_id: null,
    workspace_id: 'w',
    external_user: null,
    usage: 0,
    usage_daily: 0,
    usage_weekly: 0,
    usage_monthly: 0,
    byok_usage: 0,
    byok_usage_daily: 0,
    byok_usage_weekly: 0,
    byok_usage_monthly: 0,
    ...overrides,
  };
}

/** 1,000 prompt tokens at $1/M and up to `maxTokens` completion tokens at $2/M. */
const request = (maxTokens: number, overrides: Partial<SpendRequest> = {}): SpendRequest => ({
  promptCost: 0.001,
  completionPrice: 0.000002,
  maxTokens,
  byok: false,
  ...overrides,
});

function refusal(run: () => void): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('the key limit before a request is charged', () => {
  it.each<[LimitReset | null, string, keyof KeyRecord]>([
    ['daily', 'daily', 'usage_daily'],
    ['weekly', 'weekly', 'usage_weekly'],
    ['monthly', 'monthly', 'usage_monthly'],
    [null, 'total', 'usage'],
  ])('a key spent in its %s window: 403 "Key limit exceeded (%s limit)"', (reset, window, field) => {
    const spent = key({ limit_reset: reset, limit: 1, [field]: 1 });
    const error = refusal(() => checkKeyLimit(spent, request(10)));
    expect({ status: error.status, message: error.message, metadata: error.metadata }).toEqual({
      status: 403,
      message: `Key limit exceeded (${window} limit)`,
      metadata: { limit_source: 'openrouter_key_limit' },
    });
    expect(limitWindow(spent)).toBe(window);
  });

  it('only the window of the limit counts: a daily key spent yesterday (only its monthly usage) may spend', () => {
    expect(() => checkKeyLimit(key({ limit_reset: 'daily', usage: 5, usage_monthly: 5, usage_weekly: 5 }), request(10))).not.toThrow();
  });

  it('the documented variant answers 402 for a spent key, same words', () => {
    const error = refusal(() => checkKeyLimit(key({ usage_daily: 2 }), request(10), 'documented'));
    expect([error.status, error.message]).toEqual([402, 'Key limit exceeded (daily limit)']);
  });

  it('a request whose most expensive answer does not fit: 402 with the tokens it can afford', () => {
    // $0.01 left; the prompt costs $0.001, so $0.009 / $0.000002 = 4,500 completion tokens.
    const error = refusal(() => checkKeyLimit(key({ limit: 0.05, usage_daily: 0.04 }), request(16_384)));
    expect(error.status).toBe(402);
    expect(error.message).toBe(
      'This request requires more credits, or fewer max_tokens. You requested up to 16384 tokens, but can only afford 4500. ' +
        'To increase, visit https://openrouter.ai/settings/keys and create a key with a higher total limit',
    );
    expect(error.metadata).toEqual({ limit_source: 'openrouter_key_limit' });
  });

  it('exactly what is left fits; a free request and a key without a limit are never refused', () => {
    expect(() => checkKeyLimit(key({ limit: 0.011 }), request(5000))).not.toThrow();
    expect(() => checkKeyLimit(key({ usage_daily: 5 }), request(10, { promptCost: 0, completionPrice: 0 }))).not.toThrow();
    expect(() => checkKeyLimit(key({ limit: null, usage_daily: 1e6 }), request(1e6))).not.toThrow();
  });

  it('BYOK counts toward the limit only with include_byok_in_limit', () => {
    const byokSpent = { byok_usage_daily: 1 };
    expect(() => checkKeyLimit(key(byokSpent), request(10, { byok: true }))).not.toThrow();
    expect(refusal(() => checkKeyLimit(key({ ...byokSpent, include_byok_in_limit: true }), request(10, { byok: true }))).status).toBe(403);
  });

  it('never refuses a request that fits, and always refuses one that does not (against integer arithmetic in micro-dollars)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }), // limit, µ$
        fc.integer({ min: 0, max: 10_000_000 }), // used, µ$
        fc.integer({ min: 0, max: 1_000_000 }), // prompt, µ$
        fc.integer({ min: 1, max: 100 }), // µ$ a completion token
        fc.integer({ min: 1, max: 100_000 }), // max tokens
        (limitMicro, usedMicro, promptMicro, priceMicro, maxTokens) => {
          const k = key({ limit: limitMicro / 1e6, usage_daily: usedMicro / 1e6 });
          const r = request(maxTokens, { promptCost: promptMicro / 1e6, completionPrice: priceMicro / 1e6 });
          const leftMicro = limitMicro - usedMicro;
          const costMicro = promptMicro + maxTokens * priceMicro;
          let outcome: number | 'ok';
          try {
            checkKeyLimit(k, r);
            outcome = 'ok';
          } catch (error) {
            outcome = (error as ApiError).status;
          }
          if (leftMicro <= 0) expect(outcome).toBe(403);
          else if (costMicro > leftMicro) {
            expect(outcome).toBe(402);
            const afford = Math.max(0, Math.floor((leftMicro - promptMicro) / priceMicro));
            expect(refusal(() => checkKeyLimit(k, r)).message).toContain(`but can only afford ${afford}.`);
          } else expect(outcome).toBe('ok');
        },
      ),
    );
  });
});

describe("the account's credits", () => {
  it('none left: 402 "Insufficient credits", limit_source openrouter_credits', () => {
    const error = refusal(() => checkCredits({ total_credits: 10, total_usage: 10 }, request(10)));
    expect([error.status, error.message, error.metadata]).toEqual([
      402,
      'Insufficient credits. Add more using https://openrouter.ai/settings/credits',
      { limit_source: 'openrouter_credits' },
    ]);
  });

  it('not enough for the most expensive answer: 402 with what it can afford', () => {
    const error = refusal(() => checkCredits({ total_credits: 0.003, total_usage: 0 }, request(5000)));
    expect(error.status).toBe(402);
    expect(error.message).toContain('You requested up to 5000 tokens, but can only afford 1000.');
    expect(error.metadata).toEqual({ limit_source: 'openrouter_credits' });
  });

  it('free and BYOK requests do not draw on credits', () => {
    const none = { total_credits: 0, total_usage: 0 };
    expect(() => checkCredits(none, request(10, { promptCost: 0, completionPrice: 0 }))).not.toThrow();
    expect(() => checkCredits(none, request(10, { byok: true }))).not.toThrow();
    expect(worstCost(request(500))).toBeCloseTo(0.002, 12);
  });
});
