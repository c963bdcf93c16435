/**
 * The fetch handler's own behaviour at its edges: what a caller of `fetch` sees that a server's
 * client would see too (the differential test compares the two doors request by request).
 */
import { describe, expect, it } from 'vitest';
import { ApiError, ConfigError, createMockFetch } from '../../src/fetch.js';
import * as main from '../../src/index.js';
import * as msw from '../../src/msw.js';
import { DOCS_HASH, TEST_NOW } from '../helpers/build.js';

describe('createMockFetch: the handler', () => {
  it('answers HEAD with the GET answer’s status and headers, its Content-Type included, and no body', async () => {
    const mock = await createMockFetch({ seed: 7, now: TEST_NOW });
    const headers = { authorization: `Bearer ${mock.managementKey}` };
    const get = await mock.fetch(`/api/v1/keys/${DOCS_HASH}`, { headers });
    const head = await mock.fetch(`/api/v1/keys/${DOCS_HASH}`, { method: 'HEAD', headers });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
    expect(head.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await head.text()).toBe('');
  });

  it('takes a bare path, a full URL on any origin and a Request alike', async () => {
    const mock = await createMockFetch({ seed: 7, now: TEST_NOW });
    const headers = { authorization: `Bearer ${mock.managementKey}` };
    const bodies = await Promise.all([
      mock.fetch('/api/v1/keys', { headers }),
      mock.fetch('https://openrouter.ai/api/v1/keys', { headers }),
      mock.fetch(new URL('http://localhost:1/api/v1/keys'), { headers }),
      mock.fetch(new Request('https://example.test/api/v1/keys', { headers })),
    ].map(async (pending) => (await pending).text()));
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!).data.length).toBeGreaterThan(0);
  });

  it('a reset fault rejects as fetch rejects on a dropped connection', async () => {
    const mock = await createMockFetch({ seed: 7, now: TEST_NOW });
    const sent = mock.fetch('/api/v1/keys', { headers: { authorization: `Bearer ${mock.managementKey}`, 'x-mock-response': 'fault=reset' } });
    await expect(sent).rejects.toThrow(TypeError);
    await expect(sent).rejects.toThrow('fetch failed');
    const [entry] = await mock.requests({ method: 'GET' });
    expect(entry?.status).toBe(0);
  });

  it('exports ConfigError and ApiError, the main entry’s own classes, for an instanceof without the server', async () => {
    expect(ConfigError).toBe(main.ConfigError);
    expect(ApiError).toBe(main.ApiError);
    expect(msw.ConfigError).toBe(main.ConfigError);
    expect(msw.ApiError).toBe(main.ApiError);
    await expect(createMockFetch({ seed: 'x' })).rejects.toBeInstanceOf(ConfigError);
  });

  it('does not export createInProcessMock (the doors’ shared builder is not public)', async () => {
    expect(Object.keys(await import('../../src/fetch.js')).sort()).toEqual(['ApiError', 'ConfigError', 'createMockFetch']);
  });

  it('has no inspector: / (even for a browser) and /__mock/ui/ are 404s, as the README lists', async () => {
    const mock = await createMockFetch({ seed: 7, now: TEST_NOW });
    for (const path of ['/', '/__mock/ui/', '/__mock/ui']) {
      const answer = await mock.fetch(path, { headers: { accept: 'text/html,application/xhtml+xml' } });
      expect(answer.status, path).toBe(404);
      expect(answer.headers.get('location'), path).toBeNull();
    }
  });
});
