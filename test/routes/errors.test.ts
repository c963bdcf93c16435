import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { api, bearer, buildTestApp, DOCS_HASH, errorOf } from '../helpers/build.js';

const patch = (app: ReturnType<typeof buildTestApp>, headers: Record<string, string>, payload?: string) =>
  app.inject({ method: 'PATCH', url: `/api/v1/keys/${DOCS_HASH}`, headers: { ...bearer(), ...headers }, payload });

describe('error shapes and statuses', () => {
  it('malformed JSON: 400 in the envelope, key unchanged', async () => {
    const app = buildTestApp();
    const before = (await api(app, 'GET', `/keys/${DOCS_HASH}`)).body;
    for (const payload of ['{bad', '{"name":', '{"name":"x",}', "{'name':'x'}"]) {
      const res = await patch(app, { 'content-type': 'application/json' }, payload);
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).message).toMatch(/not valid JSON/);
    }
    expect((await api(app, 'GET', `/keys/${DOCS_HASH}`)).body).toBe(before);
  });

  it('prototype poisoning attempts are refused with 400', async () => {
    const app = buildTestApp();
    const res = await patch(app, { 'content-type': 'application/json' }, '{"__proto__":{"disabled":true},"name":"x"}');
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).code).toBe(400);
  });

  it('an empty JSON body: 400', async () => {
    const app = buildTestApp();
    const res = await patch(app, { 'content-type': 'application/json' }, '');
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toContain('empty');
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml'])(
    'Content-Type %s: 415',
    async (type) => {
      const app = buildTestApp();
      const res = await patch(app, { 'content-type': type }, 'name=x');
      expect(res.statusCode).toBe(415);
      expect(errorOf(res).message).toContain('application/json');
    },
  );

  it('a body without Content-Type: 415', async () => {
    const app = buildTestApp();
    const res = await patch(app, {}, '{"name":"x"}');
    expect(res.statusCode).toBe(415);
  });

  it('accepts application/json with a charset', async () => {
    const app = buildTestApp();
    const res = await patch(app, { 'content-type': 'application/json; charset=utf-8' }, '{"name":"x"}');
    expect(res.statusCode).toBe(200);
  });

  it('a body over the limit: 413, configurable', async () => {
    const app = buildTestApp({ bodyLimit: 1024 });
    const res = await patch(app, { 'content-type': 'application/json' }, JSON.stringify({ name: 'x'.repeat(2000) }));
    expect(res.statusCode).toBe(413);
    expect(errorOf(res).message).toContain('1024');
    const fits = await patch(app, { 'content-type': 'application/json' }, JSON.stringify({ name: 'x'.repeat(900) }));
    expect(fits.statusCode).toBe(200);
  });

  it('the default limit is 1 MiB', async () => {
    const app = buildTestApp();
    const res = await patch(app, { 'content-type': 'application/json' }, JSON.stringify({ name: 'x'.repeat(1_100_000) }));
    expect(res.statusCode).toBe(413);
  });

  it.each([
    ['GET', '/api/v1/nope'],
    ['GET', '/api/v2/keys'],
    ['PUT', `/api/v1/keys/${DOCS_HASH}`],
    ['POST', `/api/v1/keys/${DOCS_HASH}`],
    ['GET', '/'],
  ] as const)('unknown route %s %s: 404 with or without credentials', async (method, url) => {
    const app = buildTestApp();
    for (const headers of [{}, bearer(), { authorization: 'Bearer wrong' }]) {
      const res = await app.inject({ method, url, headers });
      expect(res.statusCode).toBe(404);
      expect(errorOf(res).code).toBe(404);
    }
  });

  it('a malformed URL: 400 in the envelope', async () => {
    const app = buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/api/v1/keys/%E0%A4%A', headers: bearer() });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).code).toBe(400);
  });

  it('a request Node cannot parse gets the envelope on the socket', async () => {
    const app = buildTestApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const raw = await new Promise<string>((resolve, reject) => {
      let out = '';
      const socket = connect(port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      socket.on('data', (d) => (out += String(d)));
      socket.on('end', () => resolve(out));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 400, message: expect.any(String) } });
  });

  it('errors never carry a stack trace or Fastify fields', async () => {
    const app = buildTestApp();
    const responses = await Promise.all([
      patch(app, { 'content-type': 'application/json' }, '{bad'),
      patch(app, { 'content-type': 'application/json' }, '{"limit":"x"}'),
      app.inject({ method: 'GET', url: '/api/v1/keys' }),
      app.inject({ method: 'GET', url: '/nowhere' }),
    ]);
    for (const res of responses) {
      const body = res.json() as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['error']);
      expect(Object.keys(body.error as object).sort()).toEqual(['code', 'message']);
      expect(res.body).not.toMatch(/statusCode|FST_|at .*\.js/);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    }
  });

  it('order: 401 before 415/400/413, and 400 before 404', async () => {
    const app = buildTestApp({ bodyLimit: 100 });
    const unknown = `/api/v1/keys/${'0'.repeat(64)}`;
    const noAuth = { 'content-type': 'application/json' };
    expect((await app.inject({ method: 'PATCH', url: unknown, headers: noAuth, payload: '{bad' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'PATCH', url: unknown, headers: noAuth, payload: 'x'.repeat(500) })).statusCode).toBe(401);
    expect((await app.inject({ method: 'PATCH', url: unknown, headers: { ...bearer(), 'content-type': 'text/plain' }, payload: 'x' })).statusCode).toBe(415);
    expect((await app.inject({ method: 'PATCH', url: unknown, headers: { ...bearer(), ...noAuth }, payload: 'x'.repeat(500) })).statusCode).toBe(413);
    expect((await app.inject({ method: 'PATCH', url: unknown, headers: { ...bearer(), ...noAuth }, payload: '{"limit":-1}' })).statusCode).toBe(400);
    expect((await app.inject({ method: 'PATCH', url: unknown, headers: { ...bearer(), ...noAuth }, payload: '{"limit":1}' })).statusCode).toBe(404);
  });
});
