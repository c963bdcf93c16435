import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildDataset } from '../../src/data/dataset.js';
import { parseScenario, ScenarioError, type Scenario } from '../../src/data/scenarios.js';
import type { AccountState, KeyRecord } from '../../src/domain/types.js';

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

const SCENARIO_DIR = fileURLToPath(new URL('../../fixtures/scenarios/', import.meta.url));
const EXPECTED = ['byok-heavy', 'default', 'disabled', 'empty', 'expired', 'many-keys', 'near-limit', 'over-limit'];
const MANAGEMENT_KEY = 'sk-or-v1-test';
const HOUR = 3_600_000;
const PAGE = 100;

/**
 * Clocks the scenarios must hold at: the first half-hour of a week (Monday 00:30 UTC), of a month
 * (the 1st, 00:30 UTC, on a Sunday and on a Monday), and an ordinary mid-week, mid-month moment.
 */
const NOWS: [string, number][] = [
  ['Monday 00:30 UTC', Date.parse('2026-01-12T00:30:00.000Z')],
  ['1st of the month 00:30 UTC', Date.parse('2026-03-01T00:30:00.000Z')],
  ['Monday the 1st 00:30 UTC', Date.parse('2025-12-01T00:30:00.000Z')],
  ['mid-week mid-month', Date.parse('2026-01-14T12:00:00.000Z')],
];
const SEEDS = [1, 42];

/** Reads a fixtures file named by a path relative to the scenario file. */
function loadScenario(name: string): Scenario {
  const file = join(SCENARIO_DIR, `${name}.json`);
  const document: unknown = JSON.parse(readFileSync(file, 'utf8'));
  return parseScenario(name, document, `fixtures/scenarios/${name}.json`, (path) =>
    JSON.parse(readFileSync(resolve(dirname(file), path), 'utf8')),
  );
}

function build(scenario: Scenario, now: number, seed: number): AccountState {
  const state = buildDataset({
    seed,
    now,
    keys: scenario.keys,
    fixtures: scenario.fixtures,
    fixturesSource: scenario.source,
    managementKeys: [MANAGEMENT_KEY],
    sha256Hex,
  });
  expect(state.accounts).toHaveLength(1);
  return state.accounts[0]!;
}

/** The rule of README "Rules": limit − usage of the reset window (+ BYOK of it when counted), ≥ 0, to micro-dollars. */
function used(key: KeyRecord, withByok = key.include_byok_in_limit): number {
  const [usage, byok] =
    key.limit_reset === 'daily'
      ? [key.usage_daily, key.byok_usage_daily]
      : key.limit_reset === 'weekly'
        ? [key.usage_weekly, key.byok_usage_weekly]
        : key.limit_reset === 'monthly'
          ? [key.usage_monthly, key.byok_usage_monthly]
          : [key.usage, key.byok_usage];
  return withByok ? usage + byok : usage;
}

function remaining(key: KeyRecord, withByok = key.include_byok_in_limit): number | null {
  if (key.limit === null) return null;
  return Math.round(Math.max(0, key.limit - used(key, withByok)) * 1e6) / 1e6;
}

const ms = (iso: string): number => Date.parse(iso);

/** The invariants every key of every scenario holds. */
function checkInvariants(keys: KeyRecord[], now: number): void {
  const hashes = new Set<string>();
  keys.forEach((key, index) => {
    const at = `key ${index} (${key.name})`;
    expect(key.hash, at).toMatch(/^[0-9a-f]{64}$/);
    expect(hashes.has(key.hash), `${at}: duplicate hash`).toBe(false);
    hashes.add(key.hash);
    expect(key.name.trim(), at).not.toBe('');
    for (const prefix of ['usage', 'byok_usage'] as const) {
      const total = key[prefix];
      const daily = key[`${prefix}_daily`];
      const weekly = key[`${prefix}_weekly`];
      const monthly = key[`${prefix}_monthly`];
      for (const value of [total, daily, weekly, monthly]) {
        expect(Number.isFinite(value) && value >= 0, `${at}: ${prefix} figures must be finite and ≥ 0`).toBe(true);
      }
      expect(daily, `${at}: ${prefix}_daily ≤ ${prefix}_weekly`).toBeLessThanOrEqual(weekly);
      expect(daily, `${at}: ${prefix}_daily ≤ ${prefix}_monthly`).toBeLessThanOrEqual(monthly);
      expect(weekly, `${at}: ${prefix}_weekly ≤ ${prefix}`).toBeLessThanOrEqual(total);
      expect(monthly, `${at}: ${prefix}_monthly ≤ ${prefix}`).toBeLessThanOrEqual(total);
    }
    if (key.limit !== null) expect(key.limit, at).toBeGreaterThanOrEqual(0);
    const created = ms(key.created_at);
    expect(Number.isNaN(created), at).toBe(false);
    expect(created, `${at}: created_at ≤ now`).toBeLessThanOrEqual(now);
    if (key.updated_at !== null) {
      const updated = ms(key.updated_at);
      expect(updated, `${at}: created_at ≤ updated_at`).toBeGreaterThanOrEqual(created);
      expect(updated, `${at}: updated_at ≤ now`).toBeLessThanOrEqual(now);
    }
    if (key.expires_at !== null) expect(Number.isNaN(ms(key.expires_at)), at).toBe(false);
  });
}

