import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FixtureError, parseFixtureKeys, type FixtureContext } from '../../src/data/fixtures.js';
import { createSeededFaker } from '../../src/data/seeded-faker.js';
import { windowStarts } from '../../src/domain/windows.js';
import type { KeyRecord } from '../../src/domain/types.js';

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

const NOW = Date.parse('2026-01-14T12:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const WS1 = '0df9e665-d932-5740-b2c7-b52af166bc11';
const WS2 = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const USER = 'user_2dHFtVWx2n56w6HkM0000000000';
const SOURCE = 'test-fixtures.json';

function ctx(seed = 1): FixtureContext {
  return { now: NOW, userId: USER, workspaceIds: [WS1, WS2], sha256Hex, faker: createSeededFaker(seed, NOW) };
}

const parse = (entries: unknown, seed = 1): KeyRecord[] => parseFixtureKeys(entries, ctx(seed), SOURCE);

/** Expects a FixtureError whose message names the source, the entry index and (if given) the field. */
function expectFixtureError(entries: unknown, index: number | null, field: string | null, rule?: RegExp): FixtureError {
  let thrown: unknown;
  try {
    parse(entries);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(FixtureError);
  const message = (thrown as FixtureError).message;
  expect(message.startsWith(`${SOURCE}: `)).toBe(true);
  if (index !== null) expect(message).toMatch(new RegExp(`\\bentry ${index}\\b`));
  if (field !== null) expect(message).toContain(`field "${field}"`);
  if (rule) expect(message).toMatch(rule);
  return thrown as FixtureError;
}

const HASH_A = sha256Hex('a');
const HASH_B = sha256Hex('b');

describe('parseFixtureKeys: timestamps', () => {
  it('reads relative timestamps against the clock', () => {
    const [key] = parse([{ hash: HASH_A, created_at: 'now-30d', updated_at: 'now-2d4h', expires_at: 'now+1d12h' }]);
    expect(key!.created_at).toBe(iso(NOW - 30 * DAY));
    expect(key!.updated_at).toBe(iso(NOW - 2 * DAY - 4 * HOUR));
    expect(key!.expires_at).toBe(iso(NOW + DAY + 12 * HOUR));
  });

  it('"now" is allowed for created_at and updated_at', () => {
    const [key] = parse([{ hash: HASH_A, created_at: 'now', updated_at: 'now' }]);
    expect(key!.created_at).toBe(iso(NOW));
    expect(key!.updated_at).toBe(iso(NOW));
  });

  it('reads absolute UTC instants and writes them canonically', () => {
    const [key] = parse([
      { hash: HASH_A, created_at: '2025-06-01T10:00:00Z', updated_at: '2025-07-01T10:00:00.5Z', expires_at: '2027-01-01T00:00:00Z' },
    ]);
    expect(key!.created_at).toBe(iso(Date.UTC(2025, 5, 1, 10)));
    expect(key!.updated_at).toBe(iso(Date.UTC(2025, 6, 1, 10, 0, 0, 500)));
    expect(key!.expires_at).toBe(iso(Date.UTC(2027, 0, 1)));
  });

  it('a past expires_at is allowed (expired keys are fixtures too), and null is allowed', () => {
    const [expired, never] = parse([
      { hash: HASH_A, created_at: 'now-70d', expires_at: 'now-10d' },
      { hash: HASH_B, expires_at: null, updated_at: null },
    ]);
    expect(expired!.expires_at).toBe(iso(NOW - 10 * DAY));
    expect(never!.expires_at).toBeNull();
    expect(never!.updated_at).toBeNull();
  });
});

describe('parseFixtureKeys: plaintext keys', () => {
  const PLAIN = `sk-or-v1-${'feedface'.repeat(8)}`;

  it('`key` gives hash = SHA-256(key) and a masked label', () => {
    const [key] = parse([{ key: PLAIN, name: 'Local' }]);
    expect(key!.hash).toBe(sha256Hex(PLAIN));
    const secret = PLAIN.slice('sk-or-v1-'.length);
    expect(key!.label).toBe(`sk-or-v1-${secret.slice(0, 3)}...${secret.slice(-4)}`);
    expect(JSON.stringify(key)).not.toContain(secret);
    expect(key).not.toHaveProperty('key');
  });

  it('`key` with its matching hash is accepted; an explicit label wins', () => {
    const [key] = parse([{ key: PLAIN, hash: sha256Hex(PLAIN), label: 'sk-or-v1-fee...dead' }]);
    expect(key!.hash).toBe(sha256Hex(PLAIN));
    expect(key!.label).toBe('sk-or-v1-fee...dead');
  });

  it('`key` with a different hash is an error naming entry and "hash"', () => {
    const error = expectFixtureError([{ hash: HASH_A }, { key: PLAIN, hash: HASH_B }], 1, 'hash');
    expect(error.message).toContain(sha256Hex(PLAIN));
  });

  it.each([['short'], ['has space inside'], [42]])('an unusable plaintext %j names "key"', (value) => {
    expectFixtureError([{ key: value }], 0, 'key');
  });
});

describe('parseFixtureKeys: omitted fields', () => {
  it('are filled: limit null, disabled false, updated_at null, default workspace, account user', () => {
    const [key] = parse([{ hash: HASH_A }]);
    expect(key).toMatchObject({
      hash: HASH_A,
      disabled: false,
      limit: null,
      limit_reset: null,
      include_byok_in_limit: false,
      updated_at: null,
      expires_at: null,
      creator_user_id: USER,
      workspace_id: WS1,
      external_user: null,
    });
    expect(key!.name.trim()).not.toBe('');
    expect(key!.label).toMatch(/^sk-or-v1-[0-9a-f]{3}\.\.\.[0-9a-f]{4}$/);
    expect(Date.parse(key!.created_at)).toBeLessThanOrEqual(NOW);
  });

  it('an empty object becomes a complete, valid key with a fresh hash', () => {
    const keys = parse([{}, {}]);
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(Object.keys(key).sort()).toEqual(
        [
          'hash', 'name', 'label', 'disabled', 'limit', 'limit_reset', 'include_byok_in_limit',
          'usage', 'usage_daily', 'usage_weekly', 'usage_monthly',
          'byok_usage', 'byok_usage_daily', 'byok_usage_weekly', 'byok_usage_monthly',
          'created_at', 'updated_at', 'expires_at', 'creator_user_id', 'workspace_id', 'external_user',
        ].sort(),
      );
      for (const p of ['usage', 'byok_usage'] as const) {
        expect(key[`${p}_daily`]).toBeLessThanOrEqual(key[`${p}_weekly`]);
        expect(key[`${p}_daily`]).toBeLessThanOrEqual(key[`${p}_monthly`]);
        expect(key[`${p}_weekly`]).toBeLessThanOrEqual(key[p]);
        expect(key[`${p}_monthly`]).toBeLessThanOrEqual(key[p]);
      }
    }
    expect(keys[0]!.hash).not.toBe(keys[1]!.hash);
  });

  it('given fields are kept as given', () => {
    const entry = {
      hash: HASH_A,
      name: 'Given',
      label: 'sk-or-v1-abc...wxyz',
      disabled: true,
      limit: 12.5,
      limit_reset: 'weekly',
      include_byok_in_limit: true,
      creator_user_id: null,
      workspace_id: WS2,
      external_user: 'someone@example.com',
      limit_remaining: 999, // derived: accepted and ignored
    };
    const [key] = parse([entry]);
    const { limit_remaining: _ignored, ...kept } = entry;
    expect(key).toMatchObject(kept);
    expect(key).not.toHaveProperty('limit_remaining');
  });

  it('an upper-case workspace UUID is stored lower-case', () => {
    const [key] = parse([{ hash: HASH_A, workspace_id: WS2.toUpperCase() }]);
    expect(key!.workspace_id).toBe(WS2);
  });

  it('is deterministic for a seed', () => {
    expect(JSON.stringify(parse([{}, { name: 'x' }], 5))).toBe(JSON.stringify(parse([{}, { name: 'x' }], 5)));
  });
});

describe('parseFixtureKeys: generated usage follows the key\'s age (the rule generated keys follow)', () => {
  // Clocks from 2000 to 2100; ages from a millisecond to two years, written relative or absolute.
  const clock = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });
  const age = fc.oneof(fc.integer({ min: 0, max: 3 * DAY }), fc.integer({ min: 0, max: 730 * DAY }));
  const duration = (ms: number): string => {
    const parts: [number, string][] = [[Math.floor(ms / DAY), 'd'], [Math.floor(ms / HOUR) % 24, 'h'], [Math.floor(ms / 60_000) % 60, 'm'], [Math.floor(ms / 1000) % 60, 's'], [ms % 1000, 'ms']];
    const text = parts.filter(([n]) => n > 0).map(([n, unit]) => `${n}${unit}`).join('');
    return text === '' ? 'now' : `now-${text}`;
  };

  it('a window the key existed in for all of it holds the whole total; one that began after it expired holds 0', () => {
    fc.assert(
      fc.property(clock, age, fc.boolean(), fc.option(fc.integer({ min: 0, max: 730 * DAY })), fc.integer({ min: 0, max: 2 ** 31 }), (now, ageMs, relative, expiredAgo, seed) => {
        const createdAt = now - ageMs;
        // An expiry in the past, not before creation (an expired key stops being charged).
        const expiresAt = expiredAgo === null ? null : Math.max(createdAt, now - expiredAgo);
        const entry = {
          created_at: relative ? duration(ageMs) : iso(createdAt),
          ...(expiresAt === null ? {} : { expires_at: relative ? duration(now - expiresAt) : iso(expiresAt) }),
        };
        const [key] = parseFixtureKeys([entry], { now, userId: USER, workspaceIds: [WS1], sha256Hex, faker: createSeededFaker(seed, now) });
        expect(Date.parse(key!.created_at)).toBe(createdAt);
        const lastActive = expiresAt === null ? now : expiresAt;
        const starts = windowStarts(now);
        for (const p of ['usage', 'byok_usage'] as const) {
          const total = key![p];
          const windows = { day: key![`${p}_daily`], week: key![`${p}_weekly`], month: key![`${p}_monthly`] };
          for (const w of ['day', 'week', 'month'] as const) {
            if (lastActive < starts[w]) expect(windows[w], `${p} ${w}: expired before the window began`).toBe(0);
            else if (createdAt >= starts[w]) expect(windows[w], `${p} ${w}: created in the window`).toBe(total);
            expect(windows[w]).toBeGreaterThanOrEqual(0);
            expect(windows[w]).toBeLessThanOrEqual(total);
          }
          expect(windows.day).toBeLessThanOrEqual(Math.min(windows.week, windows.month));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the issue\'s case: created "now-1h30m" on a Wednesday afternoon: daily = weekly = monthly = total', () => {
    const [key] = parse([{ name: 'Young', created_at: 'now-1h30m' }]);
    expect(key!.usage).toBeGreaterThan(0);
    expect([key!.usage_daily, key!.usage_weekly, key!.usage_monthly]).toEqual([key!.usage, key!.usage, key!.usage]);
    expect([key!.byok_usage_daily, key!.byok_usage_weekly, key!.byok_usage_monthly]).toEqual([key!.byok_usage, key!.byok_usage, key!.byok_usage]);
  });

  it('one usage family given, the other is generated for the key\'s age', () => {
    const [key] = parse([{ created_at: 'now-2h', usage: 4, usage_daily: 4, usage_weekly: 4, usage_monthly: 4 }], 3);
    expect([key!.byok_usage_daily, key!.byok_usage_weekly, key!.byok_usage_monthly]).toEqual([key!.byok_usage, key!.byok_usage, key!.byok_usage]);
  });
});

describe('parseFixtureKeys: partial usage families', () => {
  type Row = [string, Record<string, number>, { t: number; d: number; w: number; m: number }];
  const rows: Row[] = [
    ['only daily', { _daily: 2 }, { t: 2, d: 2, w: 2, m: 2 }],
    ['only total', { '': 10 }, { t: 10, d: 0, w: 0, m: 0 }],
    ['weekly and monthly', { _weekly: 5, _monthly: 9 }, { t: 9, d: 0, w: 5, m: 9 }],
    ['weekly larger than monthly', { _weekly: 7, _monthly: 3 }, { t: 7, d: 0, w: 7, m: 3 }],
    ['daily and total', { _daily: 1.5, '': 20 }, { t: 20, d: 1.5, w: 1.5, m: 1.5 }],
    ['all four', { '': 4, _daily: 1, _weekly: 2, _monthly: 3 }, { t: 4, d: 1, w: 2, m: 3 }],
  ];

  it.each(rows)('usage: %s', (_label, given, expected) => {
    const entry = Object.fromEntries(Object.entries(given).map(([suffix, v]) => [`usage${suffix}`, v]));
    const [key] = parse([{ hash: HASH_A, ...entry }]);
    expect([key!.usage, key!.usage_daily, key!.usage_weekly, key!.usage_monthly]).toEqual([expected.t, expected.d, expected.w, expected.m]);
  });

  it.each(rows)('byok_usage: %s', (_label, given, expected) => {
    const entry = Object.fromEntries(Object.entries(given).map(([suffix, v]) => [`byok_usage${suffix}`, v]));
    const [key] = parse([{ hash: HASH_A, ...entry }]);
    expect([key!.byok_usage, key!.byok_usage_daily, key!.byok_usage_weekly, key!.byok_usage_monthly]).toEqual([
      expected.t,
      expected.d,
      expected.w,
      expected.m,
    ]);
  });

  it('one family given leaves the other family consistent', () => {
    const [key] = parse([{ hash: HASH_A, usage_daily: 3 }]);
    expect(key!.byok_usage_daily).toBeLessThanOrEqual(key!.byok_usage_weekly);
    expect(key!.byok_usage_weekly).toBeLessThanOrEqual(key!.byok_usage);
    expect(key!.byok_usage_monthly).toBeLessThanOrEqual(key!.byok_usage);
  });
});

describe('parseFixtureKeys: violations name the entry and the field', () => {
  const ok = { hash: HASH_A, name: 'fine' };

  it.each<[string, Record<string, unknown>, string]>([
    ['usage_daily > usage_weekly', { usage_daily: 5, usage_weekly: 4 }, 'usage_daily'],
    ['usage_daily > usage_monthly', { usage_daily: 5, usage_monthly: 4, usage_weekly: 6 }, 'usage_daily'],
    ['usage_weekly > usage', { usage_weekly: 5, usage: 4 }, 'usage_weekly'],
    ['usage_monthly > usage', { usage_monthly: 5, usage: 4 }, 'usage_monthly'],
    ['byok_usage_daily > byok_usage_weekly', { byok_usage_daily: 2, byok_usage_weekly: 1 }, 'byok_usage_daily'],
    ['negative usage', { usage: -1 }, 'usage'],
    ['string usage', { usage_daily: '1' }, 'usage_daily'],
    ['updated_at < created_at', { created_at: 'now-1d', updated_at: 'now-2d' }, 'updated_at'],
    ['updated_at in the future', { updated_at: 'now+1h' }, 'updated_at'],
    ['created_at in the future', { created_at: 'now+1d' }, 'created_at'],
    ['created_at null', { created_at: null }, 'created_at'],
    ['created_at impossible date', { created_at: '2025-02-30T00:00:00Z' }, 'created_at'],
    ['created_at with offset', { created_at: '2025-01-01T00:00:00+01:00' }, 'created_at'],
    ['expires_at garbage', { expires_at: 'next week' }, 'expires_at'],
    ['unknown field', { colour: 'red' }, 'colour'],
    ['bad hash', { hash: 'ABC' }, 'hash'],
    ['upper-case hash', { hash: HASH_B.toUpperCase() }, 'hash'],
    ['whitespace name', { name: '   ' }, 'name'],
    ['negative limit', { limit: -1 }, 'limit'],
    ['unknown limit_reset', { limit_reset: 'yearly' }, 'limit_reset'],
    ['string disabled', { disabled: 'false' }, 'disabled'],
    ['bad workspace_id', { workspace_id: 'not-a-uuid' }, 'workspace_id'],
    ['empty creator_user_id', { creator_user_id: '' }, 'creator_user_id'],
    ['empty label', { label: '' }, 'label'],
  ])('%s', (_label, bad, field) => {
    expectFixtureError([ok, { hash: HASH_B, ...bad }], 1, field);
  });

  it('an unknown field lists the allowed ones', () => {
    expectFixtureError([{ hash: HASH_A, colour: 'red' }], 0, 'colour', /unknown field; allowed: .*\bhash\b.*\bcreated_at\b/);
  });

  it('the entry name is shown when it has one', () => {
    expectFixtureError([ok, { name: 'other' }, { name: 'Named entry', limit: -1 }], 2, 'limit', /entry 2 \("Named entry"\)/);
  });

  it.each([[42], ['text'], [null], [[]], [true]])('a non-object entry %j names its index', (bad) => {
    expectFixtureError([ok, bad], 1, null, /must be a JSON object/);
  });

  it('a duplicate hash names the later entry and "hash"', () => {
    const error = expectFixtureError([{ hash: HASH_A }, { hash: HASH_B }, { hash: HASH_A }], 2, 'hash', /duplicate/);
    expect(error.message).toContain(HASH_A);
  });

  it('a plaintext key that duplicates a hash is a duplicate too', () => {
    expectFixtureError([{ hash: sha256Hex('sk-or-v1-duplicated') }, { key: 'sk-or-v1-duplicated' }], 1, 'hash', /duplicate/);
  });

  it.each([[{}], ['[]'], [null], [42], [undefined]])('not an array (%j) is an error naming the source', (notArray) => {
    const error = expectFixtureError(notArray, null, null, /must be a JSON array/);
    expect(error.name).toBe('FixtureError');
  });

  it('an empty array is fine', () => {
    expect(parse([])).toEqual([]);
  });
});
