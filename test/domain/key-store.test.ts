import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/domain/clock.js';
import { ApiError } from '../../src/domain/errors.js';
import { KeyStore, PAGE_SIZE, type Account } from '../../src/domain/key-store.js';
import { createRandom } from '../../src/domain/random.js';
import type { AccountState, KeyPatch, KeyRecord, StoreState } from '../../src/domain/types.js';

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

const T0 = Date.parse('2026-01-14T12:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

const MGMT_A = `sk-or-v1-${'a1'.repeat(32)}`;
const MGMT_B = `sk-or-v1-${'b2'.repeat(32)}`;
const WS_A1 = '11111111-1111-4111-8111-111111111111';
const WS_A2 = '22222222-2222-4222-8222-222222222222';
const WS_B1 = '33333333-3333-4333-8333-333333333333';
const USER_A = 'user_AAAAAAAAAAAAAAAAAAAAAAAAAAA';
const USER_B = 'user_BBBBBBBBBBBBBBBBBBBBBBBBBBB';

/** Plaintexts of hand-built keys, so they can be used as bearer tokens. */
const PLAIN_ACTIVE = `sk-or-v1-${'c3'.repeat(32)}`;
const PLAIN_DISABLED = `sk-or-v1-${'d4'.repeat(32)}`;
const PLAIN_EXPIRED = `sk-or-v1-${'e5'.repeat(32)}`;
const PLAIN_B = `sk-or-v1-${'f6'.repeat(32)}`;

function keyRecord(plaintext: string, overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    hash: sha256Hex(plaintext),
    name: 'A key',
    label: `sk-or-v1-${plaintext.slice(9, 12)}...${plaintext.slice(-4)}`,
    disabled: false,
    limit: 75,
    limit_reset: 'monthly',
    include_byok_in_limit: false,
    usage: 50,
    usage_daily: 1.5,
    usage_weekly: 10,
    usage_monthly: 42.88,
    byok_usage: 3,
    byok_usage_daily: 0.25,
    byok_usage_weekly: 1,
    byok_usage_monthly: 2,
    created_at: iso(T0 - 30 * DAY),
    updated_at: null,
    expires_at: null,
    creator_user_id: USER_A,
    workspace_id: WS_A1,
    external_user: null,
    ...overrides,
  };
}

function accountState(id: string, mgmt: string, user: string, workspaces: string[], keys: KeyRecord[]): AccountState {
  return {
    id,
    user_id: user,
    organization_id: id === 'acct_a' ? 'org_a' : null,
    default_workspace_id: workspaces[0]!,
    workspace_ids: workspaces,
    management_key: {
      hash: sha256Hex(mgmt),
      label: `sk-or-v1-${mgmt.slice(9, 12)}...${mgmt.slice(-4)}`,
      name: 'Management key',
      created_at: iso(T0 - 400 * DAY),
    },
    keys,
  };
}

function baseState(): StoreState {
  return {
    accounts: [
      accountState('acct_a', MGMT_A, USER_A, [WS_A1, WS_A2], [
        keyRecord(PLAIN_ACTIVE, { name: 'Active', created_at: iso(T0 - 10 * DAY), updated_at: iso(T0 - 2 * DAY) }),
        keyRecord(PLAIN_DISABLED, { name: 'Disabled', disabled: true, created_at: iso(T0 - 20 * DAY) }),
        keyRecord(PLAIN_EXPIRED, { name: 'Expired', created_at: iso(T0 - 40 * DAY), expires_at: iso(T0 - DAY) }),
        keyRecord(`sk-or-v1-${'07'.repeat(32)}`, { name: 'Other workspace', workspace_id: WS_A2, created_at: iso(T0 - 5 * DAY) }),
      ]),
      accountState('acct_b', MGMT_B, USER_B, [WS_B1], [
        keyRecord(PLAIN_B, { name: 'B key', creator_user_id: USER_B, workspace_id: WS_B1 }),
      ]),
    ],
  };
}

/** A store on a virtual clock whose "real time" is a variable the test controls (frozen unless moved). */
function setup(options: { seed?: number; state?: StoreState } = {}) {
  let real = 1_000_000;
  const clock = new VirtualClock(() => real, T0);
  const store = new KeyStore({ clock, sha256Hex, random: createRandom(options.seed ?? 7) });
  store.load(options.state ?? baseState());
  const a = store.account('acct_a')!;
  const b = store.account('acct_b')!;
  return {
    store,
    clock,
    a,
    b,
    tick: (ms: number) => {
      real += ms;
    },
  };
}

const ACTIVE = sha256Hex(PLAIN_ACTIVE);
const DISABLED = sha256Hex(PLAIN_DISABLED);
const B_HASH = sha256Hex(PLAIN_B);

/** Runs `fn`, expecting an ApiError of `status` whose message matches `message`. */
function expectApiError(fn: () => unknown, status: number, message: RegExp | string): ApiError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ApiError);
  const error = thrown as ApiError;
  expect(error.status).toBe(status);
  if (typeof message === 'string') expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
  return error;
}

/** The stored record of a key (a copy, for before/after comparisons). */
const snapshot = (account: Account, hash: string): KeyRecord => structuredClone(account.keys.get(hash)!);

