import { describe, expect, it } from 'vitest';
import { hostAllowed } from '../../src/http/access.js';
import { bearer, buildTestApp, errorOf } from '../helpers/build.js';

type App = ReturnType<typeof buildTestApp>;
const state = async (app: App) => (await app.inject({ method: 'GET', url: '/__mock/state' })).body;
const accounts = async (app: App) => (await app.inject({ method: 'GET', url: '/__mock/accounts' })).json().data.length as number;

describe('other web pages cannot reach the control plane', () => {
  it.each(['/__mock/scenarios/empty', '/__mock/accounts', '/__mock/reset'])(
    "a simple (no-cors) POST to %s from another origin is a 403 in the API's envelope and changes nothing",
    async (url) => {
      const app = buildTestApp();
      const before = await state(app);
      // What a page's `fetch(url, { method: 'POST', mode: 'no-cors' })` sends: no preflight.
      for (const headers of [
        { origin: 'http://localhost:5173', 'sec-fetch-site': 'same-site', 'content-type': 'text/plain' },
        { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' },
        { origin: 'null', 'content-type': 'application/x-www-form-urlencoded' },
      ]) {
        const res = await app.inject({ method: 'POST', url, headers, payload: '{}' });
        expect(res.statusCode, res.body).toBe(403);
        expect(errorOf(res)).toEqual({ code: 403, message: expect.stringContaining('--control-origins') });
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
      }
      expect(await state(app)).toBe(before);
      expect(await accounts(app)).toBe(1);
    },
  );

  it('reads from another origin are refused too: the state, a management key, the event stream, the inspector', async () => {
    const app = buildTestApp();
    const id = (await app.inject({ method: 'GET', url: '/__mock/accounts' })).json().data[0].id as string;
    for (const url of ['/__mock/state', `/__mock/accounts/${id}/management-key`, '/__mock/events', '/__mock/ui/', '/__mock/clock']) {
      const res = await app.inject({ method: 'GET', url, headers: { origin: 'http://localhost:5173' } });
      expect(res.statusCode, url).toBe(403);
      expect(res.body).not.toContain('sk-or-v1-');
    }
  });

  it('a percent-encoded path meets the same guard (it routes to the same route)', async () => {
    const app = buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/%5F%5Fmock/state', headers: { origin: 'http://localhost:5173' } });
    expect(res.statusCode).toBe(403);
  });

  it('Sec-Fetch-Site: cross-site is refused even without an Origin (a cross-site navigation or no-cors GET)', async () => {
    const app = buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/__mock/state', headers: { 'sec-fetch-site': 'cross-site' } });
    expect(res.statusCode).toBe(403);
    expect(errorOf(res).message).toContain('Sec-Fetch-Site');
  });

  it("the mock's own origin may (the inspector's calls), with or without Sec-Fetch-Site", async () => {
    const app = buildTestApp();
    for (const headers of [
      { host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080', 'sec-fetch-site': 'same-origin' },
      { host: 'localhost:8080', origin: 'http://localhost:8080' },
      // behind a TLS proxy that keeps the Host
      { host: 'mock.localhost', origin: 'https://mock.localhost' },
    ]) {
      const res = await app.inject({ method: 'POST', url: '/__mock/accounts', headers: { ...headers, 'content-type': 'application/json' }, payload: '{}' });
      expect(res.statusCode, JSON.stringify(headers)).toBe(201);
      // Same-origin needs no CORS headers, and the control plane never says "*".
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('--control-origins lists other origins: they may, with their own Access-Control-Allow-Origin, also cross-site', async () => {
    const app = buildTestApp({ controlOrigins: 'http://localhost:5173,https://app.example.com' });
    const local = await app.inject({ method: 'GET', url: '/__mock/clock', headers: { origin: 'http://localhost:5173', 'sec-fetch-site': 'same-site' } });
    expect(local.statusCode).toBe(200);
    expect(local.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(String(local.headers['access-control-expose-headers'])).toContain('X-Request-Id');
    const far = await app.inject({ method: 'GET', url: '/__mock/clock', headers: { origin: 'https://app.example.com', 'sec-fetch-site': 'cross-site' } });
    expect(far.statusCode).toBe(200);
    const other = await app.inject({ method: 'GET', url: '/__mock/clock', headers: { origin: 'http://localhost:3000' } });
    expect(other.statusCode).toBe(403);
  });

  it('a preflight for a control route from an origin not listed is a 403; from a listed one, a 204 naming it', async () => {
    const app = buildTestApp({ controlOrigins: 'http://localhost:5173' });
    const ask = (origin: string) =>
      app.inject({ method: 'OPTIONS', url: '/__mock/reset', headers: { origin, 'access-control-request-method': 'POST' } });
    const refused = await ask('https://evil.example');
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    const allowed = await ask('http://localhost:5173');
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:5173');
  });

  it('--cors-origin does not open the control plane: the two lists are apart', async () => {
    const app = buildTestApp({ corsOrigin: 'http://localhost:5173' });
    const res = await app.inject({ method: 'GET', url: '/__mock/state', headers: { origin: 'http://localhost:5173' } });
    expect(res.statusCode).toBe(403);
  });

  it('the API keeps its permissive CORS, and /__mock/health stays open to all', async () => {
    const app = buildTestApp();
    const headers = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', host: 'evil.example' };
    const keys = await app.inject({ method: 'GET', url: '/api/v1/keys', headers: { ...headers, ...bearer() } });
    expect(keys.statusCode).toBe(200);
    expect(keys.headers['access-control-allow-origin']).toBe('*');
    const health = await app.inject({ method: 'GET', url: '/__mock/health', headers });
    expect(health.statusCode).toBe(200);
  });
});

describe('DNS rebinding: the control plane answers only the Host names it knows', () => {
  it.each(['evil.example', 'evil.example:8080', 'localhost.evil.example', '127.0.0.1.nip.io', 'user@127.0.0.1', 'a b'])(
    'Host %s is a 403 on the control plane, the event stream and the inspector, and changes nothing',
    async (host) => {
      const app = buildTestApp();
      const before = await state(app);
      for (const [method, url] of [['POST', '/__mock/scenarios/empty'], ['GET', '/__mock/state'], ['GET', '/__mock/events'], ['GET', '/__mock/ui/']] as const) {
        const res = await app.inject({ method, url, headers: { host } });
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        expect(errorOf(res).message).toContain('--allowed-hosts');
      }
      expect(await state(app)).toBe(before);
    },
  );

  it('localhost, *.localhost and IP addresses are answered', () => {
    for (const host of ['localhost', 'localhost:8080', 'app.localhost:5173', '127.0.0.1', '127.0.0.1:8080', '10.0.0.7:80', '[::1]:8080', '[::]', 'LOCALHOST:1']) {
      expect(hostAllowed(host, []), host).toBe(true);
    }
    expect(hostAllowed(undefined, []), 'no Host: not a browser').toBe(true);
  });

  it('--allowed-hosts adds names (.example.com: it and its subdomains), or * any', async () => {
    expect(hostAllowed('openrouter-mock:8080', ['openrouter-mock'])).toBe(true);
    expect(hostAllowed('mock.example.com', ['.example.com'])).toBe(true);
    expect(hostAllowed('example.com', ['.example.com'])).toBe(true);
    expect(hostAllowed('badexample.com', ['.example.com'])).toBe(false);
    expect(hostAllowed('anything.test', '*')).toBe(true);
    const app = buildTestApp({ allowedHosts: 'openrouter-mock' });
    const res = await app.inject({ method: 'GET', url: '/__mock/state', headers: { host: 'openrouter-mock:8080' } });
    expect(res.statusCode).toBe(200);
  });
});
