/**
 * Accounts: `POST /__mock/accounts` creates an isolated account with its own management key,
 * `GET` lists them, `DELETE /__mock/accounts/:id` removes one. Parallel test files sharing one
 * server must never see each other's keys.
 */
import { describe, expect, it } from 'vitest';
import type { CreatedAccount } from '../../src/control/mock-control.js';
import type { KeyView, StoreState } from '../../src/domain/types.js';
import { api, ctl, DOCS_HASH, errorOf, MANAGEMENT_KEY, buildTestDoor, DOORS, type Target } from '../helpers/build.js';

async function createAccount(app: Target, body?: unknown): Promise<CreatedAccount> {
  const res = await ctl(app, 'POST', '/accounts', body);
  expect(res.statusCode).toBe(201);
  return (res.json() as { data: CreatedAccount }).data;
}

const listKeys = async (app: Target, token: string) => {
  const res = await api(app, 'GET', '/keys?include_disabled=true', undefined, token);
  expect(res.statusCode).toBe(200);
  return (res.json() as { data: KeyView[] }).data;
};

const accountsOf = async (app: Target) => ((await ctl(app, 'GET', '/accounts')).json() as { data: { id: string; keys: number }[] }).data;

describe.each(DOORS)('accounts (%s door)', (door) => {
  describe('POST /__mock/accounts', () => {
    it('creates an empty account whose new management key works on /api/v1', async () => {
      const app = buildTestDoor(door);
      const before = await accountsOf(app);
      const account = await createAccount(app);
      expect(account.management_key).toMatch(/^sk-or-v1-[0-9a-f]{64}$/);
      expect(account.management_key).not.toBe(MANAGEMENT_KEY);
      expect(account.keys).toBe(0);
      expect(account.workspace_ids).toContain(account.default_workspace_id);
      // The label is the masked form of the key it was shown with.
      expect(account.management_key_label.startsWith(account.management_key.slice(0, 12))).toBe(true);
      expect(account.management_key_label.endsWith(account.management_key.slice(-4))).toBe(true);

      expect(await listKeys(app, account.management_key)).toEqual([]);
      const current = await api(app, 'GET', '/key', undefined, account.management_key);
      expect(current.statusCode).toBe(200);
      expect(current.json()).toMatchObject({ data: { is_management_key: true, label: account.management_key_label } });

      const { management_key: _secret, ...summary } = account;
      expect(await accountsOf(app)).toEqual([...before, summary]);
    });

    it('with {scenario}: the new account starts with that scenario, and only it sees those keys', async () => {
      const app = buildTestDoor(door);
      const scenarios = ((await ctl(app, 'GET', '/scenarios')).json() as { data: { name: string; keys: number }[] }).data;
      const account = await createAccount(app, { scenario: 'over-limit' });
      expect(account.keys).toBe(scenarios.find((s) => s.name === 'over-limit')!.keys);

      const own = await listKeys(app, account.management_key);
      expect(own).toHaveLength(account.keys);
      for (const key of own) expect(key.limit_remaining).toBe(0);
      const firstAccount = await listKeys(app, MANAGEMENT_KEY);
      expect(own.filter((k) => firstAccount.some((f) => f.hash === k.hash))).toEqual([]);
    });

    it('a key created in the new account gets its user and workspace, not the first account\'s', async () => {
      const app = buildTestDoor(door);
      const account = await createAccount(app);
      const created = await api(app, 'POST', '/keys', { name: 'Mine' }, account.management_key);
      expect(created.statusCode).toBe(201);
      expect((created.json() as { data: KeyView }).data).toMatchObject({ workspace_id: account.default_workspace_id, creator_user_id: account.user_id });
    });

    it('the same seed (and clock) gives the same account on two servers', async () => {
      const a = buildTestDoor(door, { seed: 3 });
      const b = buildTestDoor(door, { seed: 3 });
      const x = await createAccount(a, { scenario: 'default', seed: 11 });
      const y = await createAccount(b, { scenario: 'default', seed: 11 });
      expect(y).toEqual(x);
      expect(await listKeys(b, y.management_key)).toEqual(await listKeys(a, x.management_key));
    });

    it('accounts created with the same seed still get workspaces of their own (another\'s is a 400)', async () => {
      const app = buildTestDoor(door);
      const x = await createAccount(app, { seed: 11 });
      const y = await createAccount(app, { seed: 11 });
      const z = await createAccount(app, { scenario: 'default', seed: 11 });
      const workspaces = [x, y, z].flatMap((a) => a.workspace_ids);
      expect(new Set(workspaces).size).toBe(workspaces.length);
      expect((await api(app, 'GET', `/keys?workspace_id=${x.default_workspace_id}`, undefined, y.management_key)).statusCode).toBe(400);
      expect((await api(app, 'GET', `/keys?workspace_id=${y.default_workspace_id}`, undefined, y.management_key)).statusCode).toBe(200);
    });

    it('many accounts created at once are all distinct', async () => {
      const app = buildTestDoor(door);
      const created = await Promise.all(Array.from({ length: 8 }, () => createAccount(app, { scenario: 'near-limit' })));
      expect(new Set(created.map((a) => a.id)).size).toBe(8);
      expect(new Set(created.map((a) => a.management_key)).size).toBe(8);
      const state = (await ctl(app, 'GET', '/state')).json() as StoreState;
      const hashes = state.accounts.flatMap((a) => a.keys.map((k) => k.hash));
      expect(new Set(hashes).size).toBe(hashes.length);
    });

    it.each([
      ['an unknown field', { bogus: 1 }, 400],
      ['a negative seed', { seed: -1 }, 400],
      ['a fractional seed', { seed: 1.5 }, 400],
      ['a seed as a string', { seed: '4' }, 400],
      ['a scenario of the wrong type', { scenario: 4 }, 400],
      ['an unknown scenario', { scenario: 'no-such-scenario' }, 404],
    ])('%s → %i; no account is created', async (_label, body, status) => {
      const app = buildTestDoor(door);
      const before = (await ctl(app, 'GET', '/state')).body;
      const res = await ctl(app, 'POST', '/accounts', body);
      expect(res.statusCode).toBe(status);
      expect(errorOf(res).code).toBe(status);
      expect((await ctl(app, 'GET', '/state')).body).toBe(before);
    });
  });

  describe('isolation between accounts', () => {
    it('two accounts never see, change or delete each other\'s keys (404 on a foreign hash)', async () => {
      const app = buildTestDoor(door);
      const a = await createAccount(app);
      const b = await createAccount(app);
      const aKey = ((await api(app, 'POST', '/keys', { name: 'A only' }, a.management_key)).json() as { data: KeyView }).data;
      const bKey = ((await api(app, 'POST', '/keys', { name: 'B only' }, b.management_key)).json() as { data: KeyView }).data;

      expect((await listKeys(app, a.management_key)).map((k) => k.hash)).toEqual([aKey.hash]);
      expect((await listKeys(app, b.management_key)).map((k) => k.hash)).toEqual([bKey.hash]);
      expect((await listKeys(app, MANAGEMENT_KEY)).map((k) => k.hash)).not.toContain(aKey.hash);

      for (const [hash, token] of [
        [aKey.hash, b.management_key],
        [bKey.hash, a.management_key],
        [DOCS_HASH, a.management_key],
        [aKey.hash, MANAGEMENT_KEY],
      ] as const) {
        expect((await api(app, 'GET', `/keys/${hash}`, undefined, token)).statusCode).toBe(404);
        expect((await api(app, 'PATCH', `/keys/${hash}`, { name: 'hijacked' }, token)).statusCode).toBe(404);
        expect((await api(app, 'DELETE', `/keys/${hash}`, undefined, token)).statusCode).toBe(404);
      }
      // Nothing moved.
      expect((await api(app, 'GET', `/keys/${aKey.hash}`, undefined, a.management_key)).json()).toEqual({ data: aKey });
      expect((await api(app, 'GET', `/keys/${bKey.hash}`, undefined, b.management_key)).json()).toEqual({ data: bKey });
    });

    it("another account's workspace is not a valid workspace_id", async () => {
      const app = buildTestDoor(door);
      const a = await createAccount(app);
      const b = await createAccount(app);
      const res = await api(app, 'POST', '/keys', { name: 'x', workspace_id: b.default_workspace_id }, a.management_key);
      if (a.workspace_ids.includes(b.default_workspace_id)) throw new Error('test precondition: the accounts share a workspace');
      expect(res.statusCode).toBe(400);
    });
  });

  describe('DELETE /__mock/accounts/:id', () => {
    it('removes the account and its keys; its management key then gets 401; the others are untouched', async () => {
      const app = buildTestDoor(door);
      const keep = await createAccount(app, { scenario: 'near-limit' });
      const gone = await createAccount(app, { scenario: 'over-limit' });
      const goneKeys = await listKeys(app, gone.management_key);
      const firstBefore = await listKeys(app, MANAGEMENT_KEY);
      const keepBefore = await listKeys(app, keep.management_key);

      const res = await ctl(app, 'DELETE', `/accounts/${gone.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ deleted: 1 });

      expect((await api(app, 'GET', '/keys', undefined, gone.management_key)).statusCode).toBe(401);
      expect((await accountsOf(app)).map((a) => a.id)).not.toContain(gone.id);
      const state = (await ctl(app, 'GET', '/state')).json() as StoreState;
      const hashes = state.accounts.flatMap((a) => a.keys.map((k) => k.hash));
      for (const key of goneKeys) expect(hashes).not.toContain(key.hash);
      expect(await listKeys(app, MANAGEMENT_KEY)).toEqual(firstBefore);
      expect(await listKeys(app, keep.management_key)).toEqual(keepBefore);
      // Its usage door is closed too.
      expect((await ctl(app, 'POST', `/keys/${goneKeys[0]!.hash}/usage`, { amount: 1 })).statusCode).toBe(404);
    });

    it('an unknown id → 404 naming it; nothing changes', async () => {
      const app = buildTestDoor(door);
      await createAccount(app);
      const before = (await ctl(app, 'GET', '/state')).body;
      const res = await ctl(app, 'DELETE', '/accounts/acct_does_not_exist');
      expect(res.statusCode).toBe(404);
      expect(errorOf(res).message).toContain('acct_does_not_exist');
      expect((await ctl(app, 'GET', '/state')).body).toBe(before);
    });

    it('deleting twice: the second is a 404', async () => {
      const app = buildTestDoor(door);
      const account = await createAccount(app);
      expect((await ctl(app, 'DELETE', `/accounts/${account.id}`)).statusCode).toBe(200);
      expect((await ctl(app, 'DELETE', `/accounts/${account.id}`)).statusCode).toBe(404);
    });
  });

  describe('through the handle', () => {
    it('createAccount / accounts / deleteAccount mean what the routes mean', async () => {
      const viaRoute = buildTestDoor(door);
      const viaHandle = buildTestDoor(door);
      const handle = viaHandle.handle;
      const routeMade = await createAccount(viaRoute, { scenario: 'disabled', seed: 4 });
      const handleMade = await handle.createAccount({ scenario: 'disabled', seed: 4 });
      expect(handleMade).toEqual(routeMade);
      expect(await handle.accounts()).toEqual(await accountsOf(viaRoute));
      expect(await listKeys(viaHandle, handleMade.management_key)).toEqual(await listKeys(viaRoute, routeMade.management_key));

      await handle.deleteAccount(handleMade.id);
      expect((await api(viaHandle, 'GET', '/keys', undefined, handleMade.management_key)).statusCode).toBe(401);
      await expect(handle.deleteAccount(handleMade.id)).rejects.toMatchObject({ status: 404 });
      await expect(handle.createAccount({ scenario: 'no-such-scenario' })).rejects.toMatchObject({ status: 404 });
    });
  });
});
