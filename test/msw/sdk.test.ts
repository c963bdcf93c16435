/**
 * The MSW door in Node (msw 2): `setupServer` with the mock's handlers, and the official SDK left
 * at its default server URL (https://openrouter.ai/api/v1), as an app under test would use it.
 * Nothing listens on a port; `onUnhandledRequest: 'error'` proves every call was intercepted.
 */
import { OpenRouter } from '@openrouter/sdk';
import { ConnectionError, RequestAbortedError, TooManyRequestsResponseError, UnexpectedClientError } from '@openrouter/sdk/models/errors';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MockFetch } from '../../src/fetch.js';
import { createMswHandlers } from '../../src/msw.js';
import { DOCS_HASH, TEST_NOW } from '../helpers/build.js';
import { rejection } from '../helpers/promises.js';

// The SDK would take its base URL from here instead of its default; the test is about the default.
vi.stubEnv('OPENROUTER_BASE_URL', undefined);

const { handlers, mock } = await createMswHandlers({ seed: 7, now: TEST_NOW });
const server = setupServer(...handlers);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(async () => {
  await mock.reset();
});
afterAll(() => server.close());

/** No retries: a fault's answer reaches the test as it is, not after the SDK's backoff. */
const client = (apiKey = mock.managementKey) => new OpenRouter({ apiKey, retryConfig: { strategy: 'none' } });

/** A key's name as the handle's state document holds it (not through the handlers). */
async function nameIn(handle: MockFetch, hash: string): Promise<string | undefined> {
  const { accounts } = await handle.state();
  return accounts.flatMap((a) => a.keys).find((k) => k.hash === hash)?.name;
}


describe('the official SDK at its default URL, answered by the MSW handlers', () => {
  it('lists, updates, reads back, creates and deletes keys; the handle sees the same state', async () => {
    const sdk = client();
    const { data: keys } = await sdk.apiKeys.list();
    expect(keys.map((k) => k.hash)).toContain(DOCS_HASH);

    const { data: updated } = await sdk.apiKeys.update({ hash: DOCS_HASH, requestBody: { name: 'renamed through MSW', limit: 75, limitReset: 'daily' } });
    expect(updated).toMatchObject({ hash: DOCS_HASH, name: 'renamed through MSW', limit: 75, limitReset: 'daily' });
    const { data: read } = await sdk.apiKeys.get({ hash: DOCS_HASH });
    expect(read).toEqual(updated);

    // The journal holds the body as the SDK sent it (snake_case on the wire).
    const [patch] = await mock.requests({ method: 'PATCH' });
    expect(patch).toMatchObject({ method: 'PATCH', path: `/api/v1/keys/${DOCS_HASH}`, status: 200, body: { name: 'renamed through MSW', limit: 75, limit_reset: 'daily' } });
    expect(await nameIn(mock, DOCS_HASH)).toBe('renamed through MSW');

    const created = await sdk.apiKeys.create({ requestBody: { name: 'made through MSW' } });
    expect(created.key).toMatch(/^sk-or-v1-[0-9a-f]{64}$/);
    expect((await sdk.apiKeys.list()).data[0]?.hash).toBe(created.data.hash);

    const deleted = await sdk.apiKeys.delete({ hash: created.data.hash });
    expect(deleted.deleted).toBe(true);
    expect((await sdk.apiKeys.list()).data.map((k) => k.hash)).not.toContain(created.data.hash);
    expect((await mock.requests()).map((r) => r.method).reverse()).toEqual(['GET', 'PATCH', 'GET', 'POST', 'GET', 'DELETE', 'GET']);
  });

  it('reset() between tests undid the previous test: the same seed, the same start-up keys', async () => {
    const { data: key } = await client().apiKeys.get({ hash: DOCS_HASH });
    expect(key.name).not.toBe('renamed through MSW');
    expect(await mock.requests()).toHaveLength(1);
  });

  it('a 429 fault rule reaches the SDK as its rate-limit error, with Retry-After', async () => {
    await mock.fault({ match: { method: 'GET', path: '/keys' }, status: 429, times: 1 });
    const error = await rejection(() => client().apiKeys.list());
    expect(error).toBeInstanceOf(TooManyRequestsResponseError);
    const limited = error as TooManyRequestsResponseError;
    expect(limited.statusCode).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    // `times: 1` is spent: the next list succeeds.
    expect((await client().apiKeys.list()).data.length).toBeGreaterThan(0);
  });

  it("a 'reset' fault is a network error in MSW, which the SDK reports as a connection error", async () => {
    await mock.fault({ match: { method: 'PATCH' }, fault: 'reset' });
    const error = await rejection(() => client().apiKeys.update({ hash: DOCS_HASH, requestBody: { name: 'never' } }));
    expect(error).toBeInstanceOf(ConnectionError);
    // Dropped before the handler: nothing changed, and the journal shows an unanswered request.
    expect(await nameIn(mock, DOCS_HASH)).not.toBe('never');
    const [entry] = await mock.requests({ method: 'PATCH' });
    expect(entry).toMatchObject({ status: 0, body: { name: 'never' } });
  });

  it("a 'timeout' fault never answers; aborting the request ends it, quietly", async () => {
    await mock.fault({ match: { method: 'PATCH' }, fault: 'timeout', times: 1 });
    const reported = vi.spyOn(console, 'error');
    const controller = new AbortController();
    const pending = client().apiKeys.update({ hash: DOCS_HASH, requestBody: { name: 'never answered' } }, { fetchOptions: { signal: controller.signal } });
    // Abort once the mock holds the request (journalled as unanswered), not after a guessed delay.
    await vi.waitFor(async () => expect(await mock.requests({ method: 'PATCH', status: 0 })).toHaveLength(1));
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(RequestAbortedError);
    // The caller gave up; that is no handler failure for MSW to report.
    expect(reported).not.toHaveBeenCalled();
    reported.mockRestore();
  });

  it('the handlers answer 401 for a wrong key, as the real API would', async () => {
    const error = await rejection(() => client(`sk-or-v1-${'0'.repeat(64)}`).apiKeys.list());
    expect((error as { statusCode?: number }).statusCode).toBe(401);
  });
});

