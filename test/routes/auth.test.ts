import { describe, expect, it } from 'vitest';
import type { CurrentKeyView, KeyView } from '../../src/domain/types.js';
import { api, bearer, buildTestDoor, DOCS_HASH, errorOf, LOCAL_DEV_KEY, MANAGEMENT_KEY, DOORS } from '../helpers/build.js';

const ROUTES = [
  ['GET', '/keys'],
  ['POST', '/keys'],
  ['GET', `/keys/${DOCS_HASH}`],
  ['PATCH', `/keys/${DOCS_HASH}`],
  ['DELETE', `/keys/${DOCS_HASH}`],
  ['GET', '/key'],
] as const;

describe.each(DOORS)('authentication (%s door)', (door) => {
  it.each(ROUTES)('%s %s without credentials: 401 Missing Authentication header', async (method, url) => {
    const app = buildTestDoor(door);
    const res = await app.inject({ method, url: `/api/v1${url}` });
    expect(res.statusCode).toBe(401);
    expect(errorOf(res)).toEqual({ code: 401, message: 'Missing Authentication header' });
  });

  it.each([
    ['Basic abc', 'Authorization'],
    ['Bearer', 'Authorization'],
    ['Bearer a b', 'Authorization'],
    [`Bearer ${'x'.repeat(20)}`, 'no API key matches'],
    [`Bearer ${MANAGEMENT_KEY}x`, 'no API key matches'],
  ])('%j: 401', async (header, text) => {
    const app = buildTestDoor(door);
    const res = await app.inject({ method: 'GET', url: '/api/v1/keys', headers: { authorization: header } });
    expect(res.statusCode).toBe(401);
    expect(errorOf(res).message).toContain(text);
  });

  it('accepts the scheme case-insensitively', async () => {
    const app = buildTestDoor(door);
    const res = await app.inject({ method: 'GET', url: '/api/v1/keys', headers: { authorization: `bearer ${MANAGEMENT_KEY}` } });
    expect(res.statusCode).toBe(200);
  });

  it('authentication comes before the body: a bad body without credentials is a 401', async () => {
    const app = buildTestDoor(door);
    const res = await app.inject({
      method: 'PATCH',
      url: `/api/v1/keys/${DOCS_HASH}`,
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(res.statusCode).toBe(401);
  });
});

describe.each(DOORS)('ordinary keys (%s door)', (door) => {
  it.each(ROUTES.filter(([, url]) => url !== '/key'))('%s %s with an ordinary key: 403', async (method, url) => {
    const app = buildTestDoor(door);
    const res = await app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { ...bearer(LOCAL_DEV_KEY), 'content-type': 'application/json' },
      payload: method === 'POST' || method === 'PATCH' ? '{"name":"x"}' : undefined,
    });
    expect(res.statusCode).toBe(403);
    expect(errorOf(res).message).toBe('Only management keys can perform this operation');
  });

  it('403 comes before body validation', async () => {
    const app = buildTestDoor(door);
    const res = await app.inject({
      method: 'PATCH',
      url: `/api/v1/keys/${DOCS_HASH}`,
      headers: { ...bearer(LOCAL_DEV_KEY), 'content-type': 'text/plain' },
      payload: 'nope',
    });
    expect(res.statusCode).toBe(403);
  });
});

