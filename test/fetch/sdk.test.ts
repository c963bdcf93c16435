/**
 * The official SDK through the fetch handler, with no port: `new HTTPClient({ fetcher: mock.fetch })`
 * given to `new OpenRouter({ httpClient })`. The SDK validates every response with zod, so a call
 * that resolves proves the shape. Also: the options the handler refuses, and the `timeout` fault.
 */
import { HTTPClient, OpenRouter } from '@openrouter/sdk';
import { OpenRouterError, RequestTimeoutError, TooManyRequestsResponseError } from '@openrouter/sdk/models/errors';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { createMockFetch, type MockFetch } from '../../src/fetch.js';
import { DOCS_HASH, TEST_NOW } from '../helpers/build.js';
import { rejection } from '../helpers/promises.js';

/** An SDK client whose every request goes to `mock.fetch`; the server URL is only a name here. */
function sdk(mock: MockFetch, extra: Partial<ConstructorParameters<typeof OpenRouter>[0]> = {}): OpenRouter {
  return new OpenRouter({
    apiKey: mock.managementKey,
    serverURL: 'https://openrouter.ai/api/v1',
    httpClient: new HTTPClient({ fetcher: mock.fetch }),
    retryConfig: { strategy: 'none' },
    ...extra,
  });
}


describe('the SDK through createMockFetch (no port)', () => {
  it('lists, updates, gets, creates and deletes keys', async () => {
    const mock = await createMockFetch({ seed: 7, now: TEST_NOW });
    const client = sdk(mock);

    const { data: keys } = await client.apiKeys.list();
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.some((k) => k.hash === DOCS_HASH)).toBe(true);

    const { data: updated } = await client.apiKeys.update({ hash: DOCS_HASH, requestBody: { limit: 75, limitReset: 'daily', name: 'via fetch' } });
    expect(updated).toMatchObject({ hash: DOCS_HASH, name: 'via fetch', limit: 75, limitReset: 'daily' });
    expect((await client.apiKeys.get({ hash: DOCS_HASH })).data).toEqual(updated);

    const created = await client.apiKeys.create({ requestBody: { name: 'made by the SDK', limit: 5 } });
    expect(created.key).toMatch(/^sk-or-v1-[0-9a-f]{64}$/);
    expect(created.data).toMatchObject({ name: 'made by the SDK', limit: 5, limitRemaining: 5 });
    // The new key is an ordinary key: it reads itself through GET /key.
    const own = await sdk(mock, { apiKey: created.key }).apiKeys.getCurrentKeyMetadata();
    expect(own.data).toMatchObject({ isManagementKey: false, limit: 5 });

    expect(await client.apiKeys.delete({ hash: created.data.hash })).toEqual({ deleted: true });
    expect((await client.apiKeys.list()).data.some((k) => k.hash === created.data.hash)).toBe(false);

    // The handler's state is the handle's: the journal saw the SDK's PATCH as sent.
    const [patch] = await mock.requests({ method: 'PATCH' });
    expect(patch?.body).toEqual({ limit: 75, limit_reset: 'daily', name: 'via fetch' });
  });

  it('a 429 fault reaches the SDK as its TooManyRequestsResponseError, in the OpenRouter shape', async () => {
    const mock = await createMockFetch({ seed: 7, now: TEST_NOW });
    await mock.fault({ match: { method: 'GET', path: '/keys' }, status: 429, retry_after: 4, times: 1 });
    const error = await rejection(() => sdk(mock).apiKeys.list());
    expect(error).toBeInstanceOf(TooManyRequestsResponseError);
    expect(error).toBeInstanceOf(OpenRouterError);
    const tooMany = error as TooManyRequestsResponseError;
    expect(tooMany.statusCode).toBe(429);
    expect(tooMany.headers.get('retry-after')).toBe('4');
    expect(JSON.parse(tooMany.body)).toEqual({ error: { code: 429, message: 'Rate limit exceeded' } });
    // Used up: the next call succeeds.
    expect((await sdk(mock).apiKeys.list()).data.length).toBeGreaterThan(0);
  });

  it('the SDK retries an injected 5xx (its default retries) and succeeds through it', async () => {
    const mock = await createMockFetch({ seed: 7, now: TEST_NOW });
    await mock.fault({ match: { method: 'PATCH', path: '/keys/*' }, status: 503, times: 2 });
    const client = sdk(mock, {
      retryConfig: { strategy: 'backoff', backoff: { initialInterval: 1, maxInterval: 2, exponent: 1, maxElapsedTime: 5_000 }, retryConnectionErrors: true },
    });
    const { data } = await client.apiKeys.update({ hash: DOCS_HASH, requestBody: { name: 'third time' } });
    expect(data.name).toBe('third time');
    expect((await mock.requests({ method: 'PATCH' })).map((e) => e.status)).toEqual([200, 503, 503]);
  });
});

