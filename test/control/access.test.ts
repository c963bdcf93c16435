/**
 * Who may use the control plane: `--admin-token` guards every `/__mock` route except health;
 * `--no-control` removes them (health stays); they never live under `/api/v1`; and a bad control
 * request is a 400 in the OpenRouter shape that changes nothing.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockServer, type MockServer } from '../../src/server.js';
import { api, bearer, buildTestApp, ctl, DOCS_HASH, errorOf, MANAGEMENT_KEY } from '../helpers/build.js';

const ADMIN = 'admin-secret-1';

/** Every control route but health, with a body that would be valid. */
const CONTROL_ROUTES: [InjectOptions['method'], string, unknown][] = [
  ['POST', '/reset', undefined],
  ['GET', '/state', undefined],
  ['PUT', '/state', { accounts: [] }],
  ['GET', '/scenarios', undefined],
  ['POST', '/scenarios/empty', {}],
  ['GET', '/accounts', undefined],
  ['POST', '/accounts', {}],
  ['DELETE', '/accounts/acct_x', undefined],
  ['GET', '/clock', undefined],
  ['POST', '/clock', { advance: '1d' }],
  ['POST', `/keys/${DOCS_HASH}/usage`, { amount: 1 }],
  ['GET', '/faults', undefined],
  ['POST', '/faults', { status: 500 }],
  ['DELETE', '/faults', undefined],
  ['DELETE', '/faults/fault_1', undefined],
  ['GET', '/requests', undefined],
  ['DELETE', '/requests', undefined],
];

/** Everything the control plane can observe (read with the admin token when one is needed). */
async function snapshot(app: FastifyInstance, headers: Record<string, string> = {}): Promise<string> {
  const parts = await Promise.all(['/state', '/clock', '/faults', '/accounts', '/requests'].map((p) => ctl(app, 'GET', p, undefined, headers)));
  for (const part of parts) expect(part.statusCode).toBe(200);
  return parts.map((r) => r.body).join('\n');
}

describe('--admin-token', () => {
  it.each(CONTROL_ROUTES.map(([m, p, b]) => [`${m} ${p}`, m, p, b] as const))(
    '%s needs "Authorization: Bearer <admin token>" (401 otherwise) and then does nothing',
    async (_label, method, path, body) => {
      const app = buildTestApp({ adminToken: ADMIN });
      const admin = bearer(ADMIN);
      const before = await snapshot(app, admin);
      for (const headers of [{}, bearer('wrong-token-1'), bearer(MANAGEMENT_KEY), { authorization: ADMIN }, bearer(`${ADMIN}x`)]) {
        const res = await ctl(app, method, path, body, headers);
        expect(res.statusCode, JSON.stringify(headers)).toBe(401);
        expect(errorOf(res).message).toMatch(/admin token/i);
      }
      expect(await snapshot(app, admin)).toBe(before);

      const allowed = await ctl(app, method, path, body, admin);
      expect(allowed.statusCode).not.toBe(401);
      expect(allowed.statusCode).toBeLessThan(500);
    },
  );

  it('GET /__mock/health stays open (for Docker health checks) and says what the mock holds', async () => {
    const app = buildTestApp({ adminToken: ADMIN });
    const res = await ctl(app, 'GET', '/health');
    expect(res.statusCode).toBe(200);
    const state = (await ctl(app, 'GET', '/state', undefined, bearer(ADMIN))).json() as { accounts: { keys: unknown[] }[] };
    expect(res.json()).toMatchObject({
      status: 'ok',
      accounts: state.accounts.length,
      keys: state.accounts.reduce((n, a) => n + a.keys.length, 0),
    });
    expect(typeof (res.json() as { version: unknown }).version).toBe('string');
  });

  it("reads the admin bearer by the API's rule (scheme in any case, spaces around) and compares the token exactly", async () => {
    const app = buildTestApp({ adminToken: ADMIN });
    for (const header of [`bearer ${ADMIN}`, `BEARER   ${ADMIN} `, `Bearer ${ADMIN}`]) {
      expect((await ctl(app, 'GET', '/clock', undefined, { authorization: header })).statusCode, header).toBe(200);
    }
    for (const header of [`Bearer ${ADMIN.toUpperCase()}`, `Bearer ${ADMIN}x`, `Basic ${ADMIN}`, ADMIN, 'Bearer']) {
      expect((await ctl(app, 'GET', '/clock', undefined, { authorization: header })).statusCode, header).toBe(401);
    }
  });

  it('the API neither needs nor accepts the admin token', async () => {
    const app = buildTestApp({ adminToken: ADMIN });
    expect((await api(app, 'GET', '/keys')).statusCode).toBe(200);
    expect((await api(app, 'GET', '/keys', undefined, ADMIN)).statusCode).toBe(401);
  });

  it('without --admin-token the control routes are open', async () => {
    const app = buildTestApp();
    for (const [method, path, body] of CONTROL_ROUTES) {
      const res = await ctl(app, method, path, body);
      expect(res.statusCode, `${method} ${path}`).not.toBe(401);
      expect(res.statusCode, `${method} ${path}`).toBeLessThan(500);
    }
  });

  it('a too-short admin token is refused at start-up', async () => {
    await expect(createMockServer({ port: 0, adminToken: 'short' })).rejects.toThrow(/--admin-token/);
  });
});

