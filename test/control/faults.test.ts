/**
 * Injected faults: rules (`/__mock/faults`), the one-shot `X-Mock-Response` header and global
 * latency. Socket-level faults, delays and the SDK run against real listening servers; the rest
 * through `inject`.
 */
import { OpenRouter } from '@openrouter/sdk';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { API_PREFIX, API_ROUTES, type FaultRule } from '../../src/domain/faults.js';
import type { JournalEntry } from '../../src/domain/journal.js';
import type { KeyView } from '../../src/domain/types.js';
import { createMockServer, type MockServer } from '../../src/server.js';
import { api, buildTestApp, ctl, DOCS_HASH, errorOf, MANAGEMENT_KEY, TEST_NOW } from '../helpers/build.js';

async function addFault(app: FastifyInstance, spec: unknown): Promise<FaultRule> {
  const res = await ctl(app, 'POST', '/faults', spec);
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { data: FaultRule }).data;
}

const faultsOf = async (app: FastifyInstance) => ((await ctl(app, 'GET', '/faults')).json() as { data: FaultRule[] }).data;

/** `inject` on the API with the management key and optional extra headers. */
function call(app: FastifyInstance, method: InjectOptions['method'], url: string, body?: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: `Bearer ${MANAGEMENT_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

/** The body is exactly OpenRouter's error envelope: {error: {code, message, metadata?}}. */
function expectEnvelope(res: LightMyRequestResponse, status: number): { code: number; message: string; metadata?: unknown } {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json() as { error: { code: number; message: string; metadata?: unknown } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).filter((k) => k !== 'metadata')).toEqual(['code', 'message']);
  expect(body.error.code).toBe(status);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error;
}

describe('fault rules', () => {
  it('{match: PATCH /keys/*, status: 500, times: 2} fails twice, then the real handler answers', async () => {
    const app = buildTestApp();
    const before = ((await api(app, 'GET', `/keys/${DOCS_HASH}`)).json() as { data: KeyView }).data;
    await addFault(app, { match: { method: 'PATCH', path: '/keys/*' }, status: 500, times: 2 });

    for (let attempt = 1; attempt <= 2; attempt++) {
      const res = await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: `attempt ${attempt}` });
      expectEnvelope(res, 500);
      // The failed PATCH changed nothing; other methods on the same path are not affected.
      const got = await api(app, 'GET', `/keys/${DOCS_HASH}`);
      expect(got.statusCode).toBe(200);
      expect((got.json() as { data: KeyView }).data).toEqual(before);
    }
    const third = await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'attempt 3' });
    expect(third.statusCode).toBe(200);
    expect((third.json() as { data: KeyView }).data.name).toBe('attempt 3');
    expect(await faultsOf(app)).toEqual([]);
    expect((await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'attempt 4' })).statusCode).toBe(200);
  });

  it('GET /__mock/faults lists the rules newest first, with remaining and hits', async () => {
    const app = buildTestApp();
    const older = await addFault(app, { match: { method: 'DELETE' }, status: 503 });
    const newer = await addFault(app, { match: { path: '/keys' }, status: 502, times: 3 });
    expect(older).toMatchObject({ match: { method: 'DELETE' }, status: 503, remaining: null, hits: 0 });
    expect(newer).toMatchObject({ match: { path: '/keys' }, status: 502, times: 3, remaining: 3, hits: 0 });
    expect(newer.id).not.toBe(older.id);
    expect((await faultsOf(app)).map((r) => r.id)).toEqual([newer.id, older.id]);

    expectEnvelope(await api(app, 'GET', '/keys'), 502);
    expect((await faultsOf(app)).find((r) => r.id === newer.id)).toMatchObject({ remaining: 2, hits: 1 });
    expectEnvelope(await api(app, 'DELETE', `/keys/${DOCS_HASH}`), 503);
    expectEnvelope(await api(app, 'DELETE', `/keys/${DOCS_HASH}`), 503);
    expect((await faultsOf(app)).find((r) => r.id === older.id)).toMatchObject({ remaining: null, hits: 2 });
  });

  it('a newer rule wins over an older one that matches the same request', async () => {
    const app = buildTestApp();
    await addFault(app, { status: 503 });
    await addFault(app, { match: { path: '/keys' }, status: 418, times: 1 });
    expectEnvelope(await api(app, 'GET', '/keys'), 418);
    expectEnvelope(await api(app, 'GET', '/keys'), 503);
  });

  it('DELETE /__mock/faults/:id removes one; DELETE /__mock/faults removes all; an unknown id is a 404', async () => {
    const app = buildTestApp();
    const a = await addFault(app, { match: { path: '/keys' }, status: 500 });
    const b = await addFault(app, { match: { path: '/key' }, status: 500 });
    const c = await addFault(app, { match: { method: 'PATCH' }, status: 500 });

    const one = await ctl(app, 'DELETE', `/faults/${a.id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual({ deleted: 1 });
    expect((await faultsOf(app)).map((r) => r.id)).toEqual([c.id, b.id]);
    expect((await api(app, 'GET', '/keys')).statusCode).toBe(200);

    const unknown = await ctl(app, 'DELETE', `/faults/${a.id}`);
    expect(unknown.statusCode).toBe(404);
    expect(errorOf(unknown).message).toContain(a.id);

    const all = await ctl(app, 'DELETE', '/faults');
    expect(all.json()).toEqual({ deleted: 2 });
    expect(await faultsOf(app)).toEqual([]);
    expect((await api(app, 'GET', '/key')).statusCode).toBe(200);
    expect((await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'ok' })).statusCode).toBe(200);
  });

  it('a 429 rule sends Retry-After (1 by default, retry_after when given); other statuses only when told', async () => {
    const app = buildTestApp();
    await addFault(app, { match: { path: '/keys' }, status: 429, times: 1 });
    const plain = await api(app, 'GET', '/keys');
    expectEnvelope(plain, 429);
    expect(plain.headers['retry-after']).toBe('1');

    await addFault(app, { match: { path: '/keys' }, status: 429, retry_after: 7, times: 1 });
    expect((await api(app, 'GET', '/keys')).headers['retry-after']).toBe('7');

    await addFault(app, { match: { path: '/keys' }, status: 503, retry_after: 3, times: 1 });
    const unavailable = await api(app, 'GET', '/keys');
    expectEnvelope(unavailable, 503);
    expect(unavailable.headers['retry-after']).toBe('3');

    await addFault(app, { match: { path: '/keys' }, status: 500, times: 1 });
    expect((await api(app, 'GET', '/keys')).headers['retry-after']).toBeUndefined();
  });

  it('a string body becomes the envelope message; an {error:{message, metadata}} body keeps its metadata', async () => {
    const app = buildTestApp();
    await addFault(app, { match: { path: '/keys' }, status: 502, body: 'Upstream provider melted', times: 1 });
    expect(expectEnvelope(await api(app, 'GET', '/keys'), 502).message).toBe('Upstream provider melted');

    const metadata = { provider_name: 'mock', raw: 'x' };
    await addFault(app, { match: { path: '/keys' }, status: 402, body: { error: { message: 'Insufficient credits', metadata } }, times: 1 });
    const err = expectEnvelope(await api(app, 'GET', '/keys'), 402);
    expect(err).toEqual({ code: 402, message: 'Insufficient credits', metadata });

    // Any other object becomes the metadata, under the status's own message.
    await addFault(app, { match: { path: '/keys' }, status: 503, body: { provider: 'mock-upstream' }, times: 1 });
    const other = expectEnvelope(await api(app, 'GET', '/keys'), 503);
    expect(other.metadata).toEqual({ provider: 'mock-upstream' });
  });

  it('every injected status (400–599) is in the OpenRouter error shape, on every route', async () => {
    const app = buildTestApp();
    for (const status of [400, 401, 402, 403, 404, 408, 409, 418, 422, 429, 500, 502, 503, 504, 599]) {
      await addFault(app, { status });
      expectEnvelope(await api(app, 'GET', '/keys'), status);
      expectEnvelope(await api(app, 'POST', '/keys', { name: 'x' }), status);
      expectEnvelope(await call(app, 'GET', '/key'), status);
      expect((await ctl(app, 'DELETE', '/faults')).json()).toEqual({ deleted: 1 });
    }
  });

  it('a faulted request changes nothing (POST /keys under a 500 creates no key)', async () => {
    const app = buildTestApp();
    const before = (await ctl(app, 'GET', '/state')).body;
    await addFault(app, { match: { method: 'POST' }, status: 500 });
    expectEnvelope(await api(app, 'POST', '/keys', { name: 'never made' }), 500);
    await addFault(app, { match: { method: 'DELETE' }, status: 503 });
    expectEnvelope(await api(app, 'DELETE', `/keys/${DOCS_HASH}`), 503);
    expect((await ctl(app, 'GET', '/state')).body).toBe(before);
  });

  it('a rule answers before validation: an invalid body meets the rule\'s status, not a 400', async () => {
    const app = buildTestApp();
    const before = (await ctl(app, 'GET', '/state')).body;
    await addFault(app, { match: { method: 'PATCH' }, status: 502, times: 1 });
    expectEnvelope(await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { limit: 'lots' }), 502);
    // Once the rule is used up, the same body gets its validation error, and nothing changed.
    expect(errorOf(await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { limit: 'lots' }))).toMatchObject({ code: 400, message: expect.stringContaining('limit') });
    expect((await ctl(app, 'GET', '/state')).body).toBe(before);
  });

  it('a delay-only rule delays, then validation and the handler answer as usual', async () => {
    const app = buildTestApp();
    await addFault(app, { match: { method: 'PATCH' }, delay_ms: 20, times: 2 });
    const invalid = await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { limit: -1 });
    expect(errorOf(invalid)).toMatchObject({ code: 400, message: expect.stringContaining('limit') });
    const valid = await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'after a delay' });
    expect(valid.statusCode).toBe(200);
    expect((valid.json() as { data: KeyView }).data.name).toBe('after a delay');
    expect((await api(app, 'GET', `/keys/${DOCS_HASH}`)).json()).toMatchObject({ data: { name: 'after a delay' } });
  });

  it('a HEAD request uses a rule once, like the GET it mirrors', async () => {
    const app = buildTestApp();
    await addFault(app, { match: { path: '/keys' }, status: 503, times: 2 });
    expect((await app.inject({ method: 'HEAD', url: '/api/v1/keys', headers: { authorization: `Bearer ${MANAGEMENT_KEY}` } })).statusCode).toBe(503);
    expect(await faultsOf(app)).toMatchObject([{ remaining: 1 }]);
  });

  it('match by hash: only requests for that key fail', async () => {
    const app = buildTestApp();
    const other = ((await api(app, 'GET', '/keys')).json() as { data: KeyView[] }).data.find((k) => k.hash !== DOCS_HASH)!;
    await addFault(app, { match: { hash: DOCS_HASH }, status: 500 });
    expectEnvelope(await api(app, 'GET', `/keys/${DOCS_HASH}`), 500);
    expectEnvelope(await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'x' }), 500);
    expect((await api(app, 'GET', `/keys/${other.hash}`)).statusCode).toBe(200);
    expect((await api(app, 'GET', '/keys')).statusCode).toBe(200);
  });

  it.each([
    ['/keys', { '/keys': 503, '/keys/H': 200, '/key': 200 }],
    ['/keys/*', { '/keys': 200, '/keys/H': 503, '/key': 200 }],
    ['/api/v1/keys/*', { '/keys': 200, '/keys/H': 503, '/key': 200 }],
    ['/key', { '/keys': 200, '/keys/H': 200, '/key': 503 }],
    ['/**', { '/keys': 503, '/keys/H': 503, '/key': 503 }],
    ['/api/v1/**', { '/keys': 503, '/keys/H': 503, '/key': 503 }],
    // `**` is any rest, but the "/" before it is literal: /keys/** does not match /keys itself.
    ['/keys/**', { '/keys': 200, '/keys/H': 503, '/key': 200 }],
    ['/api/v1/keys/**', { '/keys': 200, '/keys/H': 503, '/key': 200 }],
    ['/key*', { '/keys': 503, '/keys/H': 200, '/key': 200 }],
    ['/*', { '/keys': 503, '/keys/H': 200, '/key': 503 }],
  ])('path %s matches as documented (* one segment, ** any rest)', async (path, expected) => {
    const app = buildTestApp();
    await addFault(app, { match: { path }, status: 503 });
    for (const [url, status] of Object.entries(expected)) {
      const res = await api(app, 'GET', url.replace('H', DOCS_HASH));
      expect(res.statusCode, `${path} on ${url}`).toBe(status);
    }
  });

  it('method matching is case-insensitive', async () => {
    const app = buildTestApp();
    await addFault(app, { match: { method: 'get' }, status: 500 });
    expectEnvelope(await api(app, 'GET', '/keys'), 500);
    expect((await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'fine' })).statusCode).toBe(200);
  });

  it('control routes are never faulted, by rules or by X-Mock-Response', async () => {
    const app = buildTestApp();
    await addFault(app, { match: { path: '/**' }, status: 500 });
    await addFault(app, { status: 503 });
    await addFault(app, { match: { method: 'GET' }, fault: 'reset' });
    await addFault(app, { match: { method: 'POST' }, fault: 'timeout' });
    // The API is faulted (DELETE matches only the catch-all rules, the newest of which is the 503)…
    expect((await api(app, 'DELETE', `/keys/${DOCS_HASH}`)).statusCode).toBe(503);

    // …the control plane is not.
    for (const [method, path, body] of [
      ['GET', '/health', undefined],
      ['GET', '/state', undefined],
      ['GET', '/faults', undefined],
      ['GET', '/clock', undefined],
      ['GET', '/requests', undefined],
      ['GET', '/scenarios', undefined],
      ['GET', '/accounts', undefined],
      ['POST', '/clock', { advance: 1 }],
      ['POST', `/keys/${DOCS_HASH}/usage`, { amount: 0 }],
    ] as const) {
      const res = await ctl(app, method, path, body, { 'x-mock-response': 'status=500' });
      expect(res.statusCode, `${method} ${path}`).toBe(200);
    }
    expect((await ctl(app, 'POST', '/accounts', {})).statusCode).toBe(201);
    expect(await faultsOf(app)).toHaveLength(4);
  });

  it.each([
    ['a status below 400', { status: 200 }],
    ['a status above 599', { status: 600 }],
    ['a status as a string', { status: '500' }],
    ['an unknown fault kind', { fault: 'explode' }],
    ['times 0', { status: 500, times: 0 }],
    ['a negative delay', { delay_ms: -1 }],
    ['an empty method', { match: { method: '' } }],
    ['an unknown match field', { match: { query: 'x' }, status: 500 }],
    ['an unknown field', { status: 500, when: 'always' }],
    ['a body that is a number', { status: 500, body: 5 }],
  ])('%s → 400; no rule is added', async (_label, spec) => {
    const app = buildTestApp();
    const res = await ctl(app, 'POST', '/faults', spec);
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).code).toBe(400);
    expect(await faultsOf(app)).toEqual([]);
    expect((await api(app, 'GET', '/keys')).statusCode).toBe(200);
  });
});

