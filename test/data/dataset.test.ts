import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MANAGEMENT_KEY } from '../../src/config.js';
import { accountId, buildDataset, DOCS_USER_ID, DOCS_WORKSPACE_ID, type DatasetOptions } from '../../src/data/dataset.js';
import { parseUtcInstant } from '../../src/domain/rules.js';
import type { KeyRecord, StoreState } from '../../src/domain/types.js';
import { api, buildTestApp } from '../helpers/build.js';

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

const FIXTURES: unknown[] = JSON.parse(readFileSync(new URL('../../fixtures/keys.json', import.meta.url), 'utf8')) as unknown[];
const DOCS_HASH = 'f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943';
const NOW = Date.parse('2026-01-14T12:00:00.000Z');
const DAY = 86_400_000;
const SECOND_KEY = `sk-or-v1-${'9'.repeat(64)}`;
const THIRD_KEY = 'my-plain-management-key';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function build(overrides: Partial<DatasetOptions> = {}): StoreState {
  return buildDataset({
    seed: 1,
    now: NOW,
    keys: 25,
    fixtures: FIXTURES,
    fixturesSource: 'fixtures/keys.json',
    managementKeys: [DEFAULT_MANAGEMENT_KEY],
    sha256Hex,
    ...overrides,
  });
}

/** Every invariant a key of an account must hold, with the key's index in the message. */
function checkKey(key: KeyRecord, index: number, now: number, workspaceIds: string[], generated: boolean): void {
  const at = `key ${index} (${key.name})`;
  expect(key.hash, at).toMatch(/^[0-9a-f]{64}$/);
  if (generated) expect(key.label, at).toMatch(/^sk-or-v1-[0-9a-f]{3}\.\.\.[0-9a-f]{4}$/);
  else expect(key.label, at).toMatch(/^sk-or-v1-/);
  expect(typeof key.name === 'string' && key.name.trim() !== '', at).toBe(true);

  for (const field of ['created_at', 'updated_at', 'expires_at'] as const) {
    const value = key[field];
    if (value === null) continue;
    expect(value, `${at} ${field}`).toMatch(ISO_UTC);
    expect(parseUtcInstant(value), `${at} ${field}`).not.toBeNull();
  }
  const created = Date.parse(key.created_at);
  expect(created, `${at} created_at ≤ now`).toBeLessThanOrEqual(now);
  if (key.updated_at !== null) {
    const updated = Date.parse(key.updated_at);
    expect(created, `${at} created_at ≤ updated_at`).toBeLessThanOrEqual(updated);
    expect(updated, `${at} updated_at ≤ now`).toBeLessThanOrEqual(now);
  }

  expect(key.workspace_id, at).toMatch(UUID);
  expect(workspaceIds, at).toContain(key.workspace_id);
  if (key.creator_user_id !== null) expect(key.creator_user_id, at).toMatch(/^user_[A-Za-z0-9]{27}$/);

  for (const prefix of ['usage', 'byok_usage'] as const) {
    const total = key[prefix];
    const daily = key[`${prefix}_daily`];
    const weekly = key[`${prefix}_weekly`];
    const monthly = key[`${prefix}_monthly`];
    for (const v of [total, daily, weekly, monthly]) expect(Number.isFinite(v) && v >= 0, `${at} ${prefix} finite ≥ 0`).toBe(true);
    expect(daily, `${at} ${prefix}_daily ≤ weekly`).toBeLessThanOrEqual(weekly);
    expect(weekly, `${at} ${prefix}_weekly ≤ total`).toBeLessThanOrEqual(total);
    expect(daily, `${at} ${prefix}_daily ≤ monthly`).toBeLessThanOrEqual(monthly);
    expect(monthly, `${at} ${prefix}_monthly ≤ total`).toBeLessThanOrEqual(total);
  }

  expect(key.limit === null || (Number.isFinite(key.limit) && key.limit >= 0), `${at} limit`).toBe(true);
  expect([null, 'daily', 'weekly', 'monthly'], at).toContain(key.limit_reset);
  expect(typeof key.disabled, at).toBe('boolean');
  expect(typeof key.include_byok_in_limit, at).toBe('boolean');
}

