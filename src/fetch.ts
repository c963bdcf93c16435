/**
 * `openrouter-keys-mock/fetch`: the whole mock behind a `fetch` function, with no server — for
 * browsers, jsdom, workers and tests that would rather not open a port. The same engine as the
 * server (src/http), the same options (minus the server's), the same test handle.
 *
 * This entry is browser-safe: nothing it imports reaches a `node:` module, Fastify or pino
 * (test/http/browser-bundle.test.ts bundles it for the browser and fails on any such import).
 */
import { createHandle, type MockHandle } from './control/handle.js';
import { MockControl } from './control/mock-control.js';
import { bundledScenarios } from './data/bundled-fixtures.js';
import { sha256HexPortable } from './data/portable-hash.js';
import type { KeyStore } from './domain/key-store.js';
import { Engine } from './http/engine.js';
import { InProcessDoor } from './http/in-process.js';
import { createRuntime, type MockRuntime } from './mock-runtime.js';
import { resolveEmbeddedConfig, type EmbeddedOptions, type MockConfig } from './options.js';

export type MockFetchOptions = EmbeddedOptions;

/** A mock behind a `fetch`: the function, the management keys, and the test handle. */
export interface MockFetch extends MockHandle {
  /**
   * `fetch`'s own signature. Answers `/api/v1/*` and `/__mock/*` on any origin (the path decides),
   * as the server would; any other path is the server's 404.
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** The first management key: owns the start-up dataset. */
  managementKey: string;
  /** Every configured management key, one account each. */
  managementKeys: string[];
  config: MockConfig;
  store: KeyStore;
}

/** A path alone (`/api/v1/keys`) is taken on this origin: only the path decides. */
const RELATIVE_BASE = 'http://localhost';

/**
 * Builds an in-process mock from validated options — runtime, control plane, engine and door — and
 * its handle (`doorName` names the entry in option errors). The fetch handler and MSW both build
 * here; `clock.realNow` is the real time the virtual clock runs with (tests stop it).
 */
export function createInProcessMock(
  options: MockFetchOptions,
  doorName: string,
  clock: { realNow?: () => number } = {},
): { mock: MockFetch; door: InProcessDoor; runtime: MockRuntime } {
  const config = resolveEmbeddedConfig(options, { scenarios: bundledScenarios, door: doorName });
  const runtime = createRuntime(config, { sha256Hex: sha256HexPortable, scenarios: bundledScenarios, ...clock });
  const control = new MockControl(runtime);
  const door = new InProcessDoor(new Engine(runtime, control), runtime);
  const mock: MockFetch = {
    ...createHandle({ control }),
    fetch: async (input, init) => door.answer(new Request(typeof input === 'string' && input.startsWith('/') ? new URL(input, RELATIVE_BASE) : input, init)),
    managementKey: config.managementKey[0]!,
    managementKeys: [...config.managementKey],
    config,
    store: runtime.store,
  };
  return { mock, door, runtime };
}

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