describe('a rule that could never match is refused with a 400 saying why', () => {
  it.each([
    [{ path: 'keys' }, 'match.path', 'must start with "/"'],
    [{ path: '**' }, 'match.path', 'must start with "/"'],
    [{ path: '/__mock/**' }, 'match.path', 'control routes (/__mock) are never faulted'],
    [{ path: '/__mock' }, 'match.path', 'control routes (/__mock) are never faulted'],
    [{ path: '/keys/' }, 'match.path', 'must not end with "/"'],
    [{ path: '/keys//*' }, 'match.path', 'empty segment'],
    [{ path: '//keys' }, 'match.path', 'empty segment'],
    [{ path: '/keys/../key' }, 'match.path', 'a "." or ".." segment'],
    [{ path: '/./keys' }, 'match.path', 'a "." or ".." segment'],
    [{ path: '/' }, 'match.path', 'no API route has such a path'],
    [{ path: '/api/v1' }, 'match.path', 'no API route has such a path'],
    [{ path: '/api/v1keys' }, 'match.path', 'no API route has such a path'],
    [{ path: '/api/v2/keys' }, 'match.path', 'no API route has such a path'],
    [{ path: '/health' }, 'match.path', 'no API route has such a path'],
    [{ path: '/keys/*/usage' }, 'match.path', 'no API route has such a path'],
    [{ path: '/keys*' }, 'match.path', 'no API route has such a path'], // "keys" and then more: no such route
    [{ path: '/*/*/*' }, 'match.path', 'no API route has such a path'],
    [{ path: '/Keys' }, 'match.path', 'no API route has such a path'],
    [{ method: 'PUT' }, 'match.method', 'the API answers GET, HEAD, POST, PATCH, DELETE'],
    [{ method: 'options' }, 'match.method', 'the API answers'],
    [{ hash: 'a/b' }, 'match.hash', 'a hash has no "/"'],
    [{ method: 'POST', path: '/keys/*' }, 'match', 'no API route takes POST with "/keys/*"'],
    [{ method: 'DELETE', path: '/key' }, 'match', 'no API route takes DELETE with "/key"'],
    [{ method: 'POST', hash: DOCS_HASH }, 'match', 'a hash is only on /api/v1/keys/{hash}'],
    [{ path: '/key', hash: DOCS_HASH }, 'match', 'a hash is only on /api/v1/keys/{hash}'],
  ])('%j → 400 naming %s: "%s"; no rule is added', async (match, field, reason) => {
    const app = buildTestApp();
    const res = await ctl(app, 'POST', '/faults', { match, status: 503 });
    expect(res.statusCode, res.body).toBe(400);
    expect(errorOf(res).message).toContain(`Invalid request body: field "${field}" `);
    expect(errorOf(res).message).toContain(reason);
    expect(await faultsOf(app)).toEqual([]);
  });

  it.each([
    [{ path: '/keys' }],
    [{ path: '/keys/*' }],
    [{ path: `/keys/${DOCS_HASH.slice(0, 8)}*` }],
    [{ path: '/api/v1/keys/**' }],
    [{ path: '/**' }],
    [{ path: '/k*' }],
    [{ path: '/*/*' }],
    [{ method: 'head', path: '/key' }],
    [{ method: 'PATCH', hash: DOCS_HASH }],
    [{ path: '/keys/*', hash: DOCS_HASH }],
  ])('%j is accepted (it matches some API request)', async (match) => {
    const app = buildTestApp();
    expect((await ctl(app, 'POST', '/faults', { match, status: 503 })).statusCode).toBe(201);
  });

  it('the routes a rule is checked against are exactly the API\'s routes', async () => {
    const app = buildTestApp();
    const routes: string[] = [];
    app.addHook('onRoute', (route) => {
      if (route.url.startsWith(API_PREFIX)) routes.push(`${String(route.method)} ${route.url}`);
    });
    await app.ready();
    expect(routes.sort()).toEqual(API_ROUTES.map((route) => `${route.method} ${route.path}`).sort());
  });
});