describe('buildDataset: determinism', () => {
  it('the same seed and now give byte-identical JSON', () => {
    const a = JSON.stringify(build());
    const b = JSON.stringify(build());
    expect(b).toBe(a);
    expect(JSON.stringify(build({ managementKeys: [DEFAULT_MANAGEMENT_KEY, SECOND_KEY] }))).toBe(
      JSON.stringify(build({ managementKeys: [DEFAULT_MANAGEMENT_KEY, SECOND_KEY] })),
    );
  });

  it('a different seed gives different generated keys (fixtures stay)', () => {
    const a = build({ seed: 1 }).accounts[0]!.keys;
    const b = build({ seed: 2 }).accounts[0]!.keys;
    expect(JSON.stringify(b)).not.toBe(JSON.stringify(a));
    const generatedA = new Set(a.slice(FIXTURES.length).map((k) => k.hash));
    const generatedB = b.slice(FIXTURES.length).map((k) => k.hash);
    expect(generatedB.filter((h) => generatedA.has(h))).toEqual([]);
    // the explicitly hashed fixtures are identical whatever the seed
    expect(b.find((k) => k.hash === DOCS_HASH)).toEqual(a.find((k) => k.hash === DOCS_HASH));
  });
});

describe('buildDataset: the first account', () => {
  it('holds `keys` keys, fixtures first', () => {
    for (const keys of [FIXTURES.length, 6, 25, 60]) {
      const owner = build({ keys }).accounts[0]!;
      expect(owner.keys).toHaveLength(keys);
      expect(owner.keys[0]!.hash).toBe(DOCS_HASH);
      expect(owner.keys.slice(0, FIXTURES.length).map((k) => k.name)).toEqual(
        (FIXTURES as { name: string }[]).map((f) => f.name),
      );
    }
  });

  it('without fixtures holds exactly `keys` generated keys (0 included)', () => {
    for (const keys of [0, 1, 13]) {
      expect(build({ keys, fixtures: [] }).accounts[0]!.keys).toHaveLength(keys);
    }
  });

  it('the docs key is in the first account, whose default workspace is the docs workspace', () => {
    const state = build();
    const owner = state.accounts[0]!;
    expect(owner.default_workspace_id).toBe(DOCS_WORKSPACE_ID);
    expect(DOCS_WORKSPACE_ID).toBe('0df9e665-d932-5740-b2c7-b52af166bc11');
    expect(owner.workspace_ids[0]).toBe(DOCS_WORKSPACE_ID);
    expect(owner.user_id).toBe(DOCS_USER_ID);
    const docs = owner.keys.find((k) => k.hash === DOCS_HASH)!;
    expect(docs).toBeDefined();
    expect(docs.workspace_id).toBe(DOCS_WORKSPACE_ID);
    expect(docs.label).toBe('sk-or-v1-0e6...1c96');
    expect(docs.created_at).toBe(new Date(NOW - 97 * DAY).toISOString());
  });

  it('every key satisfies the invariants (25 keys, and 300 keys on other seeds)', () => {
    const leapNow = Date.parse('2024-02-29T23:59:59.999Z');
    const cases: [number, StoreState][] = [
      [NOW, build()],
      [NOW, build({ seed: 7, keys: 300 })],
      [leapNow, build({ seed: 12345, keys: 300, now: leapNow })],
    ];
    for (const [now, state] of cases) {
      const owner = state.accounts[0]!;
      expect(owner.workspace_ids.length).toBeGreaterThanOrEqual(2);
      owner.keys.forEach((key, i) => checkKey(key, i, now, owner.workspace_ids, i >= FIXTURES.length));
      expect(new Set(owner.keys.map((k) => k.hash)).size).toBe(owner.keys.length);
    }
  });

  it('the management key record: hash of the plaintext, masked label, created before any key', () => {
    const state = build({ managementKeys: [DEFAULT_MANAGEMENT_KEY, SECOND_KEY] });
    const plaintexts = [DEFAULT_MANAGEMENT_KEY, SECOND_KEY];
    state.accounts.forEach((account, i) => {
      const plain = plaintexts[i]!;
      expect(account.management_key.hash).toBe(sha256Hex(plain));
      expect(account.management_key.label).toBe(`sk-or-v1-${plain.slice(9, 12)}...${plain.slice(-4)}`);
      expect(account.management_key.created_at).toMatch(ISO_UTC);
      expect(Date.parse(account.management_key.created_at)).toBeLessThanOrEqual(NOW);
      expect(account.id).toBe(accountId(plain, sha256Hex));
      expect(account.id).toMatch(/^acct_[0-9a-f]{16}$/);
      expect(JSON.stringify(account)).not.toContain(plain);
    });
  });

  it('25 keys show every state a key list must render', () => {
    const keys = build().accounts[0]!.keys;
    expect(keys).toHaveLength(25);
    expect(keys.some((k) => k.disabled)).toBe(true);
    expect(keys.some((k) => !k.disabled)).toBe(true);
    expect(keys.some((k) => k.expires_at !== null && Date.parse(k.expires_at) < NOW)).toBe(true);
    expect(keys.some((k) => k.expires_at !== null && Date.parse(k.expires_at) > NOW)).toBe(true);
    expect(keys.some((k) => k.expires_at === null)).toBe(true);
    for (const reset of ['daily', 'weekly', 'monthly', null]) expect(keys.some((k) => k.limit_reset === reset)).toBe(true);
    expect(keys.some((k) => k.limit === null)).toBe(true);
    expect(keys.some((k) => k.limit !== null)).toBe(true);
    expect(keys.some((k) => k.include_byok_in_limit)).toBe(true);
    expect(keys.some((k) => k.updated_at === null)).toBe(true);
    expect(keys.some((k) => k.updated_at !== null)).toBe(true);
    // and the generated part alone shows them too
    const generated = keys.slice(FIXTURES.length);
    expect(generated.some((k) => k.disabled)).toBe(true);
    expect(generated.some((k) => k.expires_at !== null && Date.parse(k.expires_at) < NOW)).toBe(true);
    expect(generated.some((k) => k.limit === null)).toBe(true);
    for (const reset of ['daily', 'weekly', 'monthly']) expect(generated.some((k) => k.limit_reset === reset)).toBe(true);
  });
});

