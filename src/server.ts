import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { resolveConfig, type MockConfig, type MockOptions } from './config.js';
import { createHandle, type MockHandle } from './control/handle.js';
import type { KeyStore } from './domain/key-store.js';

// The test handle lives with the control plane it calls (src/control/handle.ts).
export { createHandle, type MockHandle };

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

/**
 * Starts a mock on a real port. Options are the CLI's (same names, same validation); the log level
 * defaults to `silent` here so that test output stays clean.
 */
export async function createMockServer(options: MockOptions = {}): Promise<MockServer> {
  // `??`, not a spread under the default: an explicit `logLevel: undefined` means the default too.
  const config = resolveConfig({ ...options, logLevel: options.logLevel ?? 'silent' });
  return startServer(config);
}

/**
 * A graceful stop: no new connections, the event streams ended, the requests under way answered
 * (a PATCH waiting on --latency or a `delay_ms` fault included) within `budgetMs`, then the app
 * closed — whatever is still open is cut, and the state file saved (its `onClose` hook). Idle
 * keep-alive connections are closed as they become idle, so that clients do not hold the stop.
 */
export async function drainThenClose(server: MockServer, budgetMs: number): Promise<void> {
  const { app } = server;
  const http = app.server;
  const drained = new Promise<void>((resolve) => http.close(() => resolve()));
  for (const stream of app.eventStreams) stream.end();
  const sweep = setInterval(() => http.closeIdleConnections(), 10);
  let budget: NodeJS.Timeout | undefined;
  await Promise.race([drained, new Promise<void>((resolve) => (budget = setTimeout(resolve, budgetMs)))]);
  clearInterval(sweep);
  clearTimeout(budget);
  await app.close();
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