describe('X-Mock-Response (one-shot, per request)', () => {
  it('status=429 answers 429 with Retry-After on any API route', async () => {
    const app = buildTestApp();
    for (const [method, url, body] of [
      ['GET', '/keys', undefined],
      ['GET', `/keys/${DOCS_HASH}`, undefined],
      ['PATCH', `/keys/${DOCS_HASH}`, { name: 'x' }],
      ['POST', '/keys', { name: 'x' }],
      ['DELETE', `/keys/${DOCS_HASH}`, undefined],
      ['GET', '/key', undefined],
    ] as const) {
      const res = await call(app, method, url, body, { 'x-mock-response': 'status=429' });
      expectEnvelope(res, 429);
      expect(res.headers['retry-after'], `${method} ${url}`).toBe('1');
    }
    // None of them did anything, and the next request is normal again.
    expect((await api(app, 'GET', `/keys/${DOCS_HASH}`)).statusCode).toBe(200);
  });

  it('status=503; message=down answers that message', async () => {
    const app = buildTestApp();
    const res = await call(app, 'GET', '/keys', undefined, { 'x-mock-response': 'status=503; message=down' });
    expect(expectEnvelope(res, 503).message).toBe('down');
  });

  it('retry_after=9 sets Retry-After', async () => {
    const app = buildTestApp();
    const res = await call(app, 'GET', '/keys', undefined, { 'x-mock-response': 'status=503; retry_after=9' });
    expect(res.headers['retry-after']).toBe('9');
  });

  it('credentials come first: without them the header changes nothing (401)', async () => {
    const app = buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/api/v1/keys', headers: { 'x-mock-response': 'status=502' } });
    expectEnvelope(res, 401);
  });

  it.each([
    ['an unknown part', 'bogus=1'],
    ['a status that is not an error', 'status=200'],
    ['a status that is not a number', 'status=abc'],
    ['a negative delay', 'delay_ms=-5'],
    ['an unknown fault', 'fault=explode'],
  ])('%s → 400 envelope, and the request is not carried out', async (_label, header) => {
    const app = buildTestApp();
    const before = (await ctl(app, 'GET', '/state')).body;
    const res = await call(app, 'POST', '/keys', { name: 'never' }, { 'x-mock-response': header });
    expectEnvelope(res, 400);
    expect(errorOf(res).message).toMatch(/X-Mock-Response/);
    expect((await ctl(app, 'GET', '/state')).body).toBe(before);
  });

  it('the header wins over a matching rule, for that request only', async () => {
    const app = buildTestApp();
    await addFault(app, { match: { path: '/keys' }, status: 500, times: 1 });
    expectEnvelope(await call(app, 'GET', '/keys', undefined, { 'x-mock-response': 'status=418' }), 418);
    expectEnvelope(await api(app, 'GET', '/keys'), 500);
  });
});

