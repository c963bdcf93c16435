import { errorCodes, type FastifyError, type FastifyRequest } from 'fastify';
import { connect } from 'node:net';
import { Duplex } from 'node:stream';
import { maxHeaderSize } from 'node:http';
import { describe, expect, it } from 'vitest';
import { toApiError } from '../../src/plugins/error-handler.js';
import { VERSION } from '../../src/version.js';
import { api, bearer, buildTestApp, DOCS_HASH, errorOf, MANAGEMENT_KEY } from '../helpers/build.js';

/** Fastify's own wording, from its error table: none of it may reach a client. */
const FASTIFY_WORDING = Object.values(errorCodes)
  .flatMap((FastifyErrorClass) =>
    // The fixed parts of each message, between its placeholders.
    new (FastifyErrorClass as new (...args: string[]) => Error)('\u0000', '\u0000', '\u0000').message.split(/\u0000|%s/),
  )
  .map((text) => text.replace(/^'|'$/g, '').trim())
  .filter((text) => text.length > 8);

function expectOwnWords(message: string): void {
  for (const text of FASTIFY_WORDING) expect(message, `Fastify's "${text}"`).not.toContain(text);
  expect(message).not.toMatch(/FST_|Request failed with status/);
}

/** A listening copy of the app, and a raw socket to it: what Node's own parser sees. */
async function rawExchange(app: ReturnType<typeof buildTestApp>, bytes: string, { halfClose = false } = {}): Promise<string> {
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return new Promise<string>((resolve, reject) => {
    let out = '';
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => {
      socket.write(bytes);
      if (halfClose) socket.end();
    });
    socket.on('data', (d) => (out += String(d)));
    socket.on('end', () => {
      socket.destroy();
      resolve(out);
    });
    socket.on('error', reject);
  });
}