describe('another baseUrl', () => {
  it('intercepts that origin only: the default one is then unhandled, an error under onUnhandledRequest: error', async () => {
    const elsewhere = await createMswHandlers({ baseUrl: 'http://mock.test/openrouter/', seed: 7, now: TEST_NOW });
    // Only the other origin's handlers for this test; `finally` puts the default ones back.
    server.resetHandlers(...elsewhere.handlers);
    // MSW reports each unhandled request on console.error: kept off the test output, and read.
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const sdk = new OpenRouter({ apiKey: elsewhere.mock.managementKey, serverURL: 'http://mock.test/openrouter/api/v1', retryConfig: { strategy: 'none' } });
      const { data } = await sdk.apiKeys.update({ hash: DOCS_HASH, requestBody: { name: 'on another origin' } });
      expect(data.name).toBe('on another origin');
      expect(await nameIn(elsewhere.mock, DOCS_HASH)).toBe('on another origin');
      // The other mock's state is its own.
      expect(await nameIn(mock, DOCS_HASH)).not.toBe('on another origin');

      // Not under the base path: not intercepted.
      await expect(fetch('http://mock.test/api/v1/keys')).rejects.toThrow();
      // The default origin has no handler now; MSW refuses the request instead of letting it out.
      const error = await rejection(() => client().apiKeys.list());
      expect(error).toBeInstanceOf(UnexpectedClientError);
      expect(String((error as UnexpectedClientError).cause)).toContain('onUnhandledRequest');
      const messages = reported.mock.calls.map((args) => String(args[0]));
      expect(messages.some((m) => m.includes('GET http://mock.test/api/v1/keys'))).toBe(true);
      expect(messages.some((m) => m.includes('GET https://openrouter.ai/api/v1/keys'))).toBe(true);
    } finally {
      reported.mockRestore();
      server.resetHandlers(...handlers);
    }
  });
});