describe('buildDataset: timestamps follow `now`', () => {
  const NOW2 = NOW + 37 * DAY + 12_345;

  it('fixture timestamps (relative) shift by exactly the difference', () => {
    const a = build({ now: NOW }).accounts[0]!.keys.slice(0, FIXTURES.length);
    const b = build({ now: NOW2 }).accounts[0]!.keys.slice(0, FIXTURES.length);
    a.forEach((key, i) => {
      const other = b[i]!;
      expect(Date.parse(other.created_at) - Date.parse(key.created_at)).toBe(NOW2 - NOW);
      for (const field of ['updated_at', 'expires_at'] as const) {
        const x = key[field];
        const y = other[field];
        expect(y === null).toBe(x === null);
        if (x !== null && y !== null) expect(Date.parse(y) - Date.parse(x)).toBe(NOW2 - NOW);
      }
    });
  });

  it('generated keys are created within 400 days before now, for either now', () => {
    // The generator is not shift-invariant (window-dependent usage draws change the random
    // sequence), so the guarantee checked is the range, not an exact shift.
    for (const now of [NOW, NOW2]) {
      const keys = build({ now, keys: 200 }).accounts[0]!.keys.slice(FIXTURES.length);
      for (const key of keys) {
        const created = Date.parse(key.created_at);
        expect(created).toBeLessThanOrEqual(now);
        expect(created).toBeGreaterThanOrEqual(now - 400 * DAY);
      }
    }
  });
});