describe('over real sockets', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await createMockServer({ port: 0, now: TEST_NOW });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const auth = () => ({ authorization: `Bearer ${server.managementKey}` });
  const timed = async (request: () => Promise<Response>) => {
    const started = performance.now();
    const res = await request();
    await res.arrayBuffer();
    return { res, ms: performance.now() - started };
  };

  it('fault: "reset" destroys the socket: fetch rejects; then the server answers again', async () => {
    await server.fault({ match: { method: 'PATCH', path: '/keys/*' }, fault: 'reset', times: 1 });
    await expect(
      fetch(`${server.url}/keys/${DOCS_HASH}`, { method: 'PATCH', headers: { ...auth(), 'content-type': 'application/json' }, body: '{"name":"x"}' }),
    ).rejects.toThrow();
    const after = await fetch(`${server.url}/keys/${DOCS_HASH}`, { headers: auth() });
    expect(after.status).toBe(200);
    expect(((await after.json()) as { data: KeyView }).data.name).not.toBe('x');
    const rec = await server.requests({ method: 'PATCH' });
    expect(rec).toHaveLength(1);
    expect(rec[0]!.status).toBe(0);
  });

  it('fault: "timeout" never answers: the client gives up (AbortController, 300 ms)', async () => {
    await server.fault({ match: { path: '/keys' }, fault: 'timeout' });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 300);
    const started = performance.now();
    const outcome = await fetch(`${server.url}/keys`, { headers: auth(), signal: controller.signal }).then(
      () => 'answered',
      (error: Error) => error.name,
    );
    clearTimeout(timer);
    expect(outcome).toBe('AbortError');
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    // Other routes are unaffected meanwhile; the journal shows the unanswered request as status 0.
    expect((await fetch(`${server.url}/key`, { headers: auth() })).status).toBe(200);
    expect((await server.requests({ path: '/api/v1/keys' })).map((e) => e.status)).toEqual([0]);
  });

  it('delay_ms delays the answer (loosely ≥ the delay), then the real handler or the status answers', async () => {
    await server.fault({ match: { path: '/keys' }, delay_ms: 150, times: 1 });
    const delayed = await timed(() => fetch(`${server.url}/keys`, { headers: auth() }));
    expect(delayed.res.status).toBe(200);
    expect(delayed.ms).toBeGreaterThanOrEqual(140);

    await server.fault({ match: { path: '/keys' }, delay_ms: 120, status: 503, times: 1 });
    const failed = await timed(() => fetch(`${server.url}/keys`, { headers: auth() }));
    expect(failed.res.status).toBe(503);
    expect(failed.ms).toBeGreaterThanOrEqual(110);

    await server.fault({ match: { path: '/keys' }, delay_ms: 60, jitter_ms: 40, times: 1 });
    const jittered = await timed(() => fetch(`${server.url}/keys`, { headers: auth() }));
    expect(jittered.ms).toBeGreaterThanOrEqual(55);
  });

  it('X-Mock-Response: delay_ms=50 delays, then answers normally', async () => {
    const { res, ms } = await timed(() => fetch(`${server.url}/keys`, { headers: { ...auth(), 'x-mock-response': 'delay_ms=50' } }));
    expect(res.status).toBe(200);
    expect(ms).toBeGreaterThanOrEqual(45);
  });

  it('X-Mock-Response: fault=reset drops the connection', async () => {
    await expect(fetch(`${server.url}/keys`, { headers: { ...auth(), 'x-mock-response': 'fault=reset' } })).rejects.toThrow();
  });

  it('the official SDK (default retry config) succeeds through a times: 2, status: 500 rule; the journal shows three PATCHes', async () => {
    await server.fault({ match: { method: 'PATCH', path: '/keys/*' }, status: 500, times: 2 });
    const client = new OpenRouter({ apiKey: server.managementKey, serverURL: server.url });
    const result = await client.apiKeys.update({ hash: DOCS_HASH, requestBody: { name: 'Renamed through retries' } });
    expect(result.data.name).toBe('Renamed through retries');

    const patches = await server.requests({ method: 'PATCH' });
    expect(patches.map((e) => e.status)).toEqual([200, 500, 500]);
    for (const entry of patches) expect(entry.path).toBe(`/api/v1/keys/${DOCS_HASH}`);
    expect(await server.faults()).toEqual([]);
  });

  it('the official SDK with a fast backoff also retries through it', async () => {
    const rule = await server.fault({ match: { method: 'PATCH', path: '/keys/*' }, status: 500, times: 2 });
    expect(rule.remaining).toBe(2);
    const client = new OpenRouter({
      apiKey: server.managementKey,
      serverURL: server.url,
      retryConfig: { strategy: 'backoff', backoff: { initialInterval: 10, maxInterval: 50, exponent: 1.5, maxElapsedTime: 5000 }, retryConnectionErrors: true },
    });
    const result = await client.apiKeys.update({ hash: DOCS_HASH, requestBody: { limit: 42 } });
    expect(result.data.limit).toBe(42);
    const patches: JournalEntry[] = await server.requests({ method: 'PATCH' });
    expect(patches.map((e) => e.status)).toEqual([200, 500, 500]);
    expect(patches[0]!.body).toEqual({ limit: 42 });
  });

  it('with retries off, the SDK surfaces the injected 500 in the OpenRouter shape', async () => {
    await server.fault({ match: { method: 'GET', path: '/keys' }, status: 500, body: 'injected failure', times: 1 });
    const client = new OpenRouter({ apiKey: server.managementKey, serverURL: server.url, retryConfig: { strategy: 'none' } });
    const error = (await client.apiKeys.list().then(
      () => null,
      (e: unknown) => e,
    )) as { statusCode?: number; body?: string } | null;
    expect(error).not.toBeNull();
    expect(error!.statusCode).toBe(500);
    expect(JSON.parse(error!.body!)).toEqual({ error: { code: 500, message: 'injected failure' } });
  });
});

describe('global latency (--latency)', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await createMockServer({ port: 0, now: TEST_NOW, latency: '30-40' });
  });
  afterAll(() => server.close());

  it('adds 30–40 ms to every API response (loosely ≥ 30 ms)', async () => {
    expect(server.config.latency).toEqual({ min: 30, max: 40 });
    for (const url of ['/keys', `/keys/${DOCS_HASH}`, '/key']) {
      const started = performance.now();
      const res = await fetch(`${server.url}${url}`, { headers: { authorization: `Bearer ${server.managementKey}` } });
      await res.arrayBuffer();
      expect(res.status).toBe(200);
      expect(performance.now() - started, url).toBeGreaterThanOrEqual(28);
    }
  });
});
