/**
 * The state half of the control plane: `POST /__mock/reset`, `GET /__mock/state` and
 * `PUT /__mock/state`, through HTTP and through the handle (the very object `createMockServer()`
 * spreads into its result, and the fetch handler's), once per door.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ApiError } from '../../src/domain/errors.js';
import type { KeyView, StoreState } from '../../src/domain/types.js';
import { api, ctl, DOCS_HASH, errorOf, MANAGEMENT_KEY, buildTestDoor, DOORS, type Target } from '../helpers/build.js';

const SEED = 77;
const NOW = '2026-05-20T08:00:00.000Z';

const stateText = async (app: Target): Promise<string> => {
  const res = await ctl(app, 'GET', '/state');
  expect(res.statusCode).toBe(200);
  return res.body;
};
const stateOf = async (app: Target): Promise<StoreState> => JSON.parse(await stateText(app)) as StoreState;

/** Everything the control plane can observe, as text: for "nothing changed" checks. */
async function snapshot(app: Target): Promise<string> {
  const parts = await Promise.all(['/state', '/clock', '/faults', '/accounts'].map((p) => ctl(app, 'GET', p)));
  return parts.map((r) => r.body).join('\n');
}

/** Changes every kind of state the mock holds: keys, usage, clock, accounts, scenarios, faults, journal. */
async function churn(app: Target): Promise<void> {
  expect((await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'Churned', limit: 1, disabled: true })).statusCode).toBe(200);
  expect((await api(app, 'POST', '/keys', { name: 'Created during churn', limit: 3 })).statusCode).toBe(201);
  const list = (await api(app, 'GET', '/keys?include_disabled=true')).json() as { data: KeyView[] };
  const victim = list.data.find((k) => k.hash !== DOCS_HASH)!;
  expect((await api(app, 'DELETE', `/keys/${victim.hash}`)).statusCode).toBe(200);
  expect((await ctl(app, 'POST', `/keys/${DOCS_HASH}/usage`, { amount: 4.5, byok: 1 })).statusCode).toBe(200);
  expect((await ctl(app, 'POST', '/clock', { advance: '3d7h' })).statusCode).toBe(200);
  expect((await ctl(app, 'POST', '/accounts', { scenario: 'near-limit' })).statusCode).toBe(201);
  expect((await ctl(app, 'POST', '/faults', { match: { path: '/key' }, status: 503 })).statusCode).toBe(201);
}

