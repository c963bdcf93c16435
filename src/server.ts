import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { resolveConfig, type MockConfig, type MockOptions } from './config.js';
import type { AccountSummary, ClockState, CreatedAccount, ScenarioSummary } from './control/mock-control.js';
import type { FaultRule, FaultSpec } from './domain/faults.js';
import type { JournalEntry, JournalFilter } from './domain/journal.js';
import type { KeyStore } from './domain/key-store.js';
import { apiError } from './domain/errors.js';
import { toIso } from './domain/rules.js';
import type { KeyView, StoreState } from './domain/types.js';

/**
 * The test handle: the `/__mock` control API as methods, with the same meaning (one
 * implementation, `MockControl`, behind both). Asynchronous so that a handle over HTTP could
 * share the interface.
 */
export interface MockHandle {
  /** Back to exactly the start-up state (keys, accounts, clock); faults and journal emptied. */
  reset(): Promise<void>;
  /** Every account and key, as `GET /__mock/state`. */
  state(): Promise<StoreState>;
  /** Replaces the whole state, as `PUT /__mock/state` (validated: a bad document changes nothing). */
  load(state: StoreState): Promise<void>;
  scenarios(): Promise<ScenarioSummary[]>;
  /** Replaces an account's keys (default: the first account's) with a bundled scenario. */
  scenario(name: string, options?: { account_id?: string; seed?: number }): Promise<AccountSummary>;
  /** A fresh, isolated account; its `management_key` is the bearer token for its API calls. */
  createAccount(options?: { scenario?: string; seed?: number }): Promise<CreatedAccount>;
  deleteAccount(id: string): Promise<void>;
  accounts(): Promise<AccountSummary[]>;
  clock: {
    now(): Promise<Date>;
    set(at: Date | string | number): Promise<ClockState>;
    /** Milliseconds, or a duration such as "90s", "36h", "1d12h30m". */
    advance(by: number | string): Promise<ClockState>;
    freeze(): Promise<ClockState>;
    unfreeze(): Promise<ClockState>;
  };
  /** Records spend on a key in every window (USD); `byok` is external BYOK spend. */
  recordUsage(hash: string, spend: number | { amount: number; byok?: number }): Promise<KeyView>;
  fault(spec: FaultSpec): Promise<FaultRule>;
  faults(): Promise<FaultRule[]>;
  removeFault(id: string): Promise<void>;
  clearFaults(): Promise<number>;
  /** The request journal, newest first. */
  requests(filter?: Omit<JournalFilter, 'since'> & { since?: Date | string | number }): Promise<JournalEntry[]>;
  clearRequests(): Promise<number>;
}

/** A running mock, for tests and scripts. */
export interface MockServer extends MockHandle {
  /** The API base URL, e.g. `http://127.0.0.1:54321/api/v1` — the SDK's `serverURL`. */
  url: string;
  /** The server's origin, e.g. `http://127.0.0.1:54321` (control API at `${origin}/__mock`). */
  origin: string;
  /** The first management key: owns the start-up dataset. */
  managementKey: string;
  /** Every configured management key, one account each. */
  managementKeys: string[];
  config: MockConfig;
  app: FastifyInstance;
  store: KeyStore;
  close(): Promise<void>;
}

/** The handle over an app's control plane. */
export function createHandle(app: FastifyInstance): MockHandle {
  const { control } = app;
  const at = (value: Date | string | number) => (typeof value === 'string' ? value : toIso(value instanceof Date ? value.getTime() : value));
  return {
    reset: async () => control.reset(),
    state: async () => control.state(),
    load: async (state) => control.load(state),
    scenarios: async () => control.scenarios(),
    scenario: async (name, options) => control.scenario(name, options),
    createAccount: async (options) => control.createAccount(options),
    deleteAccount: async (id) => control.deleteAccount(id),
    accounts: async () => control.accounts(),
    clock: {
      now: async () => new Date(control.clock().now),
      set: async (value) => control.setClock({ now: at(value) }),
      advance: async (by) => control.setClock({ advance: by }),
      freeze: async () => control.setClock({ frozen: true }),
      unfreeze: async () => control.setClock({ frozen: false }),
    },
    recordUsage: async (hash, spend) => control.recordUsage(hash, typeof spend === 'number' ? { amount: spend } : spend),
    fault: async (spec) => control.addFault(spec),
    faults: async () => control.faults(),
    removeFault: async (id) => control.removeFault(id),
    clearFaults: async () => control.clearFaults(),
    requests: async (filter = {}) => {
      const { since, ...rest } = filter;
      const sinceMs = since === undefined ? undefined : Date.parse(at(since));
      if (sinceMs !== undefined && !Number.isFinite(sinceMs)) {
        throw apiError('invalidField', 'query parameter', 'field "since"', 'must be an ISO 8601 date-time, a Date or epoch milliseconds');
      }
      return control.requests({ ...rest, ...(sinceMs !== undefined ? { since: sinceMs } : {}) }).data;
    },
    clearRequests: async () => control.clearRequests(),
  };
}

/**
 * Starts a mock on a real port. Options are the CLI's (same names, same validation); the log level
 * defaults to `silent` here so that test output stays clean.
 */
export async function createMockServer(options: MockOptions = {}): Promise<MockServer> {
  const config = resolveConfig({ logLevel: 'silent', ...options });
  return startServer(config);
}

export async function startServer(config: MockConfig): Promise<MockServer> {
  const app = buildApp(config);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    ...createHandle(app),
    url: `${origin}/api/v1`,
    origin,
    managementKey: config.managementKey[0]!,
    managementKeys: [...config.managementKey],
    config,
    app,
    store: app.mock.store,
    close: () => app.close(),
  };
}
