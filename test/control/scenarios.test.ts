/**
 * Scenarios: the bundled datasets in `fixtures/scenarios/`, listed by `GET /__mock/scenarios`,
 * applied by `POST /__mock/scenarios/:name` (or `--scenario` at start-up), and into other accounts
 * without ever sharing a hash.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyView, StoreState } from '../../src/domain/types.js';
import { createHash } from 'node:crypto';
import type { MockRuntime } from '../../src/runtime.js';
import { createHandle, createMockServer, type MockServer } from '../../src/server.js';
import { api, buildTestApp, ctl, DOCS_HASH, errorOf, MANAGEMENT_KEY, TEST_NOW } from '../helpers/build.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const SCENARIO_DIR = fileURLToPath(new URL('../../fixtures/scenarios/', import.meta.url));

interface ScenarioFile {
  name: string;
  description: string;
  keys: number;
  /** The fixture names, when the scenario lists its keys inline. */
  fixtureNames: string[] | null;
}

/** The scenarios as the files describe them: the expected values come from the inputs. */
const FILES: ScenarioFile[] = readdirSync(SCENARIO_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => {
    const doc = JSON.parse(readFileSync(`${SCENARIO_DIR}${file}`, 'utf8')) as { description: string; keys?: number; fixtures: unknown };
    const inline = Array.isArray(doc.fixtures) ? (doc.fixtures as { name: string }[]) : null;
    return {
      name: file.slice(0, -'.json'.length),
      description: doc.description,
      keys: doc.keys ?? inline!.length,
      fixtureNames: inline ? inline.map((k) => k.name) : null,
    };
  });
const file = (name: string) => FILES.find((f) => f.name === name)!;

/** Every key of an account's default workspace, disabled ones included, across all pages. */
async function listAll(app: FastifyInstance, token: string = MANAGEMENT_KEY): Promise<KeyView[]> {
  const all: KeyView[] = [];
  for (let offset = 0; ; offset += 100) {
    const res = await api(app, 'GET', `/keys?include_disabled=true&offset=${offset}`, undefined, token);
    expect(res.statusCode).toBe(200);
    const page = (res.json() as { data: KeyView[] }).data;
    all.push(...page);
    if (page.length < 100) return all;
  }
}

/** limit_remaining by the documented rule, from the key's own fields. */
function expectedRemaining(k: KeyView): number | null {
  if (k.limit === null) return null;
  const [used, byok] =
    k.limit_reset === 'daily'
      ? [k.usage_daily, k.byok_usage_daily]
      : k.limit_reset === 'weekly'
        ? [k.usage_weekly, k.byok_usage_weekly]
        : k.limit_reset === 'monthly'
          ? [k.usage_monthly, k.byok_usage_monthly]
          : [k.usage, k.byok_usage];
  return Math.max(0, k.limit - used - (k.include_byok_in_limit ? byok : 0));
}

const stateOf = async (app: FastifyInstance) => (await ctl(app, 'GET', '/state')).json() as StoreState;
const allHashes = (state: StoreState) => state.accounts.flatMap((a) => a.keys.map((k) => k.hash));

describe('GET /__mock/scenarios', () => {
  it('lists the eight bundled scenarios, each with its description and key count', async () => {
    const app = buildTestApp();
    const res = await ctl(app, 'GET', '/scenarios');
    expect(res.statusCode).toBe(200);
    const { data } = res.json() as { data: { name: string; description: string; keys: number }[] };
    expect(data.map((s) => s.name).sort()).toEqual(
      ['byok-heavy', 'default', 'disabled', 'empty', 'expired', 'many-keys', 'near-limit', 'over-limit'].sort(),
    );
    expect(data).toEqual(FILES.map(({ name, description, keys }) => ({ name, description, keys })));
    for (const scenario of data) expect(scenario.description.trim().length).toBeGreaterThan(10);
  });
});