/** Status line, headers (lower-cased names) and envelope of a raw HTTP answer. */
function parseRaw(raw: string): { status: number; headers: Record<string, string>; error: { code: number; message: string } } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  const parsed = JSON.parse(body) as { error: { code: number; message: string } };
  expect(Object.keys(parsed)).toEqual(['error']);
  return { status: Number(statusLine.split(' ')[1]), headers, error: parsed.error };
}

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

  it.each([
    ['a malformed request line', 'NOT HTTP AT ALL\r\n\r\n', {}, 400, 'Malformed HTTP request: it could not be parsed (HPE_INVALID_METHOD)'],
    ['a control character in the path', 'GET /api/v1/\u0001 HTTP/1.1\r\nHost: x\r\n\r\n', {}, 400, 'Malformed HTTP request: it could not be parsed (HPE_INVALID_URL)'],
    [
      'a 20 KB header',
      `GET /api/v1/keys HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      {},
      431,
      `Request header fields too large: the limit is ${maxHeaderSize} bytes in all`,
    ],
    [
      'a body shorter than its Content-Length, then the end of the connection',
      `PATCH /api/v1/keys/${DOCS_HASH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${MANAGEMENT_KEY}\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"name":"x"}`,
      { halfClose: true },
      400,
      'Incomplete request: the connection ended before the whole request arrived',
    ],
  ])('%s: answered by Node\'s parser in the envelope, with x-mock-server and a request id', async (_what, bytes, how, status, message) => {
    const app = buildTestApp();
    const answer = parseRaw(await rawExchange(app, bytes, how));
    expect(answer.status).toBe(status);
    expect(answer.error).toEqual({ code: status, message });
    expect(answer.headers['x-mock-server']).toBe(`openrouter-keys-mock/${VERSION}`);
    expect(answer.headers['x-request-id']).toMatch(/^req-[0-9a-z]+$/);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    // The key was not changed by the truncated PATCH.
    expect((await api(app, 'GET', `/keys/${DOCS_HASH}`)).json()).toMatchObject({ data: { name: 'My Production Key' } });
  });

  it('a request that does not arrive in time (Node\'s request timeout): 408 in the envelope', async () => {
    // Node checks its timeouts every 30 s at the earliest: its clientError is raised here directly.
    const app = buildTestApp();
    await app.ready();
    let written = '';
    const socket = new Duplex({
      read() {},
      write(chunk, _encoding, done) {
        written += String(chunk);
        done();
      },
    });
    app.server.emit('clientError', Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket);
    const answer = parseRaw(written);
    expect(answer.status).toBe(408);
    expect(answer.error).toEqual({ code: 408, message: 'Request timeout: the whole request did not arrive in time' });
    expect(answer.headers['x-mock-server']).toBe(`openrouter-keys-mock/${VERSION}`);
    expect(answer.headers['x-request-id']).toMatch(/^req-/);
  });

  it('requests the parser rejects are numbered with the others: no id is given twice', async () => {
    const app = buildTestApp();
    const first = parseRaw(await rawExchange(app, 'NOT HTTP\r\n\r\n')).headers['x-request-id'];
    const between = (await app.inject({ method: 'GET', url: '/__mock/health' })).headers['x-request-id'];
    const second = parseRaw(await rawExchange(app, 'NOT HTTP\r\n\r\n')).headers['x-request-id'];
    expect(new Set([first, between, second]).size).toBe(3);
  });

  it('a body whose size does not match its Content-Length: 400 in the project\'s words', async () => {
    const app = buildTestApp();
    const res = await app.inject({
      method: 'PATCH',
      url: `/api/v1/keys/${DOCS_HASH}`,
      headers: { ...bearer(), 'content-type': 'application/json', 'content-length': '50' },
      payload: '{"name":"x"}',
    });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toBe('Invalid request body: its length does not match the Content-Length header');
    expect((await api(app, 'GET', `/keys/${DOCS_HASH}`)).json()).toMatchObject({ data: { name: 'My Production Key' } });
  });

  it('a hash over 100 characters: 414 saying so; 100 characters is an unknown hash (404)', async () => {
    const app = buildTestApp();
    const long = await api(app, 'PATCH', `/keys/${'a'.repeat(101)}`, { name: 'x' });
    expect(long.statusCode).toBe(414);
    expect(errorOf(long).message).toBe('Path segment too long: a path parameter has at most 100 characters (a key hash has 64)');
    expect((await api(app, 'GET', `/keys/${'a'.repeat(100)}`)).statusCode).toBe(404);
  });

  it.each(['GET', 'PATCH', 'DELETE'] as const)('%s /api/v1/keys/ (no hash): 400 naming the missing hash, after authentication', async (method) => {
    const app = buildTestApp();
    const res = await api(app, method, '/keys/', method === 'PATCH' ? { name: 'x' } : undefined);
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toBe('Invalid path parameter: field "hash" must not be empty');
    expect((await app.inject({ method, url: '/api/v1/keys/' })).statusCode).toBe(401);
  });

  it('a malformed URL: the message says what is wrong without echoing it', async () => {
    const app = buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/api/v1/keys/%E0%A4%A', headers: bearer() });
    expect(errorOf(res)).toEqual({ code: 400, message: 'Malformed URL: the path or query string has an invalid percent-encoding (%XX)' });
  });

  it("every message is the project's own, never Fastify's wording", async () => {
    const app = buildTestApp({ bodyLimit: 100 });
    const json = { ...bearer(), 'content-type': 'application/json' };
    const url = `/api/v1/keys/${DOCS_HASH}`;
    const responses = await Promise.all([
      app.inject({ method: 'PATCH', url, headers: json, payload: '{bad' }),
      app.inject({ method: 'PATCH', url, headers: json, payload: '' }),
      app.inject({ method: 'PATCH', url, headers: json, payload: 'x'.repeat(500) }),
      app.inject({ method: 'PATCH', url, headers: { ...bearer(), 'content-type': 'text/plain' }, payload: 'x' }),
      app.inject({ method: 'PATCH', url, headers: { ...json, 'content-length': '50' }, payload: '{}' }),
      app.inject({ method: 'PATCH', url: `/api/v1/keys/${'a'.repeat(101)}`, headers: json, payload: '{}' }),
      app.inject({ method: 'GET', url: '/api/v1/keys/%E0%A4%A', headers: bearer() }),
      app.inject({ method: 'GET', url: '/api/v1/keys/', headers: bearer() }),
      app.inject({ method: 'GET', url: '/api/v1/keys?offset=x', headers: bearer() }),
      app.inject({ method: 'GET', url: '/nowhere' }),
    ]);
    expect(FASTIFY_WORDING.length).toBeGreaterThan(50);
    expect(responses.map((res) => res.statusCode)).toEqual([400, 400, 413, 415, 400, 414, 400, 400, 400, 404]);
    for (const res of responses) expectOwnWords(errorOf(res).message);
  });

  it.each([
    ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400],
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400],
    ['FST_ERR_MAX_PARAM_LENGTH', 414],
    ['FST_ERR_BAD_URL', 400],
    ['FST_ERR_INVALID_URL', 400],
    ['FST_ERR_ROUTE_MISSING_CONTENT_TYPE', 415],
  ] as const)('%s has its own entry in the message table', (code, status) => {
    const error = new (errorCodes[code] as new (...args: string[]) => FastifyError)('x', 'y');
    const request = { headers: { 'content-type': 'text/plain' }, routeOptions: { bodyLimit: 1234 } } as unknown as FastifyRequest;
    const apiErr = toApiError(error, request);
    expect(apiErr.status).toBe(status);
    expect(['clientError', 'unreadableRequest', 'internal', 'badRequest']).not.toContain(apiErr.id);
    expectOwnWords(apiErr.message);
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