describe.each(DOORS)('GET /api/v1/key (%s door)', (door) => {
  it('describes a management key', async () => {
    const app = buildTestDoor(door);
    const res = await app.inject({ method: 'GET', url: '/api/v1/key', headers: bearer() });
    expect(res.statusCode).toBe(200);
    const { data } = res.json() as { data: CurrentKeyView };
    expect(data.is_management_key).toBe(true);
    expect(data.label).toBe(`sk-or-v1-${MANAGEMENT_KEY.slice(9, 12)}...${MANAGEMENT_KEY.slice(-4)}`);
    expect(data.limit).toBeNull();
    expect(data.allowed_data_regions.length).toBeGreaterThan(0);
    expect(data.free_model_daily_requests.remaining).toBe(data.free_model_daily_requests.limit - data.free_model_daily_requests.used);
  });

  it('describes a key created through POST /keys, and follows its changes', async () => {
    const app = buildTestDoor(door);
    const created = (await api(app, 'POST', '/keys', { name: 'App key', limit: 20, limit_reset: 'weekly' })).json() as { data: KeyView; key: string };
    const me = async () => ((await app.inject({ method: 'GET', url: '/api/v1/key', headers: bearer(created.key) })).json() as { data: CurrentKeyView }).data;
    expect(await me()).toMatchObject({ is_management_key: false, label: created.data.label, limit: 20, limit_remaining: 20, limit_reset: 'weekly' });
    await api(app, 'PATCH', `/keys/${created.data.hash}`, { limit: 5 });
    expect((await me()).limit).toBe(5);
  });

  it('a disabled key gets 401, and works again once re-enabled', async () => {
    const app = buildTestDoor(door);
    const created = (await api(app, 'POST', '/keys', { name: 'Soon disabled' })).json() as { data: KeyView; key: string };
    const asKey = () => app.inject({ method: 'GET', url: '/api/v1/key', headers: bearer(created.key) });
    await api(app, 'PATCH', `/keys/${created.data.hash}`, { disabled: true });
    const res = await asKey();
    expect(res.statusCode).toBe(401);
    expect(errorOf(res).message).toContain('disabled');
    await api(app, 'PATCH', `/keys/${created.data.hash}`, { disabled: false });
    expect((await asKey()).statusCode).toBe(200);
  });

  it('an expired key gets 401 but stays manageable', async () => {
    const app = buildTestDoor(door);
    const expiresAt = new Date(app.mock.clock.now() + 60_000).toISOString();
    const created = (await api(app, 'POST', '/keys', { name: 'Short-lived', expires_at: expiresAt })).json() as { data: KeyView; key: string };
    app.mock.clock.advance(120_000);
    const res = await app.inject({ method: 'GET', url: '/api/v1/key', headers: bearer(created.key) });
    expect(res.statusCode).toBe(401);
    expect(errorOf(res).message).toContain('expired');
    expect((await api(app, 'GET', `/keys/${created.data.hash}`)).statusCode).toBe(200);
    expect((await api(app, 'PATCH', `/keys/${created.data.hash}`, { name: 'Renamed' })).statusCode).toBe(200);
    expect((await api(app, 'DELETE', `/keys/${created.data.hash}`)).statusCode).toBe(200);
  });
});

describe.each(DOORS)('accounts (%s door)', (door) => {
  const SECOND = `sk-or-v1-${'ab'.repeat(32)}`;

  it('each management key is its own account; further ones start empty', async () => {
    const app = buildTestDoor(door, { managementKey: [MANAGEMENT_KEY, SECOND] });
    expect(((await api(app, 'GET', '/keys?include_disabled=true', undefined, SECOND)).json() as { data: unknown[] }).data).toEqual([]);
    expect(((await api(app, 'GET', '/keys')).json() as { data: unknown[] }).data.length).toBeGreaterThan(0);
  });

  it("an account never sees, changes or deletes another account's keys: 404", async () => {
    const app = buildTestDoor(door, { managementKey: [MANAGEMENT_KEY, SECOND] });
    const before = (await api(app, 'GET', `/keys/${DOCS_HASH}`)).body;
    expect((await api(app, 'GET', `/keys/${DOCS_HASH}`, undefined, SECOND)).statusCode).toBe(404);
    expect((await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'hijack' }, SECOND)).statusCode).toBe(404);
    expect((await api(app, 'DELETE', `/keys/${DOCS_HASH}`, undefined, SECOND)).statusCode).toBe(404);
    expect((await api(app, 'GET', `/keys/${DOCS_HASH}`)).body).toBe(before);

    const mine = (await api(app, 'POST', '/keys', { name: 'Second account key' }, SECOND)).json() as { data: KeyView };
    expect((await api(app, 'GET', `/keys/${mine.data.hash}`)).statusCode).toBe(404);
    expect(((await api(app, 'GET', '/keys', undefined, SECOND)).json() as { data: KeyView[] }).data.map((k) => k.hash)).toEqual([mine.data.hash]);
    // Its own default workspace, not the first account's.
    expect(mine.data.workspace_id).not.toBe((await api(app, 'GET', `/keys/${DOCS_HASH}`)).json().data.workspace_id);
  });

  it("another account's workspace is not a valid workspace_id", async () => {
    const app = buildTestDoor(door, { managementKey: [MANAGEMENT_KEY, SECOND] });
    const foreign = app.mock.store.listAccounts()[1]!.state.default_workspace_id;
    expect((await api(app, 'GET', `/keys?workspace_id=${foreign}`)).statusCode).toBe(400);
    expect((await api(app, 'POST', '/keys', { name: 'x', workspace_id: foreign })).statusCode).toBe(400);
  });
});
