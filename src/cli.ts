#!/usr/bin/env node
import { ConfigError, DEFAULT_MANAGEMENT_KEY, helpText, optionsFromCli, resolveConfig } from './config.js';
import { FixtureError } from './data/fixtures.js';
import { maskedLabel } from './domain/secrets.js';
import { startServer } from './server.js';
import { VERSION } from './version.js';

const version = VERSION;

function exitWith(message: string): never {
  process.stderr.write(`openrouter-keys-mock: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed;
  let config;
  try {
    parsed = optionsFromCli(process.argv.slice(2), process.env);
    if (parsed.help) {
      process.stdout.write(`${helpText(version)}\n`);
      return;
    }
    if (parsed.version) {
      process.stdout.write(`${version}\n`);
      return;
    }
    config = resolveConfig(parsed.options, parsed.origins);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof FixtureError) exitWith(error.message);
    throw error;
  }

  let server;
  try {
    server = await startServer(config);
  } catch (error) {
    if (error instanceof FixtureError) exitWith(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') exitWith(`port ${config.port} on ${config.host} is already in use (choose another with --port)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') exitWith(`cannot listen on --host ${config.host}`);
    throw error;
  }

  const keys = server.managementKeys.map((key) => (key === DEFAULT_MANAGEMENT_KEY ? `${key} (default development key)` : maskedLabel(key)));
  const accounts = server.store.listAccounts();
  const keyCount = accounts.reduce((n, a) => n + a.keys.size, 0);
  process.stdout.write(
    [
      `openrouter-keys-mock ${version} listening on ${server.url}`,
      `  management key: ${keys.join(', ')}`,
      `  dataset: ${accounts.length} account(s), ${keyCount} key(s), seed ${config.seed}, clock ${new Date(server.app.mock.clock.now()).toISOString()}`,
      `  try: curl -H "Authorization: Bearer ${server.managementKeys[0] === DEFAULT_MANAGEMENT_KEY ? DEFAULT_MANAGEMENT_KEY : '<management key>'}" ${server.url}/keys`,
      '',
    ].join('\n'),
  );

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    server.app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 1000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`openrouter-keys-mock: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