describe('KeyStore.update (partial update)', () => {
  it('changes only the fields sent, and stamps updated_at with the clock', () => {
    const { store, a, clock } = setup();
    const before = snapshot(a, ACTIVE);
    const view = store.update(a, ACTIVE, { name: 'Renamed' });
    const after = snapshot(a, ACTIVE);
    expect(after).toEqual({ ...before, name: 'Renamed', updated_at: iso(clock.now()) });
    expect(view).toMatchObject({ name: 'Renamed', hash: ACTIVE });
  });

  it.each<[string, KeyPatch, Partial<KeyRecord>]>([
    ['limit', { limit: 10 }, { limit: 10 }],
    ['limit null', { limit: null }, { limit: null }],
    ['limit 0', { limit: 0 }, { limit: 0 }],
    ['limit_reset', { limit_reset: 'daily' }, { limit_reset: 'daily' }],
    ['limit_reset null', { limit_reset: null }, { limit_reset: null }],
    ['disabled', { disabled: true }, { disabled: true }],
    ['include_byok_in_limit', { include_byok_in_limit: true }, { include_byok_in_limit: true }],
    ['two fields', { name: 'Two', limit: 5.5 }, { name: 'Two', limit: 5.5 }],
  ])('%s: only that field (and updated_at) changes', (_label, patch, changed) => {
    const { store, a, clock, tick } = setup();
    tick(90_000);
    const before = snapshot(a, ACTIVE);
    store.update(a, ACTIVE, patch);
    expect(snapshot(a, ACTIVE)).toEqual({ ...before, ...changed, updated_at: iso(clock.now()) });
  });

  it('an empty patch changes nothing, updated_at included', () => {
    const { store, a, b, tick } = setup();
    tick(HOUR);
    const stateBefore = store.export();
    for (const hash of [ACTIVE, DISABLED]) {
      const before = snapshot(a, hash);
      const view = store.update(a, hash, {});
      expect(snapshot(a, hash)).toEqual(before);
      expect(view.updated_at).toBe(before.updated_at);
    }
    store.update(b, B_HASH, {});
    expect(store.export()).toEqual(stateBefore);
  });

  it('fields given as undefined count as absent', () => {
    const { store, a, tick } = setup();
    tick(HOUR);
    const before = snapshot(a, ACTIVE);
    store.update(a, ACTIVE, { name: undefined, limit: undefined });
    expect(snapshot(a, ACTIVE)).toEqual(before);
  });

  it('unknown properties are ignored and do not count as a change', () => {
    const { store, a, tick } = setup();
    tick(HOUR);
    const before = snapshot(a, ACTIVE);
    store.update(a, ACTIVE, { usage: 0, hash: 'x' } as unknown as KeyPatch);
    expect(snapshot(a, ACTIVE)).toEqual(before);
  });

  it.each(['name', 'disabled', 'limit', 'limit_reset', 'include_byok_in_limit'] as const)(
    'updated_at moves to now when %s is sent with its current value',
    (field) => {
      const { store, a, clock, tick } = setup();
      tick(3 * HOUR + 17);
      const before = snapshot(a, ACTIVE);
      expect(before.updated_at).not.toBe(iso(clock.now()));
      store.update(a, ACTIVE, { [field]: before[field] } as KeyPatch);
      expect(snapshot(a, ACTIVE)).toEqual({ ...before, updated_at: iso(clock.now()) });
    },
  );

  it('updated_at follows the virtual clock when it is set or advanced', () => {
    const { store, a, clock } = setup();
    clock.set(T0 + 5 * DAY);
    store.update(a, ACTIVE, { name: 'x' });
    expect(a.keys.get(ACTIVE)!.updated_at).toBe(iso(T0 + 5 * DAY));
    clock.advance(90_000);
    store.update(a, ACTIVE, { name: 'x' });
    expect(a.keys.get(ACTIVE)!.updated_at).toBe(iso(T0 + 5 * DAY + 90_000));
  });

  it('updated_at is never earlier than created_at even when the clock is set back', () => {
    const { store, a, clock } = setup();
    const createdAt = a.keys.get(ACTIVE)!.created_at;
    clock.set(Date.parse(createdAt) - DAY);
    store.update(a, ACTIVE, { name: 'back in time' });
    expect(a.keys.get(ACTIVE)!.updated_at).toBe(createdAt);
  });

  it('the returned view is the record plus limit_remaining (and last_used_at, always null)', () => {
    const { store, a } = setup();
    const view = store.update(a, ACTIVE, { limit: 75, limit_reset: 'monthly', include_byok_in_limit: false });
    // monthly usage 42.88 against 75.
    expect(view).toEqual({ ...snapshot(a, ACTIVE), limit_remaining: 32.12, last_used_at: null });
  });
});

