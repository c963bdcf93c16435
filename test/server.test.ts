import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config.js';
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
