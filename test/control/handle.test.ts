/**
 * The test handle `createMockServer()` returns, used the way the README shows: one server in
 * `beforeAll`, `reset()` before each test (or a fresh account per test), `close()` in `afterAll`.
 * Each method must mean what its `/__mock` route means.
 */
import { OpenRouter } from '@openrouter/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KeyView, StoreState } from '../../src/domain/types.js';
import { createMockServer, type MockServer } from '../../src/server.js';
import { DOCS_HASH, TEST_NOW } from '../helpers/build.js';

let mock: MockServer;
let startUp: StoreState;

beforeAll(async () => {
  mock = await createMockServer({ port: 0, seed: 7, now: TEST_NOW });
  startUp = await mock.state();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

/** The control route, over the real socket. */
async function route<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${mock.origin}/__mock${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as T };
}

async function apiGet(path: string, token: string = mock.managementKey): Promise<Response> {
  return fetch(`${mock.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
}

async function keyOf(hash: string, token?: string): Promise<KeyView> {
  const res = await apiGet(`/keys/${hash}`, token);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: KeyView }).data;
}

describe('the README pattern', () => {
  it('the SDK changes a key', async () => {
    const client = new OpenRouter({ apiKey: mock.managementKey, serverURL: mock.url });
    const { data } = await client.apiKeys.list();
    const { data: key } = await client.apiKeys.update({ hash: data[0]!.hash, requestBody: { name: 'renamed' } });
    expect(key.name).toBe('renamed');
  });

  it('…and reset() in beforeEach undid it: the next test starts from the start-up state', async () => {
    expect(await mock.state()).toEqual(startUp);
    const { data } = (await (await apiGet('/keys')).json()) as { data: KeyView[] };
    expect(data.map((k) => k.name)).not.toContain('renamed');
  });

  it('a fresh account per test is isolated from everything else on the server', async () => {
    const mine = await mock.createAccount({ scenario: 'near-limit' });
    const client = new OpenRouter({ apiKey: mine.management_key, serverURL: mock.url });
    const { data } = await client.apiKeys.list();
    expect(data).toHaveLength(mine.keys);
    expect(data.map((k) => k.hash)).not.toContain(DOCS_HASH);
  });
});

describe('each handle method means what its route means', () => {
  it('state() equals GET /__mock/state; load() acts like PUT /__mock/state', async () => {
    expect(await mock.state()).toEqual((await route('GET', '/state')).json);
    const doc = await mock.state();
    doc.accounts[0]!.keys = doc.accounts[0]!.keys.filter((k) => k.hash === DOCS_HASH);
    await mock.load(doc);
    const { data } = (await (await apiGet('/keys?include_disabled=true')).json()) as { data: KeyView[] };
    expect(data.map((k) => k.hash)).toEqual([DOCS_HASH]);
    expect((await route('GET', '/state')).json).toEqual(doc);
    await expect(mock.load({ accounts: [{ ...doc.accounts[0]!, default_workspace_id: 'nope' }] })).rejects.toMatchObject({ status: 400 });
    expect(await mock.state()).toEqual(doc);
  });

  it('reset() equals POST /__mock/reset', async () => {
    await mock.recordUsage(DOCS_HASH, 3);
    await mock.clock.advance('2d');
    await mock.fault({ status: 500 });
    await mock.reset();
    const afterHandle = await mock.state();
    await mock.recordUsage(DOCS_HASH, 3);
    await mock.clock.advance('2d');
    await mock.fault({ status: 500 });
    expect((await route('POST', '/reset')).status).toBe(200);
    expect(await mock.state()).toEqual(afterHandle);
    expect(afterHandle).toEqual(startUp);
    expect(await mock.faults()).toEqual([]);
  });

  it('scenarios() / scenario() equal GET /__mock/scenarios and POST /__mock/scenarios/:name', async () => {
    expect(await mock.scenarios()).toEqual((await route<{ data: unknown }>('GET', '/scenarios')).json.data);
    // Scenario timestamps are relative to the clock: hold it still at the same instant both times.
    const holdClock = async () => {
      await mock.clock.freeze();
      await mock.clock.set(TEST_NOW);
    };
    await holdClock();
    const summary = await mock.scenario('over-limit');
    const { data } = (await (await apiGet('/keys?include_disabled=true')).json()) as { data: KeyView[] };
    expect(data).toHaveLength(summary.keys);
    for (const key of data) expect(key.limit_remaining).toBe(0);
    const viaHandle = await mock.state();
    await mock.reset();
    await holdClock();
    expect((await route('POST', '/scenarios/over-limit')).status).toBe(200);
    expect(await mock.state()).toEqual(viaHandle);
    await expect(mock.scenario('no-such-scenario')).rejects.toMatchObject({ status: 404 });
  });

  it('createAccount() / accounts() / deleteAccount() equal their routes', async () => {
    const made = await mock.createAccount();
    expect((await apiGet('/keys', made.management_key)).status).toBe(200);
    expect(await mock.accounts()).toEqual((await route<{ data: unknown }>('GET', '/accounts')).json.data);
    await mock.deleteAccount(made.id);
    expect((await apiGet('/keys', made.management_key)).status).toBe(401);
    expect((await route('DELETE', `/accounts/${made.id}`)).status).toBe(404);
    await expect(mock.deleteAccount(made.id)).rejects.toMatchObject({ status: 404 });
  });

  it('clock.now/set/advance/freeze/unfreeze equal GET/POST /__mock/clock', async () => {
    const set = await mock.clock.set('2026-03-01T00:00:00Z');
    expect(set.now).toBe('2026-03-01T00:00:00.000Z');
    await mock.clock.freeze();
    const frozen = (await route<{ now: string; frozen: boolean }>('GET', '/clock')).json;
    expect(frozen.frozen).toBe(true);
    expect(await mock.clock.now()).toEqual(frozen);
    const advanced = await mock.clock.advance('1d12h30m');
    expect(advanced).toEqual({ now: new Date(Date.parse(frozen.now) + 36.5 * 3_600_000).toISOString(), frozen: true });
    expect((await route('GET', '/clock')).json).toEqual(advanced);
    expect(await mock.clock.set(new Date('2026-04-01T00:00:00Z'))).toEqual({ now: '2026-04-01T00:00:00.000Z', frozen: true });
    expect(await mock.clock.set(Date.parse('2026-05-01T00:00:00Z'))).toEqual({ now: '2026-05-01T00:00:00.000Z', frozen: true });
    expect((await mock.clock.unfreeze()).frozen).toBe(false);
    await expect(mock.clock.advance(-1)).rejects.toMatchObject({ status: 400 });
    await expect(mock.clock.set('not a date')).rejects.toMatchObject({ status: 400 });
  });

  it('recordUsage() equals POST /__mock/keys/:hash/usage', async () => {
    const before = await keyOf(DOCS_HASH);
    const viaHandle = await mock.recordUsage(DOCS_HASH, { amount: 1.5, byok: 0.5 });
    expect(viaHandle.usage).toBeCloseTo(before.usage + 1.5, 9);
    const viaRoute = await route<{ data: KeyView }>('POST', `/keys/${DOCS_HASH}/usage`, { amount: 1.5, byok: 0.5 });
    expect(viaRoute.json.data.usage).toBeCloseTo(before.usage + 3, 9);
    expect(viaRoute.json.data.byok_usage).toBeCloseTo(before.byok_usage + 1, 9);
    expect(await keyOf(DOCS_HASH)).toEqual(viaRoute.json.data);
  });

  it('fault() makes a fetch fail; faults() equals GET /__mock/faults; removeFault() / clearFaults() undo it', async () => {
    const rule = await mock.fault({ match: { path: '/keys' }, status: 503 });
    const res = await apiGet('/keys');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: { code: 503, message: expect.any(String) } });
    expect(await mock.faults()).toEqual((await route<{ data: unknown }>('GET', '/faults')).json.data);
    expect((await mock.faults())[0]).toMatchObject({ id: rule.id, hits: 1, remaining: null });

    await mock.removeFault(rule.id);
    expect((await apiGet('/keys')).status).toBe(200);
    await expect(mock.removeFault(rule.id)).rejects.toMatchObject({ status: 404 });

    await mock.fault({ status: 500 });
    await mock.fault({ status: 502 });
    expect(await mock.clearFaults()).toEqual({ deleted: 2 });
    expect((await apiGet('/keys')).status).toBe(200);
  });

  it('requests() equals GET /__mock/requests data; clearRequests() equals DELETE /__mock/requests', async () => {
    await apiGet('/keys');
    await apiGet(`/keys/${DOCS_HASH}`);
    await apiGet('/key');
    const viaRoute = (await route<{ data: unknown[] }>('GET', '/requests')).json.data;
    expect(viaRoute).toHaveLength(3);
    expect(await mock.requests()).toEqual(viaRoute);
    expect(await mock.requests({ path: '/api/v1/keys/*' })).toEqual((await route<{ data: unknown }>('GET', '/requests?path=/api/v1/keys/*')).json.data);
    expect(await mock.clearRequests()).toEqual({ deleted: 3 });
    expect(await mock.requests()).toEqual([]);
  });
});

describe('the handle refuses what the routes refuse (one meaning)', () => {
  it('fault({status: 200}): the route says 400, so must the handle; no rule is added', async () => {
    expect((await route('POST', '/faults', { status: 200 })).status).toBe(400);
    await expect(mock.fault({ status: 200 })).rejects.toMatchObject({ status: 400 });
    expect(await mock.faults()).toEqual([]);
    expect((await apiGet('/keys')).status).toBe(200);
  });

  it('fault({times: 0}): the route says 400, so must the handle', async () => {
    expect((await route('POST', '/faults', { status: 500, times: 0 })).status).toBe(400);
    await expect(mock.fault({ status: 500, times: 0 })).rejects.toMatchObject({ status: 400 });
    expect(await mock.faults()).toEqual([]);
  });

  it('createAccount({seed: -1}): the route says 400, so must the handle; no account is created', async () => {
    expect((await route('POST', '/accounts', { seed: -1 })).status).toBe(400);
    const before = await mock.accounts();
    await expect(mock.createAccount({ seed: -1 })).rejects.toMatchObject({ status: 400 });
    expect(await mock.accounts()).toEqual(before);
  });

  it('requests({since: "yesterday"}): the route says 400, so must the handle (not silently ignore the filter)', async () => {
    await apiGet('/keys');
    expect((await route('GET', '/requests?since=yesterday')).status).toBe(400);
    await expect(mock.requests({ since: 'yesterday' })).rejects.toMatchObject({ status: 400 });
  });
});
