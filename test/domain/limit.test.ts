import { describe, expect, it } from 'vitest';
import { limitRemaining, roundMicro, usedAgainstLimit } from '../../src/domain/limit.js';
import type { KeyRecord, LimitReset } from '../../src/domain/types.js';

/**
 * Usage figures are written in whole cents so that every expected value can be computed exactly
 * in integers (cents) and only then turned into dollars — independent of the float arithmetic
 * the code under test does, and exactly what rounding to micro-dollars must produce.
 */
interface Cents {
  usage: number;
  usage_daily: number;
  usage_weekly: number;
  usage_monthly: number;
  byok_usage: number;
  byok_usage_daily: number;
  byok_usage_weekly: number;
  byok_usage_monthly: number;
}

// Distinct figures per window, chosen so that float subtraction/addition leaves noise
// (e.g. 75 − 42.88 = 32.120000000000005 in doubles).
const USAGE: Cents = {
  usage: 31277,
  usage_daily: 612,
  usage_weekly: 4005,
  usage_monthly: 4288,
  byok_usage: 5130,
  byok_usage_daily: 110,
  byok_usage_weekly: 815,
  byok_usage_monthly: 1990,
};

/** Which counters each reset window charges against the limit. */
const WINDOW: Record<'null' | LimitReset, [keyof Cents, keyof Cents]> = {
  null: ['usage', 'byok_usage'],
  daily: ['usage_daily', 'byok_usage_daily'],
  weekly: ['usage_weekly', 'byok_usage_weekly'],
  monthly: ['usage_monthly', 'byok_usage_monthly'],
};

function keyOf(limitCents: number | null, reset: LimitReset | null, byok: boolean, cents: Cents = USAGE): KeyRecord {
  const dollars = Object.fromEntries(Object.entries(cents).map(([k, v]) => [k, v / 100])) as unknown as Cents;
  return {
    hash: 'a'.repeat(64),
    name: 'k',
    label: 'sk-or-v1-aaa...aaaa',
    disabled: false,
    limit: limitCents === null ? null : limitCents / 100,
    limit_reset: reset,
    include_byok_in_limit: byok,
    ...dollars,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: null,
    expires_at: null,
    creator_user_id: null,
    workspace_id: '0df9e665-d932-5740-b2c7-b52af166bc11',
    external_user: null,
  };
}

const resets: (LimitReset | null)[] = [null, 'daily', 'weekly', 'monthly'];
const byoks = [false, true];

/** The spend (in cents) a window charges: its usage, plus its BYOK usage when included. */
const usedCents = (reset: LimitReset | null, byok: boolean, cents: Cents = USAGE): number => {
  const [u, b] = WINDOW[reset ?? 'null'];
  return cents[u] + (byok ? cents[b] : 0);
};

/** Limits relative to the row's own spend: well above, a cent above, exactly at, below, zero. */
const limitShapes: [string, (used: number) => number][] = [
  ['generous (75 USD, or 10 × used if larger)', (used) => Math.max(7500, used * 10)],
  ['one cent above used', (used) => used + 1],
  ['exactly used', (used) => used],
  ['below used (clamps to 0)', (used) => Math.max(0, used - 1234)],
  ['zero', () => 0],
];

const rows = resets.flatMap((reset) =>
  byoks.flatMap((byok) => limitShapes.map(([shape, limitFor]) => ({ reset, byok, shape, limitCents: limitFor(usedCents(reset, byok)) }))),
);

describe('usedAgainstLimit', () => {
  it.each(resets.flatMap((reset) => byoks.map((byok) => ({ reset, byok }))))(
    'limit_reset $reset, include_byok_in_limit $byok: the window usage (+ its BYOK usage)',
    ({ reset, byok }) => {
      const key = keyOf(7500, reset, byok);
      const [u, b] = WINDOW[reset ?? 'null'];
      const expected = byok ? key[u] + key[b] : key[u];
      expect(usedAgainstLimit(key)).toBe(expected);
      // and the exact figure, to within float noise
      expect(usedAgainstLimit(key)).toBeCloseTo(usedCents(reset, byok) / 100, 9);
    },
  );

  it('is independent of the limit, even a null one', () => {
    for (const reset of resets) {
      for (const byok of byoks) {
        expect(usedAgainstLimit(keyOf(null, reset, byok))).toBe(usedAgainstLimit(keyOf(1, reset, byok)));
      }
    }
  });
});

describe('limitRemaining', () => {
  it.each(rows)('limit_reset $reset, byok $byok, limit $shape', ({ reset, byok, limitCents }) => {
    const key = keyOf(limitCents, reset, byok);
    const expected = Math.max(0, limitCents - usedCents(reset, byok)) / 100;
    expect(limitRemaining(key)).toBe(expected);
  });

  it.each(resets.flatMap((reset) => byoks.map((byok) => ({ reset, byok }))))(
    'null limit → null (limit_reset $reset, byok $byok)',
    ({ reset, byok }) => {
      expect(limitRemaining(keyOf(null, reset, byok))).toBeNull();
    },
  );

  it('75 − 42.88 is exactly 32.12', () => {
    const key = keyOf(7500, 'monthly', false);
    expect(key.usage_monthly).toBe(42.88);
    expect(limitRemaining(key)).toBe(32.12);
  });

  it('BYOK switches the figure: 50 − (40.05 + 8.15) = 1.8 weekly', () => {
    expect(limitRemaining(keyOf(5000, 'weekly', true))).toBe(1.8);
    expect(limitRemaining(keyOf(5000, 'weekly', false))).toBe(9.95);
  });

  it.each<[number, number, number]>([
    // limit, usage, expected remaining — worked by hand
    [10, 0.3333333333, 9.666667], // 9.6666666667 → 6 decimals, rounded up
    [1, 0.0000004, 1], // 0.9999996 rounds to 1
    [1, 0.0000006, 0.999999], // 0.9999994 → 0.999999
    [0.3, 0.1, 0.2], // 0.19999999999999998 in doubles
    [20, 19.99, 0.01], // 0.010000000000001563 in doubles
  ])('rounds to micro-dollars: limit %s, usage %s → %s', (limit, usage, expected) => {
    const key = { ...keyOf(null, null, false), limit, usage };
    expect(limitRemaining(key)).toBe(expected);
  });

  it('never goes below zero, however far over the limit', () => {
    for (const reset of resets) {
      for (const byok of byoks) {
        const key = keyOf(1, reset, byok);
        expect(limitRemaining(key)).toBe(0);
        expect(Object.is(limitRemaining(key), -0)).toBe(false);
      }
    }
  });

  it('does not modify the key', () => {
    const key = keyOf(7500, 'daily', true);
    const copy = structuredClone(key);
    limitRemaining(key);
    usedAgainstLimit(key);
    expect(key).toEqual(copy);
  });
});

describe('roundMicro', () => {
  it.each<[number, number]>([
    [32.120000000000005, 32.12],
    [1.0000004, 1],
    [1.0000005, 1.000001],
    [0, 0],
    [123456.1234564, 123456.123456],
  ])('%s → %s', (input, expected) => {
    expect(roundMicro(input)).toBe(expected);
  });
});
