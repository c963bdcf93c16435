import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';
import { api, bearer, buildTestApp, DOCS_HASH, errorOf } from './helpers/build.js';

const preflight = (app: ReturnType<typeof buildTestApp>, origin: string, method = 'PATCH') =>
  app.inject({
    method: 'OPTIONS',
    url: `/api/v1/keys/${DOCS_HASH}`,
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization,content-type' },
  });

describe('CORS', () => {
  it.each(['PATCH', 'DELETE', 'POST'])('answers the preflight of a cross-origin %s with Authorization', async (method) => {
    const app = buildTestApp();
    const res = await preflight(app, 'http://localhost:5173', method);
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(String(res.headers['access-control-allow-methods'])).toContain(method);
    expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
    expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain('content-type');
  });

  it('puts the CORS headers on answers and on errors, so a browser can read both', async () => {
    const app = buildTestApp();
    const ok = await app.inject({ method: 'GET', url: '/api/v1/keys', headers: { ...bearer(), origin: 'http://a.test' } });
    const unauthorized = await app.inject({ method: 'GET', url: '/api/v1/keys', headers: { origin: 'http://a.test' } });
    // Answered before routing (a malformed URL), without the app's hooks:
    const badUrl = await app.inject({ method: 'GET', url: '/api/v1/keys/%E0%A4%A', headers: { ...bearer(), origin: 'http://a.test' } });
    expect(badUrl.statusCode).toBe(400);
    for (const res of [ok, unauthorized, badUrl]) {
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(String(res.headers['access-control-expose-headers'])).toContain('Retry-After');
    }
    expect(unauthorized.statusCode).toBe(401);
  });

  it('--cors-origin narrows it to the listed origins', async () => {
    const app = buildTestApp({ corsOrigin: 'http://localhost:5173,https://app.example.com' });
    const allowed = await preflight(app, 'https://app.example.com');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const other = await preflight(app, 'https://evil.example.net');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    // The answer depends on the origin, so caches must key on it.
    for (const res of [allowed, other]) expect(String(res.headers.vary)).toContain('Origin');
    const get = await app.inject({ method: 'GET', url: '/api/v1/keys', headers: { ...bearer(), origin: 'https://app.example.com' } });
    expect(get.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(get.headers.vary).toBe('Origin');
  });

  it.each(['*', 'http://localhost:5173,https://app.example.com'])(
    'with --cors-origin %s every answer carries Vary: Origin, with an Origin, another one or none',
    async (corsOrigin) => {
      // A cache that stored the answer to a request without Origin (no Access-Control-Allow-Origin)
      // must not hand it to a browser's request with one, nor one origin's answer to another.
      const app = buildTestApp({ corsOrigin });
      const requests = [
        api(app, 'GET', '/keys'),
        api(app, 'PATCH', `/keys/${DOCS_HASH}`, { limit: -1 }),
        app.inject({ method: 'GET', url: '/api/v1/keys', headers: { ...bearer(), origin: 'http://localhost:5173' } }),
        app.inject({ method: 'GET', url: '/api/v1/keys', headers: { ...bearer(), origin: 'https://evil.example.net' } }),
        app.inject({ method: 'GET', url: '/api/v1/keys' }),
        app.inject({ method: 'GET', url: '/nowhere' }),
        app.inject({ method: 'GET', url: '/__mock/health' }),
        app.inject({ method: 'GET', url: '/api/v1/keys/%E0%A4%A', headers: bearer() }),
        app.inject({ method: 'OPTIONS', url: '/api/v1/keys' }),
      ];
      for (const res of await Promise.all(requests)) {
        expect(res.headers.vary, `${res.statusCode} ${res.body}`).toBe('Origin');
      }
      expect(String((await preflight(app, 'http://localhost:5173')).headers.vary)).toBe('Origin, Access-Control-Request-Headers');
    },
  );

  it('a preflight reflects the requested headers, is cached 10 minutes, and needs no key', async () => {
    // A control route's preflight, from an origin --control-origins lists (any other is refused).
    const app = buildTestApp({ controlOrigins: 'http://a.test' });
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/__mock/reset',
      headers: { origin: 'http://a.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-mock-response, http-referer' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers['content-length']).toBe('0');
    expect(res.headers['access-control-allow-headers']).toBe('x-mock-response, http-referer');
    expect(res.headers['access-control-max-age']).toBe('600');
    expect(res.headers.vary).toBe('Origin, Access-Control-Request-Headers');
    expect(String(res.headers['access-control-allow-methods']).split(', ')).toEqual(['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS']);
  });

  it('a preflight is never delayed or faulted by a fault rule on its path', async () => {
    const app = buildTestApp();
    await app.inject({ method: 'POST', url: '/__mock/faults', payload: { status: 503, times: 5 } });
    const res = await preflight(app, 'http://a.test');
    expect(res.statusCode).toBe(204);
    expect((await api(app, 'GET', '/keys')).statusCode).toBe(503);
  });

  it('an OPTIONS request that is not a preflight is a 400 in the OpenRouter shape', async () => {
    const app = buildTestApp();
    for (const headers of [{}, { origin: 'http://a.test' }, { 'access-control-request-method': 'PATCH' }]) {
      const res = await app.inject({ method: 'OPTIONS', url: '/api/v1/keys', headers });
      expect(res.statusCode).toBe(400);
      expect(errorOf(res)).toEqual({ code: 400, message: expect.stringContaining('CORS preflight') });
    }
  });

  it('adds only Vary: Origin where no browser asked (no Origin): the other CORS headers would only cost time', async () => {
    for (const corsOrigin of ['*', 'http://localhost:5173']) {
      const app = buildTestApp({ corsOrigin });
      const res = await api(app, 'GET', '/keys');
      expect(res.statusCode).toBe(200);
      expect(Object.keys(res.headers).filter((name) => name.startsWith('access-control-') || name === 'vary')).toEqual(['vary']);
    }
  });
});

describe('every response', () => {
  it('carries x-mock-server and a request id, also on errors and unknown routes', async () => {
    const app = buildTestApp();
    const responses = [
      await api(app, 'GET', '/keys'),
      await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { limit: -1 }),
      await app.inject({ method: 'GET', url: '/nowhere' }),
      await app.inject({ method: 'GET', url: '/__mock/health' }),
      // Answered before routing, without the app's hooks:
      await app.inject({ method: 'GET', url: '/api/v1/keys/%E0%A4%A', headers: bearer() }),
      await app.inject({ method: 'GET', url: `/api/v1/keys/${'a'.repeat(101)}`, headers: bearer() }),
    ];
    const ids = new Set<string>();
    for (const res of responses) {
      expect(res.headers['x-mock-server']).toBe(`openrouter-keys-mock/${VERSION}`);
      expect(res.headers['x-request-id']).toBeTruthy();
      ids.add(String(res.headers['x-request-id']));
    }
    expect(ids.size).toBe(responses.length);
  });

  it("echoes the caller's X-Request-Id", async () => {
    const app = buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/api/v1/keys', headers: { ...bearer(), 'x-request-id': 'trace-42' } });
    expect(res.headers['x-request-id']).toBe('trace-42');
  });
});

describe("the headers every answer carries, written into the reply's own header object", () => {
  // src/app.ts finds Fastify's header object by its symbol's description (Fastify exports none) and
  // falls back to reply.header() without it: the answer stays right, only slower. This says when
  // a Fastify upgrade renames it, so the fast path is not lost in silence.
  it("the installed Fastify keeps a reply's headers under the symbol 'fastify.reply.headers', and the answer carries them", async () => {
    const app = buildTestApp();
    let holds: Record<string, unknown> | undefined;
    app.addHook('onSend', async (_request, reply, payload) => {
      const symbol = Object.getOwnPropertySymbols(reply).find((s) => s.description === 'fastify.reply.headers');
      holds = symbol && ((reply as unknown as Record<symbol, Record<string, unknown>>)[symbol]);
      return payload;
    });
    const res = await api(app, 'GET', `/keys/${DOCS_HASH}`);
    expect(res.statusCode).toBe(200);
    expect(holds?.['x-mock-server']).toBe(`openrouter-keys-mock/${VERSION}`);
    expect(res.headers['x-mock-server']).toBe(`openrouter-keys-mock/${VERSION}`);
    expect(res.headers['x-request-id']).toBe(holds?.['x-request-id']);
  });
});
