/**
 * Faults a socket shows — `reset`, `timeout`, delays, global latency — and the SDK's retries, over
 * a real listening server (the fetch handler's: test/fetch/).
 */
import { OpenRouter } from '@openrouter/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/domain/journal.js';
import type { KeyView } from '../../src/domain/types.js';
import { createMockServer, type MockServer } from '../../src/server.js';
import { DOCS_HASH, TEST_NOW } from '../helpers/build.js';

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
    expect(await server.faults()).toMatchObject([{ remaining: 0, hits: 2, state: 'used_up' }]);
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