describe('buildDataset: further management keys', () => {
  it('get empty accounts with workspaces and users of their own', () => {
    const state = build({ managementKeys: [DEFAULT_MANAGEMENT_KEY, SECOND_KEY, THIRD_KEY] });
    expect(state.accounts).toHaveLength(3);
    const [first, ...others] = state.accounts;
    expect(first!.keys).toHaveLength(25);
    const seenWorkspaces = new Set(first!.workspace_ids);
    const seenUsers = new Set([first!.user_id]);
    for (const account of others) {
      expect(account.keys).toEqual([]);
      expect(account.workspace_ids.length).toBeGreaterThanOrEqual(1);
      expect(account.workspace_ids).toContain(account.default_workspace_id);
      for (const ws of account.workspace_ids) {
        expect(ws).toMatch(UUID);
        expect(seenWorkspaces.has(ws)).toBe(false);
        seenWorkspaces.add(ws);
      }
      expect(account.user_id).toMatch(/^user_[A-Za-z0-9]{27}$/);
      expect(seenUsers.has(account.user_id)).toBe(false);
      seenUsers.add(account.user_id);
    }
    expect(new Set(state.accounts.map((a) => a.id)).size).toBe(3);
    expect(new Set(state.accounts.map((a) => a.management_key.hash)).size).toBe(3);
  });

  it('no management key: no accounts', () => {
    expect(build({ managementKeys: [] })).toEqual({ accounts: [] });
  });
});

describe('buildDataset: scale', () => {
  it('generates 20 000 keys, all distinct and valid', () => {
    // 100 000 keys take about 10 s here, so the larger run is left to benchmarks.
    const started = performance.now();
    const owner = build({ keys: 20_000, seed: 3 }).accounts[0]!;
    const elapsed = performance.now() - started;
    expect(owner.keys).toHaveLength(20_000);
    expect(new Set(owner.keys.map((k) => k.hash)).size).toBe(20_000);
    for (let i = 0; i < owner.keys.length; i += 97) checkKey(owner.keys[i]!, i, NOW, owner.workspace_ids, i >= FIXTURES.length);
    console.info(`buildDataset: 20 000 keys in ${Math.round(elapsed)} ms`);
  });
});

describe('the second workspace (README, "The dataset")', () => {
  it('with --seed 1 --now 2026-01-14T12:00:00Z one key is there: GET /keys lists 24 of 25 with include_disabled, 21 without', async () => {
    const app = buildTestApp({ seed: 1, now: '2026-01-14T12:00:00Z' });
    const [owner] = app.control.accounts();
    expect(owner!.keys).toBe(25);
    expect(owner!.workspace_ids).toHaveLength(2);
    const list = async (query: string) => ((await api(app, 'GET', `/keys${query}`)).json() as { data: { disabled: boolean }[] }).data;
    expect(await list('?include_disabled=true')).toHaveLength(24);
    expect(await list('')).toHaveLength(21);
    expect((await list('?include_disabled=true')).filter((k) => k.disabled)).toHaveLength(3);
    expect(await list(`?include_disabled=true&workspace_id=${owner!.workspace_ids[1]}`)).toHaveLength(1);
  });

  it('about one generated key in ten goes to the second workspace', () => {
    let generated = 0;
    let second = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const owner = build({ seed, keys: 105 }).accounts[0]!;
      const keys = owner.keys.slice(FIXTURES.length);
      generated += keys.length;
      second += keys.filter((k) => k.workspace_id === owner.workspace_ids[1]).length;
    }
    expect(second / generated).toBeGreaterThan(0.05);
    expect(second / generated).toBeLessThan(0.15);
  });
});