describe.each(DOORS)('the whole state (%s door)', (door) => {
  describe('POST /__mock/reset', () => {
    it('goes back to exactly the start-up state: the same bytes as a fresh server with the same seed and --now', async () => {
      const fresh = buildTestDoor(door, { seed: SEED, now: NOW });
      const app = buildTestDoor(door, { seed: SEED, now: NOW });
      const startUp = await snapshot(fresh);
      expect(await snapshot(app)).toBe(startUp);

      await churn(app);
      expect(await snapshot(app)).not.toBe(startUp);
      expect(((await ctl(app, 'GET', '/requests')).json() as { data: unknown[] }).data.length).toBeGreaterThan(0);

      const res = await ctl(app, 'POST', '/reset');
      expect(res.statusCode).toBe(200);
      const initial = await stateOf(fresh);
      expect(res.json()).toEqual({ data: { accounts: initial.accounts.length, keys: initial.accounts.reduce((n, a) => n + a.keys.length, 0) } });

      expect(await stateText(app)).toBe(await stateText(fresh));
      expect(await snapshot(app)).toBe(startUp);
      expect((await ctl(app, 'GET', '/clock')).json()).toEqual({ now: NOW, frozen: false });
      expect((await ctl(app, 'GET', '/faults')).json()).toEqual({ data: [] });
      expect((await ctl(app, 'GET', '/requests')).json()).toMatchObject({ data: [], meta: { total: 0 } });
      // The API answers as it did at start-up, byte for byte.
      expect((await api(app, 'GET', '/keys?include_disabled=true')).body).toBe((await api(fresh, 'GET', '/keys?include_disabled=true')).body);
    });

    it('replays the secrets stream: the first key created after reset is the one a fresh server creates first', async () => {
      const fresh = buildTestDoor(door, { seed: SEED, now: NOW });
      const app = buildTestDoor(door, { seed: SEED, now: NOW });
      await api(app, 'POST', '/keys', { name: 'one' });
      await api(app, 'POST', '/keys', { name: 'two' });
      await ctl(app, 'POST', '/reset');

      const expected = await api(fresh, 'POST', '/keys', { name: 'after reset' });
      const actual = await api(app, 'POST', '/keys', { name: 'after reset' });
      expect(actual.statusCode).toBe(201);
      expect(actual.body).toBe(expected.body);
    });

    it('replays account creation too: POST /__mock/accounts after reset answers what it answers on a fresh server', async () => {
      const fresh = buildTestDoor(door, { seed: SEED, now: NOW });
      const app = buildTestDoor(door, { seed: SEED, now: NOW });
      expect((await ctl(app, 'POST', '/accounts', {})).statusCode).toBe(201);
      await ctl(app, 'POST', '/reset');

      const expected = await ctl(fresh, 'POST', '/accounts', {});
      const actual = await ctl(app, 'POST', '/accounts', {});
      expect(actual.statusCode).toBe(201);
      // Same seed, same clock, same start-up state: the same account and the same management key.
      expect(actual.json()).toEqual(expected.json());
      expect(await stateText(app)).toBe(await stateText(fresh));
    });

    it('through the handle: reset() has the same effect as the route', async () => {
      const fresh = buildTestDoor(door, { seed: SEED, now: NOW });
      const app = buildTestDoor(door, { seed: SEED, now: NOW });
      const handle = app.handle;
      await churn(app);
      await handle.reset();
      expect(await snapshot(app)).toBe(await snapshot(fresh));
      expect(await handle.state()).toEqual(await stateOf(fresh));
      expect(await handle.requests()).toEqual([]);
    });

    it('a management key from the start-up state works again after reset, even after PUT /__mock/state emptied the store', async () => {
      const app = buildTestDoor(door, { seed: SEED, now: NOW });
      expect((await ctl(app, 'PUT', '/state', { accounts: [] })).statusCode).toBe(200);
      expect((await api(app, 'GET', '/keys')).statusCode).toBe(401);
      await ctl(app, 'POST', '/reset');
      expect((await api(app, 'GET', `/keys/${DOCS_HASH}`)).statusCode).toBe(200);
    });
  });

  describe('GET /__mock/state → PUT /__mock/state', () => {
    it('round-trips byte for byte, on the start-up state and after every kind of change', async () => {
      const app = buildTestDoor(door, { seed: SEED, now: NOW });
      for (const stage of ['start-up', 'after churn'] as const) {
        if (stage === 'after churn') {
          await churn(app);
          // Fractional spend: floating-point sums must survive the trip too.
          await ctl(app, 'POST', `/keys/${DOCS_HASH}/usage`, { amount: 0.1, byok: 0.2 });
          await ctl(app, 'POST', `/keys/${DOCS_HASH}/usage`, { amount: 0.2, byok: 0.1 });
        }
        const exported = await stateText(app);
        const put = await ctl(app, 'PUT', '/state', exported);
        expect(put.statusCode, stage).toBe(200);
        const doc = JSON.parse(exported) as StoreState;
        expect(put.json()).toEqual({ data: { accounts: doc.accounts.length, keys: doc.accounts.reduce((n, a) => n + a.keys.length, 0) } });
        expect(await stateText(app), stage).toBe(exported);
      }
    });

    it('the export holds every account and every key the API shows', async () => {
      const app = buildTestDoor(door, { seed: SEED, now: NOW });
      const created = (await ctl(app, 'POST', '/accounts', { scenario: 'over-limit' })).json() as { data: { id: string; management_key: string } };
      const doc = await stateOf(app);
      expect(doc.accounts.map((a) => a.id)).toContain(created.data.id);
      for (const [account, token] of [
        [doc.accounts[0]!, MANAGEMENT_KEY],
        [doc.accounts.find((a) => a.id === created.data.id)!, created.data.management_key],
      ] as const) {
        const listed = (await api(app, 'GET', '/keys?include_disabled=true', undefined, token)).json() as { data: KeyView[] };
        const exported = account.keys.filter((k) => k.workspace_id === account.default_workspace_id);
        expect(new Set(listed.data.map((k) => k.hash))).toEqual(new Set(exported.map((k) => k.hash)));
        for (const key of listed.data) {
          const { limit_remaining: _derived, last_used_at: _unrecorded, ...record } = key;
          expect(exported.find((k) => k.hash === key.hash)).toEqual(record);
        }
      }
    });

    it('PUT replaces the whole state: an edited document is what the API then serves', async () => {
      const app = buildTestDoor(door, { seed: SEED, now: NOW });
      const doc = await stateOf(app);
      const kept = doc.accounts[0]!.keys.find((k) => k.hash === DOCS_HASH)!;
      kept.name = 'Imported name';
      kept.usage = kept.usage + 1;
      doc.accounts[0]!.keys = [kept];
      expect((await ctl(app, 'PUT', '/state', doc)).statusCode).toBe(200);

      const listed = (await api(app, 'GET', '/keys?include_disabled=true')).json() as { data: KeyView[] };
      expect(listed.data.map((k) => k.hash)).toEqual([DOCS_HASH]);
      expect(listed.data[0]).toMatchObject({ name: 'Imported name', usage: kept.usage });
      expect(await stateText(app)).toBe(JSON.stringify(doc));
    });

    it('through the handle: load(state()) round-trips, and state() is what the route exports', async () => {
      const app = buildTestDoor(door, { seed: SEED, now: NOW });
      const handle = app.handle;
      await churn(app);
      const exported = await handle.state();
      const before = await stateText(app);
      expect(exported).toEqual(JSON.parse(before));
      await handle.load(exported);
      expect(await stateText(app)).toBe(before);
      expect(await handle.state()).toEqual(exported);
      // The handle hands out a copy: changing it changes nothing in the server.
      exported.accounts[0]!.keys[0]!.name = 'mutated outside';
      expect(await stateText(app)).not.toContain('mutated outside');
    });
  });

  /** A bad document: how to break it, and the entry and field the 400 must name. */
  interface BadCase {
    label: string;
    /** Needs a second account (created with a scenario) before the export. */
    twoAccounts?: boolean;
    breakIt(doc: StoreState): void;
    entry: RegExp;
    field: string;
  }

  const KEY = 3;
  const BAD: BadCase[] = [
    {
      label: 'a hash that is not a SHA-256 hex digest',
      breakIt: (d) => void (d.accounts[0]!.keys[KEY]!.hash = 'not-a-hash'),
      entry: /accounts\[0\]\.keys\[3\]/,
      field: 'hash',
    },
    {
      label: 'usage_daily greater than usage_weekly',
      breakIt: (d) => {
        const key = d.accounts[0]!.keys[KEY]!;
        key.usage_daily = key.usage_weekly + 1;
      },
      entry: /accounts\[0\]\.keys\[3\]/,
      field: 'usage_daily',
    },
    {
      label: 'a workspace the account does not have',
      breakIt: (d) => void (d.accounts[0]!.keys[KEY]!.workspace_id = randomUUID()),
      entry: /accounts\[0\]\.keys\[3\]/,
      field: 'workspace_id',
    },
    {
      label: 'a key hash that another account already holds',
      twoAccounts: true,
      breakIt: (d) => void (d.accounts[1]!.keys[0]!.hash = d.accounts[0]!.keys[KEY]!.hash),
      entry: /accounts\[1\]\.keys\[0\]/,
      field: 'hash',
    },
    {
      label: "a workspace another account holds (a workspace belongs to one account)",
      twoAccounts: true,
      breakIt: (d) => void d.accounts[1]!.workspace_ids.push(d.accounts[0]!.default_workspace_id),
      entry: /accounts\[1\]/,
      field: 'workspace_ids',
    },
    {
      label: 'a duplicate hash within one account',
      breakIt: (d) => void (d.accounts[0]!.keys[KEY + 1]!.hash = d.accounts[0]!.keys[KEY]!.hash),
      entry: /accounts\[0\]\.keys\[4\]/,
      field: 'hash',
    },
    {
      label: 'updated_at before created_at',
      breakIt: (d) => {
        const key = d.accounts[0]!.keys[KEY]!;
        key.updated_at = new Date(Date.parse(key.created_at) - 60_000).toISOString();
      },
      entry: /accounts\[0\]\.keys\[3\]/,
      field: 'updated_at',
    },
    {
      label: 'a default workspace that is not among workspace_ids',
      breakIt: (d) => void (d.accounts[0]!.default_workspace_id = randomUUID()),
      entry: /accounts\[0\]/,
      field: 'default_workspace_id',
    },
    {
      label: 'a negative usage',
      breakIt: (d) => void (d.accounts[0]!.keys[KEY]!.byok_usage_monthly = -1),
      entry: /accounts\[0\]\.keys\[3\]/,
      field: 'byok_usage_monthly',
    },
  ];

  /** Wrong JSON types: the schema catches these on the route, the rules on the handle. */
  const WRONG_TYPES: BadCase[] = [
    {
      label: 'limit as a string',
      breakIt: (d) => void ((d.accounts[0]!.keys[KEY] as unknown as Record<string, unknown>).limit = '5'),
      entry: /accounts\[0\]\.keys\[3\] \("Old CI key"\) field "limit"/,
      field: 'limit',
    },
    {
      label: 'disabled as a string',
      breakIt: (d) => void ((d.accounts[0]!.keys[KEY] as unknown as Record<string, unknown>).disabled = 'no'),
      entry: /accounts\[0\]\.keys\[3\] \("Old CI key"\) field "disabled"/,
      field: 'disabled',
    },
  ];

  async function badDocument(app: Target, c: BadCase): Promise<StoreState> {
    if (c.twoAccounts) expect((await ctl(app, 'POST', '/accounts', { scenario: 'near-limit' })).statusCode).toBe(201);
    const doc = await stateOf(app);
    c.breakIt(doc);
    return doc;
  }

  describe("an account's credits in the state document", () => {
    it('round-trip byte for byte (credits after keys) and a negative figure is a 400 naming the field', async () => {
      const app = buildTestDoor(door, { seed: SEED, now: NOW });
      const doc = await stateOf(app);
      expect(doc.accounts.every((account) => account.credits === undefined)).toBe(true);
      const { keys, ...head } = doc.accounts[0]!;
      doc.accounts[0] = { ...head, keys, credits: { total_credits: 12.5, total_usage: 2.25 } };
      expect((await ctl(app, 'PUT', '/state', doc)).statusCode).toBe(200);
      expect(await stateText(app)).toBe(JSON.stringify(doc));
      const before = await snapshot(app);
      doc.accounts[0]!.credits!.total_usage = -1;
      const res = await ctl(app, 'PUT', '/state', doc);
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).message).toMatch(/accounts\[0\].*"credits\/total_usage"|accounts\[0\].*total_usage/);
      expect(await snapshot(app)).toBe(before);
    });
  });

  describe('PUT /__mock/state with a bad document', () => {
    it.each([...BAD, ...WRONG_TYPES].map((c) => [c.label, c] as const))('%s → 400 naming the entry and field; nothing changes', async (_label, c) => {
      const app = buildTestDoor(door, { seed: SEED, now: NOW });
      const doc = await badDocument(app, c);
      const before = await snapshot(app);

      const res = await ctl(app, 'PUT', '/state', doc);
      expect(res.statusCode).toBe(400);
      const { code, message } = errorOf(res);
      expect(code).toBe(400);
      expect(message).toMatch(c.entry);
      expect(message).toContain(c.field);
      expect(await snapshot(app)).toBe(before);
      // The API still serves the old state.
      expect((await api(app, 'GET', `/keys/${DOCS_HASH}`)).statusCode).toBe(200);
    });

    it.each([
      ['not JSON', '{"accounts": ['],
      ['not an object', '[]'],
      ['accounts missing', '{}'],
      ['an unknown top-level field', '{"accounts": [], "extra": true}'],
    ])('%s → 400 envelope; nothing changes', async (_label, body) => {
      const app = buildTestDoor(door, { seed: SEED, now: NOW });
      const before = await snapshot(app);
      const res = await ctl(app, 'PUT', '/state', body);
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).code).toBe(400);
      expect(await snapshot(app)).toBe(before);
    });
  });

  describe('every state-document error names the entry one way: accounts[0].keys[2] ("Its name") field "x"', () => {
    /** The message, which must be the same through PUT /__mock/state and through load(). */
    async function messageFor(breakIt: (doc: StoreState) => void): Promise<string> {
      const app = buildTestDoor(door, { seed: SEED, now: NOW });
      const doc = await stateOf(app);
      breakIt(doc);
      const before = await snapshot(app);
      const res = await ctl(app, 'PUT', '/state', doc);
      expect(res.statusCode).toBe(400);
      const { message } = errorOf(res);
      await expect(app.handle.load(doc)).rejects.toMatchObject({ status: 400, message });
      expect(await snapshot(app)).toBe(before);
      return message;
    }
    const key = (doc: StoreState, k = 2) => doc.accounts[0]!.keys[k] as unknown as Record<string, unknown>;
    const loose = (value: object) => value as Record<string, unknown>;
    const STAGING = 'Invalid state document: accounts[0].keys[2] ("Staging backend") field';

    it.each<[string, (doc: StoreState) => void, string]>([
      // A wrong type (the schema's check) and a broken rule read alike.
      ['a wrong type', (d) => void (key(d).usage_daily = '6'), `${STAGING} "usage_daily" must be a number`],
      ['a broken rule', (d) => void (key(d).usage_daily = 1e6), `${STAGING} "usage_daily" `],
      ['a negative number', (d) => void (key(d).usage = -1), `${STAGING} "usage" must be`],
      ['a missing field', (d) => void delete key(d).hash, `${STAGING} "hash" is required`],
      ['a field no key has', (d) => void (key(d).colour = 'red'), `${STAGING} "colour" is not a field of the state document`],
      ['a bad limit_reset', (d) => void (key(d).limit_reset = 'hourly'), `${STAGING} "limit_reset" must be one of`],
      ['a bad hash (rule)', (d) => void (key(d).hash = 'nope'), `${STAGING} "hash" `],
      // An entry without a string name is named by its place alone.
      ['a name of the wrong type', (d) => void (key(d).name = 5), 'Invalid state document: accounts[0].keys[2] field "name" must be a string'],
      ['a key that is not an object', (d) => void ((d.accounts[0]!.keys as unknown[])[2] = 'x'), 'Invalid state document: accounts[0] field "keys[2]" must be a JSON object'],
      // Other entries: the management key (named), the account, the document.
      ['a management key hash (rule)', (d) => void (d.accounts[0]!.management_key.hash = 'x'), 'Invalid state document: accounts[0].management_key ("Management key") field "hash" '],
      ['a management key name of the wrong type', (d) => void (loose(d.accounts[0]!.management_key).name = 1), 'Invalid state document: accounts[0].management_key field "name" must be a string'],
      ['a workspace that is not a UUID (rule)', (d) => void (d.accounts[0]!.workspace_ids[1] = 'nope'), 'Invalid state document: accounts[0] field "workspace_ids[1]" must be a UUID'],
      ['a workspace of the wrong type', (d) => void ((d.accounts[0]!.workspace_ids as unknown[])[1] = 7), 'Invalid state document: accounts[0] field "workspace_ids[1]" must be a string'],
      ['an account without id', (d) => void delete loose(d.accounts[0]!).id, 'Invalid state document: accounts[0] field "id" is required'],
      ['accounts not an array', (d) => void (loose(d).accounts = {}), 'Invalid state document: field "accounts" must be an array'],
      ['an unknown top-level field', (d) => void (loose(d).extra = 1), 'Invalid state document: field "extra" is not a field of the state document'],
    ])('%s', async (_label, breakIt, expected) => {
      expect(await messageFor(breakIt)).toContain(expected);
    });

    it('a document that is not an object', async () => {
      const app = buildTestDoor(door, { seed: SEED, now: NOW });
      const res = await ctl(app, 'PUT', '/state', '[]');
      expect(errorOf(res)).toEqual({ code: 400, message: 'Invalid state document: the document must be a JSON object' });
      await expect(app.handle.load([] as unknown as StoreState)).rejects.toMatchObject({ status: 400, message: errorOf(res).message });
    });
  });

  describe('handle.load() with a bad document', () => {
    it.each([...BAD, ...WRONG_TYPES].map((c) => [c.label, c] as const))('%s → rejects with the same 400; nothing changes', async (_label, c) => {
      const app = buildTestDoor(door, { seed: SEED, now: NOW });
      const handle = app.handle;
      const doc = await badDocument(app, c);
      const before = await snapshot(app);

      const error = (await handle.load(doc).then(
        () => null,
        (e: unknown) => e,
      )) as ApiError | null;
      expect(error).not.toBeNull();
      expect(error!.status).toBe(400);
      expect(error!.message).toMatch(c.entry);
      expect(error!.message).toContain(c.field);
      expect(await snapshot(app)).toBe(before);
    });

    it('a structurally wrong document (keys not an array) → the 400 the route gives, not a TypeError; nothing changes', async () => {
      const app = buildTestDoor(door, { seed: SEED, now: NOW });
      const handle = app.handle;
      const doc = await stateOf(app);
      (doc.accounts[0] as unknown as Record<string, unknown>).keys = null;
      const route = await ctl(app, 'PUT', '/state', doc);
      expect(route.statusCode).toBe(400);
      const before = await snapshot(app);

      await expect(handle.load(doc)).rejects.toMatchObject({ status: 400 });
      expect(await snapshot(app)).toBe(before);
    });

    it('a key with a field no key has → the 400 the route gives (else the export can no longer be PUT back)', async () => {
      const app = buildTestDoor(door, { seed: SEED, now: NOW });
      const handle = app.handle;
      const doc = await stateOf(app);
      (doc.accounts[0]!.keys[KEY] as unknown as Record<string, unknown>).extra_field = 'x';
      const route = await ctl(app, 'PUT', '/state', doc);
      expect(route.statusCode).toBe(400);
      expect(errorOf(route).message).toContain('extra_field');
      const before = await snapshot(app);

      await expect(handle.load(doc)).rejects.toMatchObject({ status: 400 });
      expect(await snapshot(app)).toBe(before);
      // Whatever the handle accepted, the export must round-trip through the route.
      expect((await ctl(app, 'PUT', '/state', await stateText(app))).statusCode).toBe(200);
    });
  });
});