describe('POST /__mock/scenarios/:name', () => {
  it("over-limit replaces the first account's keys: every key has limit_remaining 0", async () => {
    const app = buildTestApp();
    const res = await ctl(app, 'POST', '/scenarios/over-limit');
    expect(res.statusCode).toBe(200);
    const account = (res.json() as { data: { id: string; keys: number } }).data;
    expect(account.keys).toBe(file('over-limit').keys);

    const keys = await listAll(app);
    expect(keys.map((k) => k.name).sort()).toEqual([...file('over-limit').fixtureNames!].sort());
    expect(keys.map((k) => k.hash)).not.toContain(DOCS_HASH);
    for (const key of keys) {
      expect(key.limit, key.name).not.toBeNull();
      expect(key.limit_remaining, key.name).toBe(0);
    }
    // The first account is still the one the management key opens.
    expect(((await ctl(app, 'GET', '/accounts')).json() as { data: { id: string }[] }).data[0]!.id).toBe(account.id);
  });

  it.each(FILES.map((f) => [f.name] as const))('%s loads, satisfies the key invariants and shows its state', async (name) => {
    const app = buildTestApp();
    expect((await ctl(app, 'POST', `/scenarios/${name}`)).statusCode).toBe(200);
    const state = await stateOf(app);
    const owner = state.accounts[0]!;
    expect(owner.keys).toHaveLength(file(name).keys);
    // The exported document passes the import rules (every field, usage families, workspaces, unique hashes).
    expect((await ctl(app, 'PUT', '/state', state)).statusCode).toBe(200);
    expect(new Set(allHashes(state)).size).toBe(allHashes(state).length);

    const listed = [...(await listAll(app))];
    for (const workspace of owner.workspace_ids.filter((w) => w !== owner.default_workspace_id)) {
      const res = await api(app, 'GET', `/keys?include_disabled=true&workspace_id=${workspace}`);
      listed.push(...(res.json() as { data: KeyView[] }).data);
    }
    expect(listed).toHaveLength(file(name).keys);
    for (const key of listed) {
      const expected = expectedRemaining(key);
      if (expected === null) expect(key.limit_remaining).toBeNull();
      else expect(key.limit_remaining).toBeCloseTo(expected, 6);
    }

    const now = Date.parse(TEST_NOW);
    const expiredCount = listed.filter((k) => k.expires_at !== null && Date.parse(k.expires_at) <= now).length;
    switch (name) {
      case 'empty':
        expect(listed).toEqual([]);
        break;
      case 'many-keys':
        expect(listed.length).toBeGreaterThan(300); // several pages of 100
        break;
      case 'near-limit':
        for (const key of listed) {
          expect(key.limit_remaining, key.name).toBeGreaterThan(0);
          expect(key.limit_remaining!, key.name).toBeLessThan(key.limit! * 0.1);
        }
        break;
      case 'over-limit':
        for (const key of listed) expect(key.limit_remaining, key.name).toBe(0);
        break;
      case 'disabled': {
        const active = (await api(app, 'GET', '/keys')).json() as { data: KeyView[] };
        expect(active.data.length).toBeGreaterThan(0);
        expect(listed.filter((k) => k.disabled).length).toBeGreaterThan(listed.length / 2);
        expect(active.data.length).toBe(listed.filter((k) => !k.disabled).length);
        break;
      }
      case 'expired':
        expect(expiredCount).toBeGreaterThanOrEqual(2);
        expect(listed.some((k) => k.expires_at === null)).toBe(true);
        break;
      case 'byok-heavy':
        expect(listed.filter((k) => k.byok_usage > k.usage).length).toBeGreaterThan(listed.length / 2);
        expect(listed.some((k) => k.include_byok_in_limit)).toBe(true);
        expect(listed.some((k) => !k.include_byok_in_limit)).toBe(true);
        break;
      case 'default':
        expect(listed.map((k) => k.hash)).toContain(DOCS_HASH);
        break;
    }
  });

  it('is deterministic for a seed: the same seed gives the same keys, another seed other generated keys', async () => {
    const a = buildTestApp();
    const b = buildTestApp();
    await ctl(a, 'POST', '/scenarios/many-keys', { seed: 7 });
    await ctl(b, 'POST', '/scenarios/many-keys', { seed: 7 });
    const sa = (await ctl(a, 'GET', '/state')).body;
    expect((await ctl(b, 'GET', '/state')).body).toBe(sa);
    await ctl(b, 'POST', '/scenarios/many-keys', { seed: 8 });
    expect((await ctl(b, 'GET', '/state')).body).not.toBe(sa);
  });

  it('an unknown scenario → 404 naming the available ones; nothing changes', async () => {
    const app = buildTestApp();
    const before = (await ctl(app, 'GET', '/state')).body;
    const res = await ctl(app, 'POST', '/scenarios/no-such-scenario');
    expect(res.statusCode).toBe(404);
    const { message } = errorOf(res);
    expect(message).toContain('no-such-scenario');
    for (const f of FILES) expect(message).toContain(f.name);
    expect((await ctl(app, 'GET', '/state')).body).toBe(before);
  });

  it.each([
    ['a name that is not a scenario name', '/scenarios/Not_A_Name', undefined],
    ['an unknown body field', '/scenarios/empty', { bogus: true }],
    ['a seed of the wrong type', '/scenarios/empty', { seed: 'seven' }],
    ['a negative seed', '/scenarios/empty', { seed: -1 }],
  ])('%s → 400; nothing changes', async (_label, path, body) => {
    const app = buildTestApp();
    const before = (await ctl(app, 'GET', '/state')).body;
    const res = await ctl(app, 'POST', path, body);
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).code).toBe(400);
    expect((await ctl(app, 'GET', '/state')).body).toBe(before);
  });

  it('an unknown account_id → 404; nothing changes', async () => {
    const app = buildTestApp();
    const before = (await ctl(app, 'GET', '/state')).body;
    const res = await ctl(app, 'POST', '/scenarios/empty', { account_id: 'acct_nope' });
    expect(res.statusCode).toBe(404);
    expect(errorOf(res).message).toContain('acct_nope');
    expect((await ctl(app, 'GET', '/state')).body).toBe(before);
  });

  it('reset after a scenario goes back to the start-up dataset', async () => {
    const fresh = buildTestApp();
    const app = buildTestApp();
    await ctl(app, 'POST', '/scenarios/empty');
    expect(await listAll(app)).toEqual([]);
    await ctl(app, 'POST', '/reset');
    expect((await ctl(app, 'GET', '/state')).body).toBe((await ctl(fresh, 'GET', '/state')).body);
  });

  it('handle.scenario() has the same effect as the route', async () => {
    const viaRoute = buildTestApp();
    const viaHandle = buildTestApp();
    const route = await ctl(viaRoute, 'POST', '/scenarios/byok-heavy', { seed: 3 });
    const summary = await createHandle(viaHandle).scenario('byok-heavy', { seed: 3 });
    expect(summary).toEqual((route.json() as { data: unknown }).data);
    expect((await ctl(viaHandle, 'GET', '/state')).body).toBe((await ctl(viaRoute, 'GET', '/state')).body);
    expect(await createHandle(viaHandle).scenarios()).toEqual(((await ctl(viaRoute, 'GET', '/scenarios')).json() as { data: unknown }).data);
  });
});