/** What each scenario is for, checked on the built dataset. */
const INTENTS: Record<string, (account: AccountState, now: number) => void> = {
  default(account) {
    expect(account.keys).toHaveLength(25);
  },

  empty(account) {
    expect(account.keys).toHaveLength(0);
  },

  'many-keys'(account) {
    const listed = account.keys.filter((k) => !k.disabled && k.workspace_id === account.default_workspace_id);
    expect(listed.length, 'default listing spans at least 3 pages of 100').toBeGreaterThan(2 * PAGE);
    // The other views have something to show too.
    expect(account.keys.some((k) => k.disabled)).toBe(true);
    expect(account.keys.some((k) => k.workspace_id !== account.default_workspace_id)).toBe(true);
  },

  'near-limit'(account) {
    const enabled = account.keys.filter((k) => !k.disabled);
    expect(enabled.length).toBeGreaterThan(0);
    for (const key of enabled) {
      expect(key.limit, key.name).not.toBeNull();
      const left = remaining(key)!;
      expect(left, `${key.name}: limit_remaining > 0`).toBeGreaterThan(0);
      expect(left, `${key.name}: limit_remaining < 10% of the limit`).toBeLessThan(key.limit! * 0.1);
    }
    const windows = new Set(enabled.map((k) => k.limit_reset));
    for (const window of ['daily', 'weekly', 'monthly', null]) expect(windows.has(window as never), `window ${window}`).toBe(true);
    const byok = enabled.filter((k) => k.include_byok_in_limit);
    expect(byok.length).toBeGreaterThan(0);
    // At least one is near its limit only because BYOK usage counts.
    expect(byok.some((k) => remaining(k, false)! >= k.limit! * 0.1)).toBe(true);
  },

  'over-limit'(account) {
    expect(account.keys.length).toBeGreaterThan(0);
    for (const key of account.keys) {
      expect(key.limit, key.name).not.toBeNull();
      expect(remaining(key), `${key.name}: limit_remaining`).toBe(0);
    }
    const windows = new Set(account.keys.map((k) => k.limit_reset));
    for (const window of ['daily', 'weekly', 'monthly', null]) expect(windows.has(window as never), `window ${window}`).toBe(true);
    expect(account.keys.some((k) => k.limit! > 0 && used(k) === k.limit), 'one exactly at its limit').toBe(true);
    expect(account.keys.some((k) => k.limit === 0), 'one with limit 0').toBe(true);
    expect(
      account.keys.some((k) => k.include_byok_in_limit && remaining(k, false)! > 0),
      'one over only because BYOK counts',
    ).toBe(true);
  },

  disabled(account) {
    const disabled = account.keys.filter((k) => k.disabled);
    const enabled = account.keys.filter((k) => !k.disabled);
    expect(disabled.length * 2, 'a majority is disabled').toBeGreaterThan(account.keys.length);
    expect(enabled.length).toBeGreaterThanOrEqual(1);
    for (const key of disabled) expect(key.updated_at, `${key.name}: disabling is an update`).not.toBeNull();
  },

  expired(account, now) {
    const expired = account.keys.filter((k) => k.expires_at !== null && ms(k.expires_at) < now);
    const expiring = account.keys.filter((k) => k.expires_at !== null && ms(k.expires_at) > now && ms(k.expires_at) <= now + HOUR);
    expect(expired.length).toBeGreaterThanOrEqual(2);
    expect(expiring.length).toBeGreaterThanOrEqual(1);
    expect(account.keys.some((k) => k.expires_at === null), 'one without expiry').toBe(true);
  },

  'byok-heavy'(account) {
    expect(account.keys.length).toBeGreaterThan(0);
    for (const key of account.keys) expect(key.byok_usage, `${key.name}: byok_usage > usage`).toBeGreaterThan(key.usage);
    expect(account.keys.some((k) => k.include_byok_in_limit)).toBe(true);
    expect(account.keys.some((k) => !k.include_byok_in_limit)).toBe(true);
  },
};