describe('KeyStore.update rejects invalid values and changes nothing', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['empty name', { name: '' }, 'name'],
    ['whitespace-only name', { name: '   ' }, 'name'],
    ['tab/newline name', { name: '\t\n ' }, 'name'],
    ['non-string name', { name: 42 }, 'name'],
    ['null name', { name: null }, 'name'],
    ['negative limit', { limit: -1 }, 'limit'],
    ['tiny negative limit', { limit: -0.0001 }, 'limit'],
    ['NaN limit', { limit: Number.NaN }, 'limit'],
    ['Infinity limit', { limit: Number.POSITIVE_INFINITY }, 'limit'],
    ['-Infinity limit', { limit: Number.NEGATIVE_INFINITY }, 'limit'],
    ['string limit', { limit: '75' }, 'limit'],
    ['unknown limit_reset', { limit_reset: 'yearly' }, 'limit_reset'],
    ['capitalised limit_reset', { limit_reset: 'Daily' }, 'limit_reset'],
    ['empty limit_reset', { limit_reset: '' }, 'limit_reset'],
    ['numeric limit_reset', { limit_reset: 1 }, 'limit_reset'],
    ['string disabled', { disabled: 'true' }, 'disabled'],
    ['null disabled', { disabled: null }, 'disabled'],
    ['numeric include_byok_in_limit', { include_byok_in_limit: 1 }, 'include_byok_in_limit'],
    // A valid field next to an invalid one: the valid one must not be applied either.
    ['valid name + invalid limit', { name: 'Would change', limit: -5 }, 'limit'],
    ['valid limit + invalid limit_reset', { limit: 1, limit_reset: 'hourly' }, 'limit_reset'],
    ['invalid disabled + valid include_byok', { include_byok_in_limit: true, disabled: 'yes' }, 'disabled'],
  ];

  it.each(cases)('%s → 400 naming "%s"', (_label, patch, field) => {
    const { store, a, tick } = setup();
    tick(HOUR);
    const state = store.export();
    const before = snapshot(a, ACTIVE);
    const error = expectApiError(() => store.update(a, ACTIVE, patch as KeyPatch), 400, new RegExp(`"${field}"`));
    expect(error.message).toMatch(/^Invalid request body: field "/);
    expect(snapshot(a, ACTIVE)).toEqual(before);
    expect(store.export()).toEqual(state);
  });
});

describe('KeyStore lookups: 404', () => {
  it('unknown hash → 404 naming the hash, for get, update and remove', () => {
    const { store, a } = setup();
    const unknown = sha256Hex('nobody');
    const state = store.export();
    for (const op of [() => store.get(a, unknown), () => store.update(a, unknown, { name: 'x' }), () => store.remove(a, unknown)]) {
      expectApiError(op, 404, `API key not found: no key with hash "${unknown}"`);
    }
    expect(store.export()).toEqual(state);
  });

  it("another account's key is a 404 and stays unchanged", () => {
    const { store, a, b, tick } = setup();
    tick(HOUR);
    const before = snapshot(b, B_HASH);
    expectApiError(() => store.get(a, B_HASH), 404, new RegExp(B_HASH));
    expectApiError(() => store.update(a, B_HASH, { name: 'hijacked', disabled: true }), 404, new RegExp(B_HASH));
    expectApiError(() => store.remove(a, B_HASH), 404, new RegExp(B_HASH));
    expect(snapshot(b, B_HASH)).toEqual(before);
    expect(store.get(b, B_HASH)).toEqual({ ...before, limit_remaining: expect.any(Number), last_used_at: null });
    // and the reverse direction
    expectApiError(() => store.get(b, ACTIVE), 404, new RegExp(ACTIVE));
  });

  it('a key found, then deleted or replaced by a load, is not found again (the last lookup is not kept past a change)', () => {
    const { store, a } = setup();
    const state = store.export();
    // Found twice (the second time as the last key found), with a hash string built anew each time.
    expect(store.get(a, ACTIVE.split('').join('')).hash).toBe(ACTIVE);
    expect(store.update(a, [...ACTIVE].join(''), { name: 'again' }).name).toBe('again');
    store.remove(a, ACTIVE);
    for (const op of [() => store.get(a, ACTIVE), () => store.update(a, ACTIVE, { name: 'x' }), () => store.remove(a, ACTIVE)]) {
      expectApiError(op, 404, new RegExp(ACTIVE));
    }
    // A load brings it back as a new object: that one is what a lookup finds and changes.
    store.load(state);
    const reloaded = store.account('acct_a')!;
    expect(store.update(reloaded, ACTIVE, { name: 'reloaded' }).name).toBe('reloaded');
    expect(store.get(reloaded, ACTIVE).name).toBe('reloaded');
    expect(store.export().accounts.find((account) => account.id === 'acct_a')!.keys.find((key) => key.hash === ACTIVE)!.name).toBe('reloaded');
  });

  it('a very long unknown hash is clipped in the message', () => {
    const { store, a } = setup();
    const long = 'f'.repeat(500);
    const error = expectApiError(() => store.get(a, long), 404, /^API key not found/);
    expect(error.message.length).toBeLessThan(200);
  });
});

