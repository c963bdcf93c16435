/**
 * `openrouter-keys-mock/fetch`: the whole mock behind a `fetch` function, with no server — for
 * browsers, jsdom, workers and tests that would rather not open a port. The same engine as the
 * server (src/http), the same options (minus the server's), the same test handle.
 *
 * This entry is browser-safe: nothing it imports reaches a `node:` module, Fastify or pino
 * (test/http/browser-bundle.test.ts bundles it for the browser and fails on any such import).
 */
import { ApiError } from './domain/errors.js';
import { createInProcessMock, type MockFetch, type MockFetchOptions } from './in-process-mock.js';
import { ConfigError } from './options.js';

export type { MockFetch, MockFetchOptions };
// What a caller's `instanceof` needs, without the main entry (which brings the server's stack).
export { ApiError, ConfigError };

/**
 * A mock answering through `fetch` instead of a port. Options are the CLI's, camelCase, validated
 * the same way; `port`, `host`, `stateFile`, `logLevel` and `corsOrigin` do not apply and are
 * refused, and `fixtures` is the array of keys itself (nothing reads files here). A path without
 * an origin (`/api/v1/keys`) is accepted too.
 *
 * @example
 * const mock = await createMockFetch({ seed: 7, now: '2026-01-14T12:00:00Z' });
 * const res = await mock.fetch('https://openrouter.ai/api/v1/keys', { headers: { Authorization: `Bearer ${mock.managementKey}` } });
 */
export async function createMockFetch(options: MockFetchOptions = {}): Promise<MockFetch> {
  return createInProcessMock(options, 'createMockFetch').mock;
}