describe('--admin-token over a real socket', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await createMockServer({ port: 0, adminToken: ADMIN });
  });
  afterAll(() => server.close());

  it('curl-style requests: 401 without the token, 200 with it; health open', async () => {
    expect((await fetch(`${server.origin}/__mock/state`)).status).toBe(401);
    expect((await fetch(`${server.origin}/__mock/state`, { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(200);
    expect((await fetch(`${server.origin}/__mock/health`)).status).toBe(200);
    // The handle is in-process: it needs no token.
    expect((await server.accounts()).length).toBe(1);
  });
});

describe('--no-control', () => {
  it.each(CONTROL_ROUTES.map(([m, p, b]) => [`${m} ${p}`, m, p, b] as const))('%s is gone (404 envelope)', async (_label, method, path, body) => {
    const app = buildTestApp({ control: false });
    const res = await ctl(app, method, path, body);
    expect(res.statusCode).toBe(404);
    expect(errorOf(res).code).toBe(404);
  });

  it('health stays, and the API works as before', async () => {
    const app = buildTestApp({ control: false });
    expect((await ctl(app, 'GET', '/health')).statusCode).toBe(200);
    expect((await api(app, 'GET', `/keys/${DOCS_HASH}`)).statusCode).toBe(200);
  });

  it('MOCK_CONTROL=false style string options work too', async () => {
    const app = buildTestApp({ control: 'false' });
    expect((await ctl(app, 'GET', '/state')).statusCode).toBe(404);
  });
});

describe('the control plane never lives under /api/v1', () => {
  it.each(['/state', '/health', '/clock', '/faults', '/requests', '/scenarios', '/accounts'])('GET /api/v1/__mock%s → 404', async (path) => {
    const app = buildTestApp();
    const res = await api(app, 'GET', `/__mock${path}`);
    expect(res.statusCode).toBe(404);
    expect(errorOf(res).code).toBe(404);
  });

  it('POST /api/v1/__mock/reset does not reset', async () => {
    const app = buildTestApp();
    await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'kept' });
    expect((await api(app, 'POST', '/__mock/reset', {})).statusCode).toBe(404);
    expect(((await api(app, 'GET', `/keys/${DOCS_HASH}`)).json() as { data: { name: string } }).data.name).toBe('kept');
  });
});

describe('a bad control request changes nothing', () => {
  it.each([
    ['PUT /state: wrong types', 'PUT', '/state', { accounts: 'all of them' }],
    ['PUT /state: empty body', 'PUT', '/state', ''],
    ['POST /scenarios/:name: seed as a string', 'POST', '/scenarios/empty', { seed: 'x' }],
    ['POST /accounts: scenario as a number', 'POST', '/accounts', { scenario: 1 }],
    ['POST /clock: now as a number', 'POST', '/clock', { now: 5 }],
    ['POST /clock: advance as an object', 'POST', '/clock', { advance: { h: 1 } }],
    ['POST /keys/:hash/usage: amount as a string', 'POST', `/keys/${DOCS_HASH}/usage`, { amount: 'ten' }],
    ['POST /faults: times as a string', 'POST', '/faults', { status: 500, times: 'twice' }],
    ['POST /faults: match as a string', 'POST', '/faults', { match: '/keys', status: 500 }],
    ['POST /faults: malformed JSON', 'POST', '/faults', '{"status": 500'],
  ] as const)('%s → 400 envelope', async (_label, method, path, body) => {
    const app = buildTestApp();
    await api(app, 'GET', '/keys'); // something in the journal
    const before = await snapshot(app);
    const res = await ctl(app, method, path, body);
    expect(res.statusCode).toBe(400);
    const { code, message } = errorOf(res);
    expect(code).toBe(400);
    expect(message.length).toBeGreaterThan(0);
    expect(await snapshot(app)).toBe(before);
  });

  it('a body of another media type → 415; nothing changes', async () => {
    const app = buildTestApp();
    const before = await snapshot(app);
    const res = await app.inject({ method: 'POST', url: '/__mock/clock', headers: { 'content-type': 'text/plain' }, payload: 'advance=1d' });
    expect(res.statusCode).toBe(415);
    expect(errorOf(res).code).toBe(415);
    expect(await snapshot(app)).toBe(before);
  });

  it('an unknown control route → 404 envelope', async () => {
    const app = buildTestApp();
    const res = await ctl(app, 'GET', '/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(errorOf(res).code).toBe(404);
  });
});