describe('fixtures/scenarios', () => {
  it('holds exactly the eight scenarios', () => {
    const names = readdirSync(SCENARIO_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
    expect(names).toEqual(EXPECTED);
    expect(Object.keys(INTENTS).sort()).toEqual(EXPECTED);
  });

  describe.each(EXPECTED)('%s', (name) => {
    it('parses, with a one-line description', () => {
      const scenario = loadScenario(name);
      expect(scenario.name).toBe(name);
      expect(scenario.description.trim()).not.toBe('');
      expect(scenario.description).not.toMatch(/\n/);
      expect(scenario.keys).toBeGreaterThanOrEqual(0);
    });

    it('hand-written entries use relative timestamps and amounts of at most 4 decimals', () => {
      const raw = JSON.parse(readFileSync(join(SCENARIO_DIR, `${name}.json`), 'utf8')) as { fixtures?: unknown };
      if (!Array.isArray(raw.fixtures)) return; // a fixtures file shared with the default dataset
      for (const entry of raw.fixtures as Record<string, unknown>[]) {
        for (const [field, value] of Object.entries(entry)) {
          if (typeof value === 'number') {
            expect(Math.round(value * 1e4) / 1e4, `${String(entry.name)}: ${field}`).toBe(value);
          }
          if (field.endsWith('_at') && value !== null) expect(value, `${String(entry.name)}: ${field}`).toMatch(/^now([+-]|$)/);
        }
      }
    });

    describe.each(NOWS)('at %s', (_label, now) => {
      it.each(SEEDS)('builds a valid dataset that shows the scenario (seed %i)', (seed) => {
        const scenario = loadScenario(name);
        const account = build(scenario, now, seed);
        expect(account.keys.length).toBe(Math.max(scenario.keys, scenario.fixtures.length));
        checkInvariants(account.keys, now);
        INTENTS[name]!(account, now);
      });
    });
  });
});

describe('parseScenario rejects', () => {
  const noFiles = (path: string): unknown => {
    throw new Error(`unexpected read of ${path}`);
  };

  function rejection(document: unknown): string {
    let thrown: unknown;
    try {
      parseScenario('broken', document, 'broken.json', noFiles);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ScenarioError);
    const message = (thrown as ScenarioError).message;
    expect(message).toContain('scenario "broken"');
    expect(message).toContain('broken.json');
    return message;
  }

  it.each([null, [], 'a string', 42, true])('a document that is not an object (%j)', (document) => {
    expect(rejection(document)).toMatch(/must be a JSON object/);
  });

  it('an unknown field, naming it', () => {
    expect(rejection({ description: 'x', keys: 1, fixtures: [], seed: 3 })).toContain('"seed"');
  });

  it('a missing description', () => {
    expect(rejection({ keys: 0, fixtures: [] })).toContain('field "description"');
  });

  it('an empty description', () => {
    expect(rejection({ description: '   ', keys: 0, fixtures: [] })).toContain('field "description"');
  });

  it.each([-1, 2.5, '10', 1_000_001])('keys = %j', (keys) => {
    expect(rejection({ description: 'x', keys, fixtures: [] })).toContain('field "keys"');
  });

  it('fixtures that are neither an array nor a path', () => {
    expect(rejection({ description: 'x', fixtures: { name: 'k' } })).toContain('field "fixtures"');
  });

  it('accepts a minimal scenario: keys default to the number of fixtures', () => {
    const scenario = parseScenario('ok', { description: 'One key', fixtures: [{ name: 'a' }] }, 'ok.json', noFiles);
    expect(scenario).toMatchObject({ name: 'ok', description: 'One key', keys: 1, source: 'ok.json' });
  });
});
