/**
 * The MSW door under msw 3 (the peer range is ^2.7 || ^3). `msw3` is an npm alias of msw@3, and
 * `vi.mock` hands it to src/msw.ts in place of its `import … from 'msw'`, so the handlers are msw 3
 * handlers and `setupServer` from msw 3 runs them. msw 3 needs Node 22.12 or newer (its `engines`),
 * so on older Node this file skips, saying why; test/msw/sdk.test.ts covers msw 2 on every Node.
 */
import { OpenRouter } from '@openrouter/sdk';
import { ConnectionError } from '@openrouter/sdk/models/errors';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AnyHandler } from 'msw3';
import type { SetupServer } from 'msw3/node';
import type { MockFetch } from '../../src/fetch.js';
import { DOCS_HASH, TEST_NOW } from '../helpers/build.js';

vi.mock('msw', async () => await import('msw3'));
// The SDK would take its base URL from here instead of its default; the test is about the default.
vi.stubEnv('OPENROUTER_BASE_URL', undefined);

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const msw3Runs = major > 22 || (major === 22 && minor >= 12);
if (!msw3Runs) console.warn(`msw 3 tests skipped: msw 3 needs Node >= 22.12, this is Node ${process.versions.node}`);

describe.skipIf(!msw3Runs)('msw 3: setupServer from msw 3 with the handlers built on msw 3', () => {
  let mock: MockFetch;
  let server: SetupServer;

  beforeAll(async () => {
    // Imported here, not at the top: on Node < 22.12 msw 3 is never loaded.
    const msw3 = await import('msw3');
    const { setupServer } = await import('msw3/node');
    const { createMswHandlers } = await import('../../src/msw.js');
    const built = await createMswHandlers({ seed: 7, now: TEST_NOW });
    // The mock took msw 3's `http`: its handlers are msw 3's own class.
    expect(built.handlers[0]).toBeInstanceOf(msw3.HttpHandler);
    mock = built.mock;
    // Typed as msw 2's handlers (types do not see the vi.mock); at run time they are msw 3's.
    // Beside them, the app's own handler for an endpoint the mock does not serve.
    const appEmbeddings = msw3.http.post('https://openrouter.ai/api/v1/embeddings', () => msw3.HttpResponse.json({ object: 'list', data: [], model: 'from-the-app' }));
    server = setupServer(...(built.handlers as unknown as AnyHandler[]), appEmbeddings);
    // msw 3's name for msw 2's `onUnhandledRequest`.
    server.listen({ onUnhandledFrame: 'error' });
  });
  afterAll(() => server?.close());

  const client = () => new OpenRouter({ apiKey: mock.managementKey, retryConfig: { strategy: 'none' } });

  it('the SDK at its default URL lists, updates and reads a key back', async () => {
    const { data: keys } = await client().apiKeys.list();
    expect(keys.map((k) => k.hash)).toContain(DOCS_HASH);
    const { data: updated } = await client().apiKeys.update({ hash: DOCS_HASH, requestBody: { name: 'renamed under msw 3', limit: 20 } });
    expect(updated).toMatchObject({ name: 'renamed under msw 3', limit: 20 });
    const { data: read } = await client().apiKeys.get({ hash: DOCS_HASH });
    expect(read).toEqual(updated);
    const [patch] = await mock.requests({ method: 'PATCH' });
    expect(patch).toMatchObject({ status: 200, body: { name: 'renamed under msw 3', limit: 20 } });
  });

  it("an app's handler for POST /api/v1/embeddings, registered after the mock's, answers; the mock's routes still do", async () => {
    const embeddings = await fetch('https://openrouter.ai/api/v1/embeddings', { method: 'POST', body: '{}' });
    expect(await embeddings.json()).toEqual({ object: 'list', data: [], model: 'from-the-app' });
    const listed = await fetch('https://openrouter.ai/api/v1/keys', { headers: { Authorization: `Bearer ${mock.managementKey}` } });
    expect(listed.status).toBe(200);
  });

  it("a malformed percent-escape in a path gets the mock's 400, as on the server", async () => {
    const response = await fetch('https://openrouter.ai/api/v1/keys/%E0%A4%A', { headers: { Authorization: `Bearer ${mock.managementKey}` } });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 400, message: expect.stringContaining('Malformed URL') } });
  });

  it('a request no handler takes is refused, not sent out (onUnhandledFrame: error)', async () => {
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await expect(fetch('https://openrouter.ai/api/v2/keys')).rejects.toThrow();
      expect(reported.mock.calls.map((args) => String(args[0])).join('\n')).toContain('https://openrouter.ai/api/v2/keys');
    } finally {
      reported.mockRestore();
    }
  });

  it("a 'reset' fault is msw 3's network error, which the SDK reports as a connection error; plain fetch then gets its answer", async () => {
    await mock.fault({ match: { method: 'GET', path: '/keys' }, fault: 'reset', times: 1 });
    await expect(client().apiKeys.list()).rejects.toBeInstanceOf(ConnectionError);
    const answered = await fetch('https://openrouter.ai/api/v1/keys', { headers: { Authorization: `Bearer ${mock.managementKey}` } });
    expect(answered.status).toBe(200);
  });

  it("a 'timeout' fault never answers; aborting the request ends it, quietly", async () => {
    await mock.fault({ match: { method: 'PATCH' }, fault: 'timeout', times: 1 });
    const reported = vi.spyOn(console, 'error');
    const controller = new AbortController();
    const pending = fetch(`https://openrouter.ai/api/v1/keys/${DOCS_HASH}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${mock.managementKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'never answered' }),
      signal: controller.signal,
    });
    // Abort once the mock has the request (journalled as unanswered), not after a guessed delay.
    await vi.waitFor(async () => expect(await mock.requests({ method: 'PATCH', status: 0 })).toHaveLength(1));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    // The caller gave up; that is no handler failure for MSW to report.
    expect(reported).not.toHaveBeenCalled();
    reported.mockRestore();
  });
});