describe('scenarios in more than one account', () => {
  const SECOND_KEY = `sk-or-v1-${'5ec0nd'.repeat(10)}abcd`;

  it('the same scenario in two accounts (same seed) keeps every hash unique across accounts', async () => {
    const app = buildTestApp({ managementKey: [MANAGEMENT_KEY, SECOND_KEY] });
    const accounts = ((await ctl(app, 'GET', '/accounts')).json() as { data: { id: string }[] }).data;
    expect(accounts).toHaveLength(2);
    expect((await ctl(app, 'POST', '/scenarios/near-limit', { seed: 5 })).statusCode).toBe(200);
    const second = await ctl(app, 'POST', '/scenarios/near-limit', { seed: 5, account_id: accounts[1]!.id });
    expect(second.statusCode).toBe(200);
    expect((second.json() as { data: { id: string; keys: number } }).data).toMatchObject({ id: accounts[1]!.id, keys: file('near-limit').keys });

    const first = await listAll(app, MANAGEMENT_KEY);
    const other = await listAll(app, SECOND_KEY);
    expect(first.map((k) => k.name).sort()).toEqual(other.map((k) => k.name).sort());
    const overlap = first.map((k) => k.hash).filter((h) => other.some((k) => k.hash === h));
    expect(overlap).toEqual([]);
    const state = await stateOf(app);
    expect(new Set(allHashes(state)).size).toBe(allHashes(state).length);
    expect((await ctl(app, 'PUT', '/state', state)).statusCode).toBe(200);
    // Each account still reaches only its own keys.
    expect((await api(app, 'GET', `/keys/${other[0]!.hash}`, undefined, MANAGEMENT_KEY)).statusCode).toBe(404);
    expect((await api(app, 'GET', `/keys/${other[0]!.hash}`, undefined, SECOND_KEY)).statusCode).toBe(200);
  });

  it('accounts created with the same scenario and seed get disjoint hashes, also from the first account', async () => {
    const app = buildTestApp();
    await ctl(app, 'POST', '/scenarios/default', { seed: 9 });
    const a = await ctl(app, 'POST', '/accounts', { scenario: 'default', seed: 9 });
    const b = await ctl(app, 'POST', '/accounts', { scenario: 'default', seed: 9 });
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    const state = await stateOf(app);
    expect(state.accounts).toHaveLength(3);
    for (const account of state.accounts) expect(account.keys).toHaveLength(file('default').keys);
    expect(new Set(allHashes(state)).size).toBe(3 * file('default').keys);
  });

  it('POST /__mock/scenarios/:name into a third account with a seed two accounts already used → 200, hashes unique', async () => {
    const app = buildTestApp();
    await ctl(app, 'POST', '/scenarios/default', { seed: 9 });
    expect((await ctl(app, 'POST', '/accounts', { scenario: 'default', seed: 9 })).statusCode).toBe(201);
    const third = (await ctl(app, 'POST', '/accounts', {})).json() as { data: { id: string; management_key: string } };

    const res = await ctl(app, 'POST', '/scenarios/default', { seed: 9, account_id: third.data.id });
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as { data: { keys: number } }).data.keys).toBe(file('default').keys);
    const state = await stateOf(app);
    expect(new Set(allHashes(state)).size).toBe(allHashes(state).length);
    expect(await listAll(app, third.data.management_key)).not.toEqual([]);
  });
});

