#!/usr/bin/env node
import { existsSync } from 'node:fs';
import closeWithGrace from 'close-with-grace';
import { helpText, optionsFromCli } from './command-line.js';
import { ConfigError, DEFAULT_MANAGEMENT_KEY, resolveConfig, type MockConfig } from './config.js';
import { FixtureError } from './data/fixtures.js';
import type { MockServer } from './server.js';
import { INSPECTOR_PATH } from './plugins/inspector.js';
import { announceReady } from './ready-file.js';
import { VERSION } from './version.js';

function exitWith(message: string): never {
  process.stderr.write(`openrouter-keys-mock: ${message}\n`);
  process.exit(2);
}

/** Whether an address to listen on is loopback only (nothing beyond this machine reaches it). */
function loopbackOnly(host: string): boolean {
  const name = host.toLowerCase();
  return name === 'localhost' || name === '::1' || name.startsWith('127.') || name.startsWith('::ffff:127.');
}

/** Where the server really listens: the address it was given, in words when it is every interface. */
function listeningAddress(config: MockConfig, port: number): string {
  const address = `${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  if (config.host === '0.0.0.0') return `${address} (every IPv4 interface: reachable from other machines)`;
  if (config.host === '::') return `${address} (every interface: reachable from other machines)`;
  return loopbackOnly(config.host) ? `${address} (this machine only)` : `${address} (reachable from other machines)`;
}

/**
 * The start-up banner: where it listens, where the docs are, which keys open it, what it holds.
 * The keys are printed in full: they only open this local mock, and whoever started it needs them
 * to call it. The banner goes to stdout once, not through the log.
 */
/**
 * Where the dataset came from: the state file when one was there to read; a --state-file that did
 * not exist yet is created from the scenario, and the banner says so rather than "from FILE".
 */
function datasetSource(config: MockConfig, stateFileFound: boolean): string {
  if (config.stateFile === undefined) return `scenario ${config.scenario}`;
  return stateFileFound ? `scenario from ${config.stateFile}` : `scenario ${config.scenario} (new state file ${config.stateFile})`;
}

function banner(server: MockServer, config: MockConfig, stateFileFound: boolean): string {
  const keys = server.managementKeys.map((key) => (key === DEFAULT_MANAGEMENT_KEY ? `${key} (default development key)` : key));
  const accounts = server.store.listAccounts();
  const keyCount = accounts.reduce((n, a) => n + a.keys.size, 0);
  const token = server.managementKey;
  const port = Number(new URL(server.origin).port);
  const openBeyondLoopback = config.control && !config.adminToken && !loopbackOnly(config.host);
  return [
    `openrouter-keys-mock ${VERSION} listening on ${server.url}`,
    `  address:        ${listeningAddress(config, port)}`,
    ...(config.control ? [`  inspector:      ${server.origin}${INSPECTOR_PATH} (open ${server.origin}/ in a browser)`] : []),
    `  docs:           ${server.origin}/docs (OpenAPI: ${server.origin}/openapi.json)`,
    `  management key: ${keys.join(', ')}`,
    `  dataset:        ${accounts.length} account(s), ${keyCount} key(s), ${datasetSource(config, stateFileFound)}, seed ${config.seed}`,
    `  clock:          ${new Date(server.app.mock.clock.now()).toISOString()}${config.now === undefined ? ' (real time)' : ''}`,
    `  control:        ${config.control ? `${server.origin}/__mock${config.adminToken ? ' (admin token required)' : ''}` : 'off'}`,
    ...(openBeyondLoopback
      ? [
          `  WARNING:        the control plane (/__mock: every key in plaintext, the whole state) is open to anyone who can`,
          `                  reach ${listeningAddress(config, port).split(' ')[0]}; set --admin-token, or listen on 127.0.0.1`,
          `                  (in a container: publish the port on loopback only, docker run -p 127.0.0.1:8080:8080)`,
        ]
      : []),
    `  try:            curl -H "Authorization: Bearer ${token}" ${server.url}/keys`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  let config: MockConfig;
  try {
    const parsed = optionsFromCli(process.argv.slice(2), process.env);
    if (parsed.help) {
      process.stdout.write(`${helpText(VERSION)}\n`);
      return;
    }
    if (parsed.version) {
      process.stdout.write(`${VERSION}\n`);
      return;
    }
    config = resolveConfig(parsed.options, parsed.origins);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof FixtureError) exitWith(error.message);
    throw error;
  }

  // Loaded only now: Fastify and the validators take most of a second to import on a busy
  // machine, which --help, --version and a mistyped option need not wait for.
  const [{ startServer, drainThenClose }, { StateFileError }] = await Promise.all([import('./server.js'), import('./state-file.js')]);
  // Looked at before the start: the saver writes the file as soon as the server is ready.
  const stateFileFound = config.stateFile !== undefined && existsSync(config.stateFile);
  let server: MockServer;
  try {
    server = await startServer(config);
  } catch (error) {
    if (error instanceof FixtureError || error instanceof StateFileError) exitWith(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') exitWith(`port ${config.port} on ${config.host} is already in use (choose another with --port)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') exitWith(`cannot listen on --host ${config.host}`);
    throw error;
  }
  // SIGTERM/SIGINT (also as PID 1 in a container): stop accepting, finish, save, exit — within a
  // second, else exit anyway. Handled from before the banner: a signal sent as soon as it shows is
  // a graceful stop, not Node's default exit without a save. With --state-file the last save may need longer (a few seconds at
  // 100,000 keys on a busy machine): 9 s, inside the 10 s `docker stop` waits before its SIGKILL.
  // The requests under way (a PATCH waiting on --latency or a delay_ms fault) get most of the
  // second to be answered — 3 s of the 9 with --state-file, the rest being for the save.
  let removeReadyFile: (() => void) | undefined;
  const graceMs = config.stateFile ? 9000 : 1000;
  const drainMs = config.stateFile ? 3000 : 700;
  closeWithGrace({ delay: graceMs, logger: false }, async ({ signal, err }) => {
    if (err) server.app.log.error({ err }, 'shutting down after an error');
    else server.app.log.info({ signal }, 'shutting down');
    removeReadyFile?.(); // first: while the file exists, the mock answers
    await drainThenClose(server, drainMs);
  });
  process.stdout.write(banner(server, config, stateFileFound));
  removeReadyFile = config.readyFile ? await announceReady(config.readyFile, server) : undefined;
}

main().catch((error: unknown) => {
  process.stderr.write(`openrouter-keys-mock: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
