/**
 * The log never holds a plaintext key or an Authorization header, wherever the secret arrives:
 * the path, the query string (as is or percent-encoded), the request id. The app's log lines are
 * read from a stream given to buildApp.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { buildApp } from '../src/app.js';
import { resolveConfig } from '../src/config.js';
import { createMockRuntime } from '../src/runtime.js';
import { bearer, ctl, MANAGEMENT_KEY, TEST_NOW } from './helpers/build.js';

const SECRET_HEX = 'cd34'.repeat(16);
const KEY = `sk-or-v1-${SECRET_HEX}`;
const LABEL = 'sk-or-v1-cd3...cd34';
const ESCAPED = `sk%2Dor%2Dv1%2D${SECRET_HEX}`;

function loggedApp(options: Parameters<typeof resolveConfig>[0] = {}) {
  const lines: string[] = [];
  const config = resolveConfig({ logLevel: 'info', now: TEST_NOW, ...options });
  const app = buildApp(config, createMockRuntime(config, () => 0), { logStream: { write: (line) => void lines.push(line) } });
  onTestFinished(() => app.close());
  return { app, lines };
}

/** The URL pino logged for the request with this id ("incoming request"). */
const loggedUrl = (lines: string[], reqId: string): string | undefined =>
  lines.map((line) => JSON.parse(line) as { reqId?: string; req?: { url: string } }).find((entry) => entry.reqId === reqId && entry.req)?.req?.url;

describe('the log', () => {
  it.each([
    ['a key where the hash belongs', `/api/v1/keys/${KEY}`, `/api/v1/keys/${LABEL}`],
    ['a key in the query string', `/api/v1/keys?x=${KEY}&offset=0`, `/api/v1/keys?x=${LABEL}&offset=0`],
    ['a percent-encoded key where the hash belongs', `/api/v1/keys/${ESCAPED}`, `/api/v1/keys/${LABEL}`],
    ['a percent-encoded key in the query string', `/api/v1/keys?x=${ESCAPED}`, `/api/v1/keys?x=${LABEL}`],
    ['a secret-named query field', '/api/v1/keys?api_key=hunter2-secret', '/api/v1/keys?api_key=[redacted]'],
    ['a key in a URL the router cannot read', `/api/v1/keys/${KEY}%E0%A4%A`, `/api/v1/keys/${LABEL}%E0%A4%A`],
    ['a key in a control route', `/__mock/keys/${KEY}/usage`, `/__mock/keys/${LABEL}/usage`],
  ])('shows %s masked, as the journal does', async (_what, url, shown) => {
    const { app, lines } = loggedApp();
    const res = await app.inject({ method: 'GET', url, headers: { ...bearer(), 'x-request-id': 'probe' } });
    expect(res.statusCode).toBeLessThan(500);
    expect(loggedUrl(lines, 'probe')).toBe(shown);
    const log = lines.join('');
    expect(log).not.toContain(SECRET_HEX);
    expect(log).not.toContain('hunter2');
    expect(log).not.toContain(MANAGEMENT_KEY.slice(9));
  });

  it('logs an ordinary URL exactly as it came', async () => {
    const { app, lines } = loggedApp();
    const url = '/api/v1/keys?offset=0&include_disabled=true';
    await app.inject({ method: 'GET', url, headers: { ...bearer(), 'x-request-id': 'plain' } });
    expect(loggedUrl(lines, 'plain')).toBe(url);
  });

  it('masks a key sent as X-Request-Id (it is on every log line of the request, and echoed)', async () => {
    const { app, lines } = loggedApp();
    const res = await app.inject({ method: 'GET', url: '/api/v1/keys', headers: { ...bearer(), 'x-request-id': `trace-${KEY}` } });
    expect(res.headers['x-request-id']).toBe(`trace-${LABEL}`);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain(SECRET_HEX);
    expect(loggedUrl(lines, `trace-${LABEL}`)).toBe('/api/v1/keys');
  });

  it('never writes the Authorization header', async () => {
    const { app, lines } = loggedApp({ logLevel: 'trace' });
    await app.inject({ method: 'PATCH', url: '/api/v1/keys/nope', headers: { ...bearer(KEY), 'content-type': 'application/json' }, payload: '{}' });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain(SECRET_HEX);
  });
});

describe('the journal, by the same rules', () => {
  it('keeps no key that came percent-encoded, in the path, the query or the hash', async () => {
    const { app } = loggedApp({ logLevel: 'silent' });
    await app.inject({ method: 'GET', url: `/api/v1/keys/${ESCAPED}`, headers: bearer() });
    await app.inject({ method: 'GET', url: `/api/v1/keys?x=${ESCAPED}&token=hunter2`, headers: bearer() });
    const journal = await ctl(app, 'GET', '/requests');
    expect(journal.statusCode).toBe(200);
    const [query, path] = (journal.json() as { data: { path: string; query: Record<string, unknown>; hash: string | null }[] }).data;
    expect(path).toMatchObject({ path: `/api/v1/keys/${LABEL}`, hash: LABEL });
    expect(query).toMatchObject({ path: '/api/v1/keys', query: { x: LABEL, token: '[redacted]' } });
    expect(journal.body).not.toContain(SECRET_HEX);
    expect(journal.body).not.toContain('hunter2');
  });
});

describe('keys and secret-named fields, in any name or value position', () => {
  it('never reach the journal, the response or the log (property)', async () => {
    const fc = (await import('fast-check')).default;
    const { app, lines } = loggedApp();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('path', 'query name', 'query value', 'body name', 'body value', 'secret-named query', 'secret-named body', 'content-type'),
        fc.constantFrom('access_token', 'refresh_token', 'client_secret', 'private_key', 'api-key', 'x-api-key', 'Password'),
        async (where, secretName) => {
          lines.length = 0;
          const value = where.startsWith('secret-named') ? 'hunter2-secret' : KEY;
          const url =
            where === 'path' ? `/api/v1/keys/${KEY}` : where === 'query name' ? `/api/v1/keys?${KEY}=1` : where === 'query value' ? `/api/v1/keys?x=${KEY}` : where === 'secret-named query' ? `/api/v1/keys?${secretName}=${value}` : `/api/v1/keys/${'0'.repeat(64)}`;
          const body = where === 'body name' ? { [KEY]: 1 } : where === 'body value' ? { name: KEY } : where === 'secret-named body' ? { [secretName]: value } : undefined;
          const res = await app.inject({
            method: body || where === 'content-type' ? 'PATCH' : 'GET',
            url,
            headers: { ...bearer(), 'content-type': where === 'content-type' ? `text/${KEY}` : 'application/json' },
            ...(body ? { payload: JSON.stringify(body) } : where === 'content-type' ? { payload: 'x' } : {}),
          });
          const journal = (await ctl(app, 'GET', '/requests?limit=1')).body;
          for (const text of [res.body, journal, lines.join('')]) {
            expect(text).not.toContain(SECRET_HEX);
            expect(text).not.toContain('hunter2');
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a strict-mode 400 naming a field whose name is a key masks it', async () => {
    const { app } = loggedApp({ logLevel: 'silent', strict: true });
    const res = await app.inject({ method: 'PATCH', url: `/api/v1/keys/${'0'.repeat(64)}`, headers: { ...bearer(), 'content-type': 'application/json' }, payload: JSON.stringify({ [KEY]: 1 }) });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(LABEL);
    expect(res.body).not.toContain(SECRET_HEX);
  });
});