describe('KeyStore.create', () => {
  it('returns a fresh plaintext whose SHA-256 is the hash, a masked label and zero usage', () => {
    const { store, a, clock, tick } = setup();
    tick(12_345);
    const { data, key } = store.create(a, { name: 'New key' });
    expect(key).toMatch(/^sk-or-v1-[0-9a-f]{64}$/);
    const secret = key.slice('sk-or-v1-'.length);
    expect(data.hash).toBe(sha256Hex(key));
    expect(data.label).toBe(`sk-or-v1-${secret.slice(0, 3)}...${secret.slice(-4)}`);
    expect(data).toEqual({
      hash: sha256Hex(key),
      name: 'New key',
      label: `sk-or-v1-${secret.slice(0, 3)}...${secret.slice(-4)}`,
      disabled: false,
      limit: null,
      limit_remaining: null,
      limit_reset: null,
      include_byok_in_limit: false,
      usage: 0,
      usage_daily: 0,
      usage_weekly: 0,
      usage_monthly: 0,
      byok_usage: 0,
      byok_usage_daily: 0,
      byok_usage_weekly: 0,
      byok_usage_monthly: 0,
      created_at: iso(clock.now()),
      updated_at: null,
      last_used_at: null,
      expires_at: null,
      creator_user_id: USER_A,
      workspace_id: WS_A1,
      external_user: null,
    });
    // Stored, listed first (newest), and the plaintext is not kept anywhere in the state.
    expect(store.get(a, data.hash)).toEqual(data);
    expect(store.list(a)[0]!.hash).toBe(data.hash);
    expect(JSON.stringify(store.export())).not.toContain(secret);
  });

  it('takes the optional fields', () => {
    const { store, a, clock } = setup();
    const expires = iso(T0 + 30 * DAY);
    const { data } = store.create(a, {
      name: 'Configured',
      limit: 12.5,
      limit_reset: 'weekly',
      include_byok_in_limit: true,
      expires_at: expires,
      creator_user_id: null,
      workspace_id: WS_A2,
      external: { user: 'customer-1' },
    });
    expect(data).toMatchObject({
      limit: 12.5,
      limit_remaining: 12.5,
      limit_reset: 'weekly',
      include_byok_in_limit: true,
      expires_at: expires,
      creator_user_id: null,
      workspace_id: WS_A2,
      external_user: 'customer-1',
      created_at: iso(clock.now()),
    });
    expect(store.list(a, { workspaceId: WS_A2 }).map((k) => k.hash)).toContain(data.hash);
    expect(store.list(a).map((k) => k.hash)).not.toContain(data.hash);
  });

  it('normalises expires_at to the canonical ISO form', () => {
    const { store, a } = setup();
    const { data } = store.create(a, { name: 'x', expires_at: '2026-06-01T00:00:00.5Z' });
    expect(data.expires_at).toBe(iso(Date.UTC(2026, 5, 1, 0, 0, 0, 500)));
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['expires_at with an offset', { expires_at: '2027-01-01T00:00:00+00:00' }, 'expires_at'],
    ['expires_at without a zone', { expires_at: '2027-01-01T00:00:00' }, 'expires_at'],
    ['expires_at impossible date', { expires_at: '2027-02-30T00:00:00Z' }, 'expires_at'],
    ['expires_at in the past', { expires_at: iso(T0 - DAY) }, 'expires_at'],
    ['expires_at exactly now', { expires_at: iso(T0) }, 'expires_at'],
    ["another account's workspace", { workspace_id: WS_B1 }, 'workspace_id'],
    ['unknown workspace', { workspace_id: '44444444-4444-4444-8444-444444444444' }, 'workspace_id'],
    ['whitespace name', { name: '  ' }, 'name'],
    ['negative limit', { limit: -1 }, 'limit'],
    ['NaN limit', { limit: Number.NaN }, 'limit'],
    ['bad limit_reset', { limit_reset: 'yearly' }, 'limit_reset'],
    ['bad include_byok_in_limit', { include_byok_in_limit: 'no' }, 'include_byok_in_limit'],
    ['empty creator_user_id', { creator_user_id: '' }, 'creator_user_id'],
  ])('%s → 400 naming "%s", nothing created', (_label, overrides, field) => {
    const { store, a } = setup();
    const state = store.export();
    expectApiError(() => store.create(a, { name: 'Valid name', ...overrides } as never), 400, new RegExp(`"${field}"`));
    expect(store.export()).toEqual(state);
  });

  it('expires_at in the future by the virtual clock (not the real one) is accepted', () => {
    const { store, a, clock } = setup();
    clock.set(T0 - 100 * DAY);
    const expires = iso(T0 - 50 * DAY);
    expect(store.create(a, { name: 'x', expires_at: expires }).data.expires_at).toBe(expires);
  });

  it('a created key authenticates as an ordinary key of its account', () => {
    const { store, a } = setup();
    const { data, key } = store.create(a, { name: 'Bearer' });
    const principal = store.authenticate(`Bearer ${key}`);
    expect(principal.kind).toBe('key');
    expect(principal.account).toBe(a);
    expect(principal.kind === 'key' && principal.key.hash).toBe(data.hash);
  });

  it('the same seed gives the same secrets; another seed different ones', () => {
    const secrets = (seed: number) => {
      const { store, a } = setup({ seed });
      return [1, 2, 3].map((n) => store.create(a, { name: `k${n}` }).key);
    };
    const first = secrets(42);
    expect(secrets(42)).toEqual(first);
    expect(new Set(first).size).toBe(3);
    const other = secrets(43);
    for (const key of other) expect(first).not.toContain(key);
  });
});

