import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KeyView } from '../../src/domain/types.js';
import { DOCS_USER_ID, DOCS_WORKSPACE_ID } from '../../src/data/dataset.js';
import { api, bearer, buildTestDoor, DOCS_HASH, errorOf, TEST_NOW, DOORS } from '../helpers/build.js';

type Created = { data: KeyView; key: string };

describe.each(DOORS)('POST /api/v1/keys (%s door)', (door) => {
  it('creates a key: 201 with the plaintext once, hash = SHA-256 of it, usage at zero', async () => {
    const app = buildTestDoor(door);
    const res = await api(app, 'POST', '/keys', { name: 'My New API Key', limit: 50, limit_reset: 'monthly', include_byok_in_limit: true });
    expect(res.statusCode).toBe(201);
    const { data, key } = res.json() as Created;
    expect(key).toMatch(/^sk-or-v1-[0-9a-f]{64}$/);
    expect(data.hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(data.label).toBe(`sk-or-v1-${key.slice(9, 12)}...${key.slice(-4)}`);
    expect(data).toMatchObject({
      name: 'My New API Key',
      disabled: false,
      limit: 50,
      limit_remaining: 50,
      limit_reset: 'monthly',
      include_byok_in_limit: true,
      usage: 0,
      usage_daily: 0,
      usage_weekly: 0,
      usage_monthly: 0,
      byok_usage: 0,
      byok_usage_daily: 0,
      byok_usage_weekly: 0,
      byok_usage_monthly: 0,
      created_at: TEST_NOW,
      updated_at: null,
      expires_at: null,
      creator_user_id: DOCS_USER_ID,
      workspace_id: DOCS_WORKSPACE_ID,
      external_user: null,
    });
    // Never again: GET and the listing show the key without its plaintext.
    const got = await api(app, 'GET', `/keys/${data.hash}`);
    expect(got.json()).toEqual({ data });
    expect(got.body).not.toContain(key.slice(9));
    const listed = (await api(app, 'GET', '/keys')).json() as { data: KeyView[] };
    expect(listed.data[0]).toEqual(data);
  });

  it('takes defaults for everything but the name', async () => {
    const app = buildTestDoor(door);
    const { data } = (await api(app, 'POST', '/keys', { name: 'Minimal' })).json() as Created;
    expect(data).toMatchObject({ limit: null, limit_remaining: null, limit_reset: null, include_byok_in_limit: false, expires_at: null });
  });

  it('sets expires_at, creator_user_id, workspace_id and external_user when given', async () => {
    const app = buildTestDoor(door);
    const workspace = app.mock.store.listAccounts()[0]!.state.workspace_ids[1]!;
    const res = await api(app, 'POST', '/keys', {
      name: 'Customer key',
      expires_at: '2027-12-31T23:59:59Z',
      creator_user_id: 'user_2dHFtVWx2n56w6HkM1111111111',
      workspace_id: workspace,
      external: { user: 'customer-42', api_key: 'ext' },
    });
    expect(res.statusCode).toBe(201);
    expect((res.json() as Created).data).toMatchObject({
      expires_at: '2027-12-31T23:59:59.000Z',
      creator_user_id: 'user_2dHFtVWx2n56w6HkM1111111111',
      workspace_id: workspace,
      external_user: 'customer-42',
    });
  });

  it.each([
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: '  ' }, 'name'],
    [{ name: 7 }, 'name'],
    [{ name: 'x', limit: -1 }, 'limit'],
    [{ name: 'x', limit: '5' }, 'limit'],
    [{ name: 'x', limit_reset: 'hourly' }, 'limit_reset'],
    [{ name: 'x', include_byok_in_limit: 'yes' }, 'include_byok_in_limit'],
    [{ name: 'x', expires_at: '2027-12-31T23:59:59+02:00' }, 'expires_at'],
    [{ name: 'x', expires_at: '2020-01-01T00:00:00Z' }, 'expires_at'],
    [{ name: 'x', expires_at: 'tomorrow' }, 'expires_at'],
    [{ name: 'x', workspace_id: 'nope' }, 'workspace_id'],
    [{ name: 'x', workspace_id: '11111111-1111-4111-8111-111111111111' }, 'workspace_id'],
    [{ name: 'x', creator_user_id: '' }, 'creator_user_id'],
    [{ name: 'x', external: { api_key: 'k' } }, 'external.user'],
  ])('rejects %j with 400 naming %s, creating nothing', async (body, field) => {
    const app = buildTestDoor(door);
    const before = (await api(app, 'GET', '/keys?include_disabled=true')).body;
    const res = await api(app, 'POST', '/keys', body);
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toContain(`"${field}"`);
    expect((await api(app, 'GET', '/keys?include_disabled=true')).body).toBe(before);
  });

  it('with --strict, rejects unknown fields', async () => {
    const app = buildTestDoor(door, { strict: true });
    const res = await api(app, 'POST', '/keys', { name: 'x', usage: 3 });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toContain('"usage"');
  });
});

describe.each(DOORS)('GET and DELETE /api/v1/keys/:hash (%s door)', (door) => {
  it('gets a key by hash', async () => {
    const app = buildTestDoor(door);
    const res = await api(app, 'GET', `/keys/${DOCS_HASH}`);
    expect(res.statusCode).toBe(200);
    const { data } = res.json() as { data: KeyView };
    expect(data).toMatchObject({ hash: DOCS_HASH, name: 'My Production Key', limit: 100, limit_remaining: 74.5, limit_reset: 'monthly' });
  });

  it('deletes a key: {deleted: true}, then 404 everywhere', async () => {
    const app = buildTestDoor(door);
    const res = await api(app, 'DELETE', `/keys/${DOCS_HASH}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ deleted: true });
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const again = await api(app, method, `/keys/${DOCS_HASH}`, method === 'PATCH' ? { name: 'x' } : undefined);
      expect(again.statusCode).toBe(404);
    }
    const all = (await api(app, 'GET', '/keys?include_disabled=true')).json() as { data: KeyView[] };
    expect(all.data.some((k) => k.hash === DOCS_HASH)).toBe(false);
  });

  it('a deleted key no longer authenticates', async () => {
    const app = buildTestDoor(door);
    const { data, key } = (await api(app, 'POST', '/keys', { name: 'Temp' })).json() as Created;
    expect((await app.inject({ method: 'GET', url: '/api/v1/key', headers: bearer(key) })).statusCode).toBe(200);
    await api(app, 'DELETE', `/keys/${data.hash}`);
    expect((await app.inject({ method: 'GET', url: '/api/v1/key', headers: bearer(key) })).statusCode).toBe(401);
  });

  it('accepts a DELETE that carries Content-Type: application/json and no body', async () => {
    const app = buildTestDoor(door);
    const res = await app.inject({ method: 'DELETE', url: `/api/v1/keys/${DOCS_HASH}`, headers: { ...bearer(), 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(200);
  });
});
