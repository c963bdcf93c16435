import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig, type MockOptions } from '../src/config.js';
import { createMockServer, type MockServer } from '../src/server.js';

const started: MockServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()));
});

async function start(options: Parameters<typeof createMockServer>[0]): Promise<MockServer> {
  const server = await createMockServer(options);
  started.push(server);
  return server;
}

describe('createMockServer: same --seed and --now, same bytes', () => {
  it('ten starts with seed 7 and the same now serve byte-identical GET /__mock/state', async () => {
    const bodies: string[] = [];
    for (let run = 0; run < 10; run++) {
      const server = await start({ port: 0, seed: 7, now: '2026-01-14T12:00:00Z' });
      const response = await fetch(`${server.origin}/__mock/state`);
      expect(response.status).toBe(200);
      bodies.push(await response.text());
      await server.close();
      started.pop();
    }
    expect(bodies[0]).toContain('"accounts"');
    expect(new Set(bodies).size).toBe(1);
  });
});

describe('createMockServer: --state-file in a folder that cannot hold it', () => {
  it('is refused with a ConfigError naming the path, before listening', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'orkm-server-')), 'missing', 'state.json');
    const attempt = createMockServer({ port: 0, stateFile: path });
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(path);
  });
});

describe('createMockServer: options', () => {
  it('refuses an option it does not know, as the CLI refuses an unknown flag', async () => {
    await expect(createMockServer({ port: 0, bogus: 1 } as unknown as MockOptions)).rejects.toThrow(ConfigError);
    await expect(createMockServer({ port: 0, bodylimit: 5 } as unknown as MockOptions)).rejects.toThrow('unknown option "bodylimit" (did you mean "bodyLimit"?)');
  });

  it('reads no environment variables: MOCK_*, PORT and HOST are for the CLI', async () => {
    const set: Record<string, string> = {
      PORT: '1',
      HOST: '0.0.0.0',
      MOCK_SEED: '99',
      MOCK_KEYS: '3',
      MOCK_SCENARIO: 'empty',
      MOCK_CONTROL: 'false',
      MOCK_ADMIN_TOKEN: 'secret-admin-token',
      MOCK_LOG_LEVEL: 'debug',
      MOCK_STRICT: 'true',
    };
    const saved = Object.fromEntries(Object.keys(set).map((name) => [name, process.env[name]]));
    Object.assign(process.env, set);
    try {
      const server = await start({ port: 0 });
      expect(server.config).toEqual(resolveConfig({ logLevel: 'silent', port: 0 }));
      expect(server.config).toMatchObject({ seed: 1, keys: 25, scenario: 'default', control: true, strict: false, host: '127.0.0.1' });
      const health = await fetch(`${server.origin}/__mock/state`);
      expect(health.status).toBe(200); // control plane on and open
      expect(server.store.listAccounts()[0]!.keys.size).toBe(25);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