describe('a scenario loaded into an account other than the first gets that account\'s own workspaces', () => {
  // The issue's own set-up: two management keys, the second account loads the default scenario.
  const KEYS = ['sk-or-v1-aaa', 'sk-or-v1-bbb'];
  const DOCS_WORKSPACE = '0df9e665-d932-5740-b2c7-b52af166bc11';
  const DOCS_USER = 'user_2dHFtVWx2n56w6HkM0000000000';
  interface Summary { id: string; user_id: string; default_workspace_id: string; workspace_ids: string[]; management_key?: string }
  const accountsOf = async (app: FastifyInstance) => ((await ctl(app, 'GET', '/accounts')).json() as { data: Summary[] }).data;

  /** No workspace belongs to two accounts, and every key is in a workspace of its own account. */
  function expectOwnWorkspaces(state: StoreState): void {
    const owner = new Map<string, string>();
    for (const account of state.accounts) {
      for (const workspace of account.workspace_ids) {
        expect(owner.get(workspace), `${workspace} is in ${owner.get(workspace)} and ${account.id}`).toBeUndefined();
        owner.set(workspace, account.id);
      }
      for (const key of account.keys) expect(account.workspace_ids).toContain(key.workspace_id);
    }
  }

  it('POST /__mock/scenarios/default {account_id: second}: the first account\'s workspace stays a 400 for the second key', async () => {
    const app = buildTestApp({ managementKey: KEYS });
    const [first, second] = await accountsOf(app);
    expect(first!.default_workspace_id).toBe(DOCS_WORKSPACE);
    const res = await ctl(app, 'POST', '/scenarios/default', { account_id: second!.id });
    expect(res.statusCode, res.body).toBe(200);
    const summary = (res.json() as { data: Summary }).data;
    expect(summary.workspace_ids).not.toContain(DOCS_WORKSPACE);
    expect(summary.default_workspace_id).toBe(second!.default_workspace_id);

    const foreign = await api(app, 'GET', `/keys?workspace_id=${DOCS_WORKSPACE}`, undefined, KEYS[1]);
    expect(foreign.statusCode).toBe(400);
    expect((await api(app, 'GET', `/keys?workspace_id=${DOCS_WORKSPACE}`, undefined, KEYS[0])).statusCode).toBe(200);
    // The documentation's example key is there, in the second account's default workspace, made by its user.
    const keys = await listAll(app, KEYS[1]);
    const example = keys.find((k) => k.name === 'My Production Key')!;
    expect(example).toMatchObject({ workspace_id: second!.default_workspace_id, creator_user_id: second!.user_id });
    expect(keys.map((k) => k.creator_user_id)).not.toContain(DOCS_USER);
    expectOwnWorkspaces(await stateOf(app));
  });

  it('every scenario, loaded into the second account, a created account and the first, in turn: no workspace is ever shared', async () => {
    const app = buildTestApp({ managementKey: KEYS });
    const handle = createHandle(app);
    const [, second] = await accountsOf(app);
    for (const { name } of FILES) {
      expect((await ctl(app, 'POST', `/scenarios/${name}`, { account_id: second!.id, seed: 3 })).statusCode).toBe(200);
      expectOwnWorkspaces(await stateOf(app));
      const created = (await ctl(app, 'POST', '/accounts', { scenario: name })).json() as { data: Summary };
      expectOwnWorkspaces(await stateOf(app));
      await handle.scenario(name, { account_id: created.data.id, seed: 4 });
      await handle.createAccount({ scenario: name, seed: 4 });
      expectOwnWorkspaces(await stateOf(app));
      expect((await ctl(app, 'POST', `/scenarios/${name}`)).statusCode).toBe(200);
      expectOwnWorkspaces(await stateOf(app));
      // Another account's default workspace is a 400 for the second key, whatever was loaded.
      const created2 = await accountsOf(app);
      for (const other of created2.filter((a) => a.id !== second!.id)) {
        expect((await api(app, 'GET', `/keys?workspace_id=${other.default_workspace_id}`, undefined, KEYS[1])).statusCode).toBe(400);
      }
    }
  });

  describe('a scenario that names a workspace besides the default', () => {
    const EXTRA = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    const withExtra = (app: FastifyInstance) => {
      const runtime = app.mock as { scenarios: MockRuntime['scenarios'] };
      const bundled = runtime.scenarios;
      runtime.scenarios = {
        names: () => [...bundled.names(), 'two-workspaces'],
        load: (name) =>
          name === 'two-workspaces'
            ? {
                name,
                description: 'Keys in the default workspace and in another',
                keys: 4,
                fixtures: [{ name: 'Default', workspace_id: DOCS_WORKSPACE }, { name: 'Other', workspace_id: EXTRA.toUpperCase() }, { name: 'Unnamed' }],
                source: 'two-workspaces.json',
              }
            : bundled.load(name),
      };
      return app;
    };
    const workspaceOf = async (app: FastifyInstance, token: string, name: string): Promise<string> => {
      const state = await stateOf(app);
      const account = state.accounts.find((a) => a.management_key.hash === sha256(token))!;
      return account.keys.find((k) => k.name === name)!.workspace_id;
    };

    it('the first account keeps it as written; another account gets a fresh one of its own, the same for the same seed', async () => {
      const app = withExtra(buildTestApp({ managementKey: KEYS }));
      const [first, second] = await accountsOf(app);
      expect((await ctl(app, 'POST', '/scenarios/two-workspaces')).statusCode).toBe(200);
      expect(await workspaceOf(app, KEYS[0]!, 'Other')).toBe(EXTRA);
      expect(await workspaceOf(app, KEYS[0]!, 'Default')).toBe(first!.default_workspace_id);

      const loaded = await ctl(app, 'POST', '/scenarios/two-workspaces', { account_id: second!.id, seed: 8 });
      const summary = (loaded.json() as { data: Summary }).data;
      const other = await workspaceOf(app, KEYS[1]!, 'Other');
      expect(other).not.toBe(EXTRA);
      expect(other).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(summary.workspace_ids).toEqual([...second!.workspace_ids, other]);
      expect(await workspaceOf(app, KEYS[1]!, 'Default')).toBe(second!.default_workspace_id);
      expect(await workspaceOf(app, KEYS[1]!, 'Unnamed')).toBe(second!.default_workspace_id);
      expect((await api(app, 'GET', `/keys?workspace_id=${other}`, undefined, KEYS[1])).statusCode).toBe(200);
      expect((await api(app, 'GET', `/keys?workspace_id=${EXTRA}`, undefined, KEYS[1])).statusCode).toBe(400);
      expectOwnWorkspaces(await stateOf(app));

      // Loaded again with the same seed: the same workspace, not one more.
      const again = await ctl(app, 'POST', '/scenarios/two-workspaces', { account_id: second!.id, seed: 8 });
      expect((again.json() as { data: Summary }).data.workspace_ids).toEqual(summary.workspace_ids);
      // And on another server, the same bytes.
      const twin = withExtra(buildTestApp({ managementKey: KEYS }));
      await ctl(twin, 'POST', '/scenarios/two-workspaces', { account_id: second!.id, seed: 8 });
      expect(await workspaceOf(twin, KEYS[1]!, 'Other')).toBe(other);
    });

    it('accounts created with it (same seed) each get their own; the first account, when another holds the id, too', async () => {
      const app = withExtra(buildTestApp({ managementKey: KEYS }));
      const a = (await ctl(app, 'POST', '/accounts', { scenario: 'two-workspaces', seed: 2 })).json() as { data: Summary & { management_key: string } };
      const b = (await ctl(app, 'POST', '/accounts', { scenario: 'two-workspaces', seed: 2 })).json() as { data: Summary & { management_key: string } };
      const [wa, wb] = [await workspaceOf(app, a.data.management_key, 'Other'), await workspaceOf(app, b.data.management_key, 'Other')];
      expect(new Set([wa, wb, EXTRA]).size).toBe(3);
      expectOwnWorkspaces(await stateOf(app));

      // A state where the second account holds EXTRA: the first account then gets a fresh one too.
      const state = await stateOf(app);
      state.accounts[1]!.workspace_ids.push(EXTRA);
      expect((await ctl(app, 'PUT', '/state', state)).statusCode).toBe(200);
      expect((await ctl(app, 'POST', '/scenarios/two-workspaces')).statusCode).toBe(200);
      expect(await workspaceOf(app, KEYS[0]!, 'Other')).not.toBe(EXTRA);
      expectOwnWorkspaces(await stateOf(app));
    });
  });
});

