/**
 * Injected faults: rules (`/__mock/faults`) and the one-shot `X-Mock-Response` header, once per
 * door (the server through `inject`, the fetch handler). Which rules are refused:
 * fault-match.test.ts; socket-level faults, delays, latency and the SDK over a real port:
 * fault-sockets.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { MAX_FAULT_RULES } from '../../src/domain/faults.js';
import type { KeyView } from '../../src/domain/types.js';
import { api, buildTestDoor, ctl, DOCS_HASH, DOORS, errorOf, MANAGEMENT_KEY } from '../helpers/build.js';
import { addFault, call, expectEnvelope, faultsOf } from '../helpers/faults.js';

describe.each(DOORS)('fault rules (%s door)', (door) => {
  it('{match: PATCH /keys/*, status: 500, times: 2} fails twice, then the real handler answers', async () => {
    const app = buildTestDoor(door);
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
    // Used up, it stays listed (what answered those two PATCHes can still be named) and never fires again.
    expect(await faultsOf(app)).toMatchObject([{ remaining: 0, hits: 2, state: 'used_up', enabled: true }]);
    expect((await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'attempt 4' })).statusCode).toBe(200);
  });

  it('GET /__mock/faults lists the rules newest first, with remaining and hits', async () => {
    const app = buildTestDoor(door);
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
    const app = buildTestDoor(door);
    await addFault(app, { status: 503 });
    await addFault(app, { match: { path: '/keys' }, status: 418, times: 1 });
    expectEnvelope(await api(app, 'GET', '/keys'), 418);
    expectEnvelope(await api(app, 'GET', '/keys'), 503);
  });

  it('DELETE /__mock/faults/:id removes one; DELETE /__mock/faults removes all; an unknown id is a 404', async () => {
    const app = buildTestDoor(door);
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
    const app = buildTestDoor(door);
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
    const app = buildTestDoor(door);
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
    const app = buildTestDoor(door);
    for (const status of [400, 401, 402, 403, 404, 408, 409, 418, 422, 429, 500, 502, 503, 504, 599]) {
      await addFault(app, { status });
      expectEnvelope(await api(app, 'GET', '/keys'), status);
      expectEnvelope(await api(app, 'POST', '/keys', { name: 'x' }), status);
      expectEnvelope(await call(app, 'GET', '/key'), status);
      expect((await ctl(app, 'DELETE', '/faults')).json()).toEqual({ deleted: 1 });
    }
  });

  it('a faulted request changes nothing (POST /keys under a 500 creates no key)', async () => {
    const app = buildTestDoor(door);
    const before = (await ctl(app, 'GET', '/state')).body;
    await addFault(app, { match: { method: 'POST' }, status: 500 });
    expectEnvelope(await api(app, 'POST', '/keys', { name: 'never made' }), 500);
    await addFault(app, { match: { method: 'DELETE' }, status: 503 });
    expectEnvelope(await api(app, 'DELETE', `/keys/${DOCS_HASH}`), 503);
    expect((await ctl(app, 'GET', '/state')).body).toBe(before);
  });

  it('a rule answers before validation: an invalid body meets the rule\'s status, not a 400', async () => {
    const app = buildTestDoor(door);
    const before = (await ctl(app, 'GET', '/state')).body;
    await addFault(app, { match: { method: 'PATCH' }, status: 502, times: 1 });
    expectEnvelope(await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { limit: 'lots' }), 502);
    // Once the rule is used up, the same body gets its validation error, and nothing changed.
    expect(errorOf(await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { limit: 'lots' }))).toMatchObject({ code: 400, message: expect.stringContaining('limit') });
    expect((await ctl(app, 'GET', '/state')).body).toBe(before);
  });

  it('a delay-only rule delays, then validation and the handler answer as usual', async () => {
    const app = buildTestDoor(door);
    await addFault(app, { match: { method: 'PATCH' }, delay_ms: 20, times: 2 });
    const invalid = await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { limit: -1 });
    expect(errorOf(invalid)).toMatchObject({ code: 400, message: expect.stringContaining('limit') });
    const valid = await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'after a delay' });
    expect(valid.statusCode).toBe(200);
    expect((valid.json() as { data: KeyView }).data.name).toBe('after a delay');
    expect((await api(app, 'GET', `/keys/${DOCS_HASH}`)).json()).toMatchObject({ data: { name: 'after a delay' } });
  });

  it('a HEAD request uses a rule once, like the GET it mirrors', async () => {
    const app = buildTestDoor(door);
    await addFault(app, { match: { path: '/keys' }, status: 503, times: 2 });
    expect((await app.inject({ method: 'HEAD', url: '/api/v1/keys', headers: { authorization: `Bearer ${MANAGEMENT_KEY}` } })).statusCode).toBe(503);
    expect(await faultsOf(app)).toMatchObject([{ remaining: 1 }]);
  });

  it('match by hash: only requests for that key fail', async () => {
    const app = buildTestDoor(door);
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
    const app = buildTestDoor(door);
    await addFault(app, { match: { path }, status: 503 });
    for (const [url, status] of Object.entries(expected)) {
      const res = await api(app, 'GET', url.replace('H', DOCS_HASH));
      expect(res.statusCode, `${path} on ${url}`).toBe(status);
    }
  });

  it('method matching is case-insensitive', async () => {
    const app = buildTestDoor(door);
    await addFault(app, { match: { method: 'get' }, status: 500 });
    expectEnvelope(await api(app, 'GET', '/keys'), 500);
    expect((await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'fine' })).statusCode).toBe(200);
  });

  it('control routes are never faulted, by rules or by X-Mock-Response', async () => {
    const app = buildTestDoor(door);
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
    const app = buildTestDoor(door);
    const res = await ctl(app, 'POST', '/faults', spec);
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).code).toBe(400);
    expect(await faultsOf(app)).toEqual([]);
    expect((await api(app, 'GET', '/keys')).statusCode).toBe(200);
  });

  it(`rule ${MAX_FAULT_RULES + 1} is a 400 naming the limit; the rules stay as they were`, async () => {
    const app = buildTestDoor(door);
    for (let i = 0; i < MAX_FAULT_RULES; i++) await app.handle.fault({ match: { hash: `h${i}` }, status: 500 });
    const before = await faultsOf(app);
    const res = await ctl(app, 'POST', '/faults', { status: 503 });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toContain(`at most ${MAX_FAULT_RULES} fault rules`);
    expect(await faultsOf(app)).toEqual(before);
    expect((await api(app, 'GET', '/keys')).statusCode).toBe(200);
  });

  it('a rule of nested "**" (a backtracking pattern) is matched at once: the requests it meets and misses answer', async () => {
    const app = buildTestDoor(door);
    await addFault(app, { match: { path: '/keys/**a**a**a**a**a**a**a**a**a**a**b' }, status: 503 });
    expect((await api(app, 'GET', `/keys/${'a'.repeat(99)}`)).statusCode).toBe(404);
    expectEnvelope(await api(app, 'GET', `/keys/${'a'.repeat(99)}b`), 503);
  });
});

describe.each(DOORS)('X-Mock-Response (one-shot, per request) (%s door)', (door) => {
  it('status=429 answers 429 with Retry-After on any API route', async () => {
    const app = buildTestDoor(door);
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
    const app = buildTestDoor(door);
    const res = await call(app, 'GET', '/keys', undefined, { 'x-mock-response': 'status=503; message=down' });
    expect(expectEnvelope(res, 503).message).toBe('down');
  });

  it('retry_after=9 sets Retry-After', async () => {
    const app = buildTestDoor(door);
    const res = await call(app, 'GET', '/keys', undefined, { 'x-mock-response': 'status=503; retry_after=9' });
    expect(res.headers['retry-after']).toBe('9');
  });

  it('credentials come first: without them the header changes nothing (401)', async () => {
    const app = buildTestDoor(door);
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
    const app = buildTestDoor(door);
    const before = (await ctl(app, 'GET', '/state')).body;
    const res = await call(app, 'POST', '/keys', { name: 'never' }, { 'x-mock-response': header });
    expectEnvelope(res, 400);
    expect(errorOf(res).message).toMatch(/X-Mock-Response/);
    expect((await ctl(app, 'GET', '/state')).body).toBe(before);
  });

  it('the header wins over a matching rule, for that request only', async () => {
    const app = buildTestDoor(door);
    await addFault(app, { match: { path: '/keys' }, status: 500, times: 1 });
    expectEnvelope(await call(app, 'GET', '/keys', undefined, { 'x-mock-response': 'status=418' }), 418);
    expectEnvelope(await api(app, 'GET', '/keys'), 500);
  });
});

