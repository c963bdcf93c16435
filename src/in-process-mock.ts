/**
 * An in-process mock — runtime, control plane, engine and door, with no server — and its handle:
 * what the fetch handler (src/fetch.ts) and the MSW handlers (src/msw.ts) both are. Not a public
 * entry: the two doors export what users need of it.
 */
import { createHandle, type MockHandle } from './control/handle.js';
import { MockControl } from './control/mock-control.js';
import { bundledScenarios } from './data/bundled-fixtures.js';
import { sha256HexPortable } from './data/portable-hash.js';
import type { KeyStore } from './domain/key-store.js';
import { API_ROUTES } from './http/api-operations.js';
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
 * Builds an in-process mock from validated options and its handle (`doorName` names the entry in
 * option errors; `doorOptions`, the entry's own options, already taken out, are suggested for a
 * mistyped name). `clock.realNow` is the real time the virtual clock runs with (tests stop it).
 */
export function createInProcessMock(
  options: MockFetchOptions,
  doorName: string,
  clock: { realNow?: () => number } = {},
  doorOptions: readonly string[] = [],
): { mock: MockFetch; door: InProcessDoor; runtime: MockRuntime } {
  const config = resolveEmbeddedConfig(options, { scenarios: bundledScenarios, door: doorName, doorOptions });
  const runtime = createRuntime(config, { sha256Hex: sha256HexPortable, scenarios: bundledScenarios, apiRoutes: API_ROUTES, ...clock });
  const control = new MockControl(runtime);
  const door = new InProcessDoor(new Engine(runtime, control));
  const mock: MockFetch = {
    ...createHandle({ control }),
    fetch: async (input, init) => {
      const request = new Request(typeof input === 'string' && input.startsWith('/') ? new URL(input, RELATIVE_BASE) : input, init);
      // The caller's own signal, as `new Request` picks it: init's (even `null`: none), else the
      // given Request's. Not `request.signal`, whose link to it does not outlive `request`.
      const signalOwner = init?.signal !== undefined ? init : input instanceof Request ? input : request;
      return door.answer(request, signalOwner);
    },
    managementKey: config.managementKey[0]!,
    managementKeys: [...config.managementKey],
    config,
    store: runtime.store,
  };
  return { mock, door, runtime };
}