describe('--scenario at start-up', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await createMockServer({ port: 0, scenario: 'near-limit', now: TEST_NOW });
  });
  afterAll(() => server.close());

  it('createMockServer({ scenario: "near-limit" }) starts with that dataset', async () => {
    expect(server.config.scenario).toBe('near-limit');
    const res = await fetch(`${server.url}/keys?include_disabled=true`, { headers: { authorization: `Bearer ${server.managementKey}` } });
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: KeyView[] };
    expect(data.map((k) => k.name).sort()).toEqual([...file('near-limit').fixtureNames!].sort());
    for (const key of data) {
      expect(key.limit_remaining!).toBeGreaterThan(0);
      expect(key.limit_remaining!).toBeLessThan(key.limit! * 0.1);
    }
  });

  it('reset goes back to the start-up scenario, not to the default dataset', async () => {
    const before = JSON.stringify(await server.state());
    await server.scenario('over-limit');
    expect(JSON.stringify(await server.state())).not.toBe(before);
    const res = await fetch(`${server.origin}/__mock/reset`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await server.state())).toBe(before);
  });

  it('an unknown --scenario stops start-up with an error naming the option', async () => {
    await expect(createMockServer({ port: 0, scenario: 'no-such-scenario' })).rejects.toThrow(/--scenario/);
  });
});