describe('KeyStore.remove', () => {
  it('deletes the key: no longer found, listed or usable as a bearer token', () => {
    const { store, a, b } = setup();
    const { data, key } = store.create(a, { name: 'Short-lived' });
    expect(store.list(a).map((k) => k.hash)).toContain(data.hash);
    store.remove(a, data.hash);
    expectApiError(() => store.get(a, data.hash), 404, new RegExp(data.hash));
    expect(store.list(a).map((k) => k.hash)).not.toContain(data.hash);
    expectApiError(() => store.authenticate(`Bearer ${key}`), 401, 'Invalid credentials: no API key matches the bearer token');
    expectApiError(() => store.remove(a, data.hash), 404, new RegExp(data.hash));
    // Other keys untouched.
    expect(a.keys.has(ACTIVE)).toBe(true);
    expect(b.keys.has(B_HASH)).toBe(true);
  });

  it('removing a loaded key drops it from the listings with include_disabled too', () => {
    const { store, a } = setup();
    expect(store.list(a, { includeDisabled: true }).map((k) => k.hash)).toContain(DISABLED);
    store.remove(a, DISABLED);
    expect(store.list(a, { includeDisabled: true }).map((k) => k.hash)).not.toContain(DISABLED);
  });
});

describe('KeyStore.list', () => {
  /** Account A with `count` keys in its default workspace; some share a created_at. */
  function bigState(count: number): StoreState {
    const state = baseState();
    const keys: KeyRecord[] = [];
    for (let i = 0; i < count; i++) {
      keys.push(
        keyRecord(`sk-or-v1-${i.toString(16).padStart(64, '0')}`, {
          name: `k${i}`,
          // keys share instants in threes, to exercise the hash tie-break
          created_at: iso(T0 - DAY - Math.floor(i / 3) * 60_000),
          disabled: i % 10 === 3,
        }),
      );
    }
    state.accounts[0]!.keys = keys;
    return state;
  }

  /** The expected order, computed from the records: created_at descending, then hash ascending. */
  const expectedOrder = (keys: KeyRecord[]) =>
    [...keys]
      .sort((x, y) => (x.created_at === y.created_at ? (x.hash < y.hash ? -1 : 1) : x.created_at < y.created_at ? 1 : -1))
      .map((k) => k.hash);

  it('lists the default workspace, newest first, without disabled keys', () => {
    const { store, a } = setup();
    const listed = store.list(a);
    const expected = [...a.keys.values()].filter((k) => k.workspace_id === WS_A1 && !k.disabled);
    expect(listed.map((k) => k.hash)).toEqual(expectedOrder(expected));
    const times = listed.map((k) => k.created_at);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('include_disabled adds the disabled keys in their place', () => {
    const { store, a } = setup();
    const listed = store.list(a, { includeDisabled: true }).map((k) => k.hash);
    const expected = [...a.keys.values()].filter((k) => k.workspace_id === WS_A1);
    expect(listed).toEqual(expectedOrder(expected));
    expect(listed).toContain(DISABLED);
    expect(store.list(a, { includeDisabled: false }).map((k) => k.hash)).not.toContain(DISABLED);
  });

  it('workspace filter: only keys of that workspace; foreign or unknown workspaces are a 400', () => {
    const { store, a } = setup();
    const ws2 = store.list(a, { workspaceId: WS_A2 });
    expect(ws2.length).toBeGreaterThan(0);
    expect(ws2.every((k) => k.workspace_id === WS_A2)).toBe(true);
    expect(ws2.map((k) => k.hash)).toEqual(expectedOrder([...a.keys.values()].filter((k) => k.workspace_id === WS_A2)));
    expectApiError(() => store.list(a, { workspaceId: WS_B1 }), 400, /"workspace_id"/);
    expectApiError(() => store.list(a, { workspaceId: 'nope' }), 400, /"workspace_id"/);
  });

  it(`pages of ${PAGE_SIZE}, in a total and stable order`, () => {
    expect(PAGE_SIZE).toBe(100);
    const count = 257;
    const { store, a } = setup({ state: bigState(count) });
    const all = [...a.keys.values()].filter((k) => !k.disabled);
    const expected = expectedOrder(all);
    const pages: string[][] = [];
    for (let offset = 0; offset <= all.length; offset += PAGE_SIZE) pages.push(store.list(a, { offset }).map((k) => k.hash));
    expect(pages.map((p) => p.length)).toEqual([100, 100, all.length - 200]);
    expect(pages.flat()).toEqual(expected);
    expect(new Set(pages.flat()).size).toBe(all.length);
    // an offset that is not a page boundary
    expect(store.list(a, { offset: 37 }).map((k) => k.hash)).toEqual(expected.slice(37, 137));
    expect(store.list(a, { offset: all.length })).toEqual([]);
    expect(store.list(a, { offset: 10_000 })).toEqual([]);
    // include_disabled pages over every key
    const everyKey = expectedOrder([...a.keys.values()]);
    expect(store.list(a, { includeDisabled: true, offset: 200 }).map((k) => k.hash)).toEqual(everyKey.slice(200, 300));
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('offset %s → 400 naming "offset"', (offset) => {
    const { store, a } = setup();
    expectApiError(() => store.list(a, { offset }), 400, /"offset"/);
  });

  it('reflects changes: create, disable, re-enable', () => {
    const { store, a } = setup();
    const before = store.list(a).map((k) => k.hash);
    store.update(a, ACTIVE, { disabled: true });
    expect(store.list(a).map((k) => k.hash)).toEqual(before.filter((h) => h !== ACTIVE));
    expect(store.list(a, { includeDisabled: true }).map((k) => k.hash)).toContain(ACTIVE);
    store.update(a, ACTIVE, { disabled: false });
    expect(store.list(a).map((k) => k.hash)).toEqual(before);
    store.update(a, ACTIVE, { name: 'Renamed in list' });
    expect(store.list(a).find((k) => k.hash === ACTIVE)!.name).toBe('Renamed in list');
  });

  it('each listed item is the record plus its limit_remaining (and last_used_at, always null)', () => {
    const { store, a } = setup();
    for (const view of store.list(a, { includeDisabled: true })) {
      const { limit_remaining: remaining, last_used_at: lastUsed, ...record } = view;
      expect(lastUsed).toBeNull();
      expect(record).toEqual(a.keys.get(view.hash));
      expect(remaining === null || remaining >= 0).toBe(true);
    }
  });
});

describe('KeyStore.authenticate and requireManagement', () => {
  it.each<[string, string | undefined, string]>([
    ['no header', undefined, 'Missing Authentication header'],
    ['empty header', '', 'Missing Authentication header'],
    ['blank header', '   ', 'Missing Authentication header'],
    ['no scheme', PLAIN_ACTIVE, 'Invalid Authorization header: expected "Bearer <api key>"'],
    ['Basic scheme', `Basic ${PLAIN_ACTIVE}`, 'Invalid Authorization header: expected "Bearer <api key>"'],
    ['Bearer alone', 'Bearer', 'Invalid Authorization header: expected "Bearer <api key>"'],
    ['two tokens', `Bearer ${PLAIN_ACTIVE} extra`, 'Invalid Authorization header: expected "Bearer <api key>"'],
    ['unknown token', 'Bearer sk-or-v1-not-a-key', 'Invalid credentials: no API key matches the bearer token'],
    ['hash instead of key', `Bearer ${ACTIVE}`, 'Invalid credentials: no API key matches the bearer token'],
    ['disabled key', `Bearer ${PLAIN_DISABLED}`, 'API key is disabled'],
    ['expired key', `Bearer ${PLAIN_EXPIRED}`, 'API key has expired'],
  ])('%s → 401', (_label, header, message) => {
    const { store } = setup();
    expectApiError(() => store.authenticate(header), 401, message);
  });

  it('a management key resolves to its account, any account', () => {
    const { store, a, b } = setup();
    const pa = store.authenticate(`Bearer ${MGMT_A}`);
    expect(pa).toEqual({ kind: 'management', account: a });
    expect(store.requireManagement(pa)).toBe(a);
    const pb = store.authenticate(`bearer   ${MGMT_B}  `);
    expect(pb.kind).toBe('management');
    expect(store.requireManagement(pb)).toBe(b);
  });

  it('an ordinary key resolves to its record and account, and is refused management with 403', () => {
    const { store, a, b } = setup();
    const p = store.authenticate(`Bearer ${PLAIN_ACTIVE}`);
    expect(p.kind).toBe('key');
    expect(p.account).toBe(a);
    expect(p.kind === 'key' ? p.key : undefined).toBe(a.keys.get(ACTIVE));
    expectApiError(() => store.requireManagement(p), 403, 'Only management keys can perform this operation');
    const pb = store.authenticate(`Bearer ${PLAIN_B}`);
    expect(pb.account).toBe(b);
    expectApiError(() => store.requireManagement(pb), 403, 'Only management keys can perform this operation');
  });

  it('a created key stops authenticating once disabled, and again once enabled', () => {
    const { store, a } = setup();
    const { data, key } = store.create(a, { name: 'toggle' });
    store.update(a, data.hash, { disabled: true });
    expectApiError(() => store.authenticate(`Bearer ${key}`), 401, 'API key is disabled');
    store.update(a, data.hash, { disabled: false });
    expect(store.authenticate(`Bearer ${key}`).kind).toBe('key');
  });

  it('a created key expires at its expires_at instant on the virtual clock', () => {
    const { store, a, clock, tick } = setup();
    const expiresAt = T0 + DAY;
    const { key } = store.create(a, { name: 'expiring', expires_at: iso(expiresAt) });
    expect(store.authenticate(`Bearer ${key}`).kind).toBe('key');
    clock.set(expiresAt - 1);
    expect(store.authenticate(`Bearer ${key}`).kind).toBe('key');
    tick(1); // the clock runs forward with "real" time: now exactly at expires_at
    expect(clock.now()).toBe(expiresAt);
    expectApiError(() => store.authenticate(`Bearer ${key}`), 401, 'API key has expired');
    clock.advance(DAY);
    expectApiError(() => store.authenticate(`Bearer ${key}`), 401, 'API key has expired');
    expect(store.isExpired({ expires_at: null })).toBe(false);
  });
});

describe('KeyStore.currentKey', () => {
  it('a management key: its label, no limit, zero usage, the account defaults', () => {
    const { store, a } = setup();
    const view = store.currentKey(store.authenticate(`Bearer ${MGMT_A}`));
    expect(view).toMatchObject({
      label: a.state.management_key.label,
      is_management_key: true,
      is_provisioning_key: true,
      is_free_tier: false,
      limit: null,
      limit_remaining: null,
      limit_reset: null,
      include_byok_in_limit: false,
      usage: 0,
      usage_daily: 0,
      usage_weekly: 0,
      usage_monthly: 0,
      byok_usage: 0,
      byok_usage_daily: 0,
      byok_usage_weekly: 0,
      byok_usage_monthly: 0,
      creator_user_id: USER_A,
      expires_at: null,
      workspace_id: WS_A1,
      organization_id: 'org_a',
    });
    expect(view.label).toBe(`sk-or-v1-${MGMT_A.slice(9, 12)}...${MGMT_A.slice(-4)}`);
  });

  it("an ordinary key: its own record's fields and limit_remaining", () => {
    const { store, a, b } = setup();
    const record = a.keys.get(ACTIVE)!;
    const view = store.currentKey(store.authenticate(`Bearer ${PLAIN_ACTIVE}`));
    expect(view).toMatchObject({
      label: record.label,
      is_management_key: false,
      is_provisioning_key: false,
      limit: record.limit,
      limit_reset: record.limit_reset,
      include_byok_in_limit: record.include_byok_in_limit,
      usage: record.usage,
      usage_daily: record.usage_daily,
      usage_weekly: record.usage_weekly,
      usage_monthly: record.usage_monthly,
      byok_usage: record.byok_usage,
      byok_usage_daily: record.byok_usage_daily,
      byok_usage_weekly: record.byok_usage_weekly,
      byok_usage_monthly: record.byok_usage_monthly,
      creator_user_id: record.creator_user_id,
      expires_at: record.expires_at,
      workspace_id: record.workspace_id,
      organization_id: 'org_a',
    });
    // monthly window: 75 − 42.88
    expect(view.limit_remaining).toBe(32.12);
    expect(store.currentKey(store.authenticate(`Bearer ${PLAIN_B}`)).organization_id).toBe(b.state.organization_id);
  });
});

describe('KeyStore state: export and load', () => {
  it('export → load → export round-trips, deep-equal and byte-identical', () => {
    const { store, a } = setup();
    store.create(a, { name: 'created', limit: 3, expires_at: iso(T0 + DAY) });
    store.update(a, ACTIVE, { name: 'changed', limit: null });
    const first = store.export();
    const firstJson = JSON.stringify(first);

    const { store: other } = setup({ seed: 99, state: { accounts: [] } });
    other.load(structuredClone(first));
    const second = other.export();
    expect(second).toEqual(first);
    expect(JSON.stringify(second)).toBe(firstJson);
    // and the reloaded store behaves the same
    const oa = other.account('acct_a')!;
    expect(other.list(oa, { includeDisabled: true })).toEqual(store.list(a, { includeDisabled: true }));
    expect(other.authenticate(`Bearer ${MGMT_B}`).account.id).toBe('acct_b');
  });

  it('the loaded hand-built state exports unchanged', () => {
    const state = baseState();
    const { store } = setup({ state: structuredClone(state) });
    expect(store.export()).toEqual(state);
    expect(JSON.stringify(store.export())).toBe(JSON.stringify(state));
  });

  it('export is a deep copy: mutating it does not touch the store', () => {
    const { store, a } = setup();
    const exported = store.export();
    exported.accounts[0]!.keys[0]!.name = 'mutated';
    exported.accounts[0]!.workspace_ids.push('mutated');
    exported.accounts[0]!.management_key.name = 'mutated';
    expect(a.keys.get(exported.accounts[0]!.keys[0]!.hash)!.name).not.toBe('mutated');
    expect(a.state.workspace_ids).not.toContain('mutated');
    expect(a.state.management_key.name).toBe('Management key');
  });

  it('load replaces everything: old accounts, keys and tokens are gone', () => {
    const { store } = setup();
    const onlyB = baseState();
    onlyB.accounts.shift();
    store.load(onlyB);
    expect(store.account('acct_a')).toBeUndefined();
    expectApiError(() => store.authenticate(`Bearer ${MGMT_A}`), 401, 'Invalid credentials: no API key matches the bearer token');
    expectApiError(() => store.authenticate(`Bearer ${PLAIN_ACTIVE}`), 401, 'Invalid credentials: no API key matches the bearer token');
    expect(store.authenticate(`Bearer ${PLAIN_B}`).kind).toBe('key');
  });

  it('refuses duplicate accounts, management keys and key hashes', () => {
    const { store } = setup();
    const dupAccount = baseState();
    dupAccount.accounts[1]!.id = 'acct_a';
    expect(() => store.load(dupAccount)).toThrow(/duplicate account id/);
    const dupMgmt = baseState();
    dupMgmt.accounts[1]!.management_key = structuredClone(dupMgmt.accounts[0]!.management_key);
    expect(() => store.load(dupMgmt)).toThrow(/duplicate management key/);
    const dupKey = baseState();
    dupKey.accounts[1]!.keys.push(structuredClone(dupKey.accounts[0]!.keys[0]!));
    expect(() => store.load(dupKey)).toThrow(/duplicate key hash/);
  });
});

describe('KeyStore.replaceAccount', () => {
  const newB = (keys: KeyRecord[]) => accountState('acct_b', MGMT_B, USER_B, [WS_B1], keys);

  it('rebuilds only the replaced account: the others keep their objects, keys and listings', () => {
    const { store, a } = setup();
    const before = store.export();
    const listingA = store.list(a, { includeDisabled: true });
    const fresh = keyRecord(`sk-or-v1-${'99'.repeat(32)}`, { name: 'Fresh B', creator_user_id: USER_B, workspace_id: WS_B1 });
    const replaced = store.replaceAccount(newB([fresh]));
    expect(store.account('acct_a')).toBe(a);
    expect(store.list(a, { includeDisabled: true })).toEqual(listingA);
    expect(store.listAccounts().map((account) => account.id)).toEqual(['acct_a', 'acct_b']);
    expect(store.list(replaced, {}).map((key) => key.hash)).toEqual([fresh.hash]);
    expect(store.authenticate(`Bearer ${MGMT_B}`).account).toBe(replaced);
    // The old B key is gone from every index; A's state exports as before.
    expectApiError(() => store.get(replaced, B_HASH), 404, /not found/);
    expect(store.hashTaken(B_HASH)).toBe(false);
    expect(store.export().accounts[0]).toEqual(before.accounts[0]);
  });

  it('refuses a key hash another account holds, changing nothing', () => {
    const { store } = setup();
    const before = JSON.stringify(store.export());
    const stolen = keyRecord(PLAIN_ACTIVE, { creator_user_id: USER_B, workspace_id: WS_B1 });
    expect(() => store.replaceAccount(newB([stolen]))).toThrow(/duplicate key hash/);
    expect(JSON.stringify(store.export())).toBe(before);
  });

  it('brings the other accounts\' usage windows up to now before the new keys count from now', () => {
    const { store, a, clock } = setup();
    const daily = a.keys.get(ACTIVE)!.usage_daily;
    expect(daily).toBeGreaterThan(0);
    clock.set(T0 + DAY); // past midnight UTC: A's daily usage is due to be zeroed
    const spent = keyRecord(`sk-or-v1-${'98'.repeat(32)}`, { creator_user_id: USER_B, workspace_id: WS_B1, usage: 5, usage_daily: 5, usage_weekly: 5, usage_monthly: 5, created_at: iso(T0 + DAY) });
    const replaced = store.replaceAccount(newB([spent]));
    expect(store.get(a, ACTIVE).usage_daily).toBe(0);
    expect(store.get(replaced, spent.hash).usage_daily).toBe(5);
  });
});

describe('KeyStore.charge (an answered inference request)', () => {
  it('adds the cost to every window and the total; BYOK to byok_usage*; the next day starts from zero', () => {
    const { store, a, clock } = setup();
    const principal = store.authenticate(`Bearer ${PLAIN_ACTIVE}`) as Extract<ReturnType<KeyStore['authenticate']>, { kind: 'key' }>;
    const before = snapshot(a, ACTIVE);
    store.charge(principal, 0.25, false);
    store.charge(principal, 0.5, true);
    const after = snapshot(a, ACTIVE);
    expect([after.usage, after.usage_daily, after.usage_weekly, after.usage_monthly]).toEqual([
      before.usage + 0.25,
      before.usage_daily + 0.25,
      before.usage_weekly + 0.25,
      before.usage_monthly + 0.25,
    ]);
    expect([after.byok_usage, after.byok_usage_daily, after.byok_usage_weekly, after.byok_usage_monthly]).toEqual([
      before.byok_usage + 0.5,
      before.byok_usage_daily + 0.5,
      before.byok_usage_weekly + 0.5,
      before.byok_usage_monthly + 0.5,
    ]);
    // Past midnight UTC (T0 is a Wednesday: the week and the month go on).
    clock.set(T0 + DAY);
    store.charge(principal, 0.1, false);
    const nextDay = snapshot(a, ACTIVE);
    expect([nextDay.usage_daily, nextDay.byok_usage_daily, nextDay.usage_weekly]).toEqual([0.1, 0, after.usage_weekly + 0.1]);
  });
});

describe("KeyStore: an account's credits", () => {
  it('are $100 with none used until set; the export carries them only once set or spent', () => {
    const { store, a, b } = setup();
    expect(store.credits(a)).toEqual({ total_credits: 100, total_usage: 0 });
    expect(store.export().accounts.every((account) => !('credits' in account))).toBe(true);
    expect(store.setCredits(a, { total_credits: 5 })).toEqual({ total_credits: 5, total_usage: 0 });
    const principal = store.authenticate(`Bearer ${PLAIN_B}`) as Extract<ReturnType<KeyStore['authenticate']>, { kind: 'key' }>;
    store.charge(principal, 0.5, false);
    store.charge(principal, 7, true); // BYOK: not the account's credits
    const exported = store.export().accounts;
    expect(exported.map((account) => account.credits)).toEqual([
      { total_credits: 5, total_usage: 0 },
      { total_credits: 100, total_usage: 0.5 },
    ]);
    // Credits come after keys, as the server's serializer writes an optional field.
    expect(Object.keys(exported[0]!).slice(-2)).toEqual(['keys', 'credits']);
    // And a loaded export has them back.
    const { store: other } = setup({ state: { accounts: exported } });
    expect(other.credits(other.account(b.id)!)).toEqual({ total_credits: 100, total_usage: 0.5 });
  });

  it('refuses a figure that is not a finite amount ≥ 0, and changes nothing', () => {
    const { store, a } = setup();
    expectApiError(() => store.setCredits(a, { total_credits: 1, total_usage: -1 }), 400, /"total_usage" must be a finite number ≥ 0/);
    expect(store.credits(a)).toEqual({ total_credits: 100, total_usage: 0 });
  });
});
