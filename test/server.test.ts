import { afterEach, describe, expect, it } from 'vitest';
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