describe('createMockFetch options', () => {
  it.each([
    [{ port: 1 }, 'option "port" does not apply to createMockFetch: there is no server'],
    [{ host: '0.0.0.0' }, 'option "host" does not apply to createMockFetch'],
    [{ stateFile: '/tmp/state.json' }, 'option "stateFile" does not apply to createMockFetch: there is no file system'],
    [{ logLevel: 'debug' }, 'option "logLevel" does not apply to createMockFetch'],
    [{ corsOrigin: '*' }, 'option "corsOrigin" does not apply to createMockFetch'],
    [{ fixtures: 'fixtures/keys.json' }, 'invalid option "fixtures" of createMockFetch: a file path cannot be read here'],
    [{ bodylimit: 10 }, 'unknown option "bodylimit" (did you mean "bodyLimit"?)'],
    [{ seed: -1 }, 'seed'],
  ])('%j is refused: %s', async (options, message) => {
    const refused = await rejection(() => createMockFetch(options as never));
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as Error).message).toContain(message);
  });

  it('takes the CLI options camelCase, typed or as a flag’s string', async () => {
    const mock = await createMockFetch({ seed: '7', now: TEST_NOW, keys: 3, strict: 'true', bodyLimit: 64 } as never);
    expect(mock.config).toMatchObject({ seed: 7, keys: 3, strict: true, bodyLimit: 64 });
    const res = await mock.fetch(`/api/v1/keys/${DOCS_HASH}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${mock.managementKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(100) }),
    });
    expect(res.status).toBe(413);
  });
});

describe('the timeout fault', () => {
  it('never answers; the request rejects with the signal’s reason when it is aborted', async () => {
    const mock = await createMockFetch({ seed: 7, now: TEST_NOW });
    await mock.fault({ match: { path: '/keys' }, fault: 'timeout', times: 1 });
    const controller = new AbortController();
    let settled = false;
    const pending = mock.fetch('/api/v1/keys', { headers: { authorization: `Bearer ${mock.managementKey}` }, signal: controller.signal });
    void pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    // The mock has decided (the journal has the request, status 0: never answered)…
    while ((await mock.requests()).length === 0) await new Promise((resolve) => setImmediate(resolve));
    expect((await mock.requests())[0]).toMatchObject({ path: '/api/v1/keys', status: 0 });
    await new Promise((resolve) => setImmediate(resolve));
    // …and still nothing has come back, until the caller gives up.
    expect(settled).toBe(false);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    // The rule is used up: the next request is answered.
    expect((await mock.fetch('/api/v1/keys', { headers: { authorization: `Bearer ${mock.managementKey}` } })).status).toBe(200);
  });

  it('the SDK’s own timeout (timeoutMs) gives up on it as on a silent server', async () => {
    const mock = await createMockFetch({ seed: 7, now: TEST_NOW });
    await mock.fault({ match: { path: '/keys' }, fault: 'timeout', times: 1 });
    const error = await rejection(() => sdk(mock, { timeoutMs: 20 }).apiKeys.list());
    expect(error).toBeInstanceOf(RequestTimeoutError);
  });
});
