/**
 * `GET /__mock/events` on the in-process doors: the fetch handler and the MSW handlers stream the
 * same Server-Sent Events as the server (test/routes/events.test.ts), with the same guard, cap and
 * headers; a caller that aborts frees its place. MSW runs in Node (`setupServer`), nothing listens.
 */
import { setupServer } from 'msw/node';
import { afterEach, describe, expect, it } from 'vitest';
import { createMockFetch, type MockFetchOptions } from '../../src/fetch.js';
import { createMswHandlers } from '../../src/msw.js';
import { DOCS_HASH, TEST_NOW } from '../helpers/build.js';
import { sseReader } from '../helpers/sse.js';

const ORIGIN = 'https://openrouter.ai';
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

interface Door {
  fetch: (input: string, init?: RequestInit) => Promise<Response>;
  managementKey: string;
}

const doors: Record<string, (options: MockFetchOptions) => Promise<Door>> = {
  fetch: async (options) => {
    const mock = await createMockFetch(options);
    return { fetch: (input, init) => mock.fetch(input, init), managementKey: mock.managementKey };
  },
  msw: async (options) => {
    // catchAll: the mock's 404 for what it does not serve (with control: false), as the server answers.
    const { handlers, mock } = await createMswHandlers({ ...options, catchAll: true });
    const server = setupServer(...handlers);
    server.listen({ onUnhandledRequest: 'error' });
    cleanups.push(() => server.close());
    return { fetch: (input, init) => fetch(input, init), managementKey: mock.managementKey };
  },
};

describe.each(Object.keys(doors))('GET /__mock/events through the %s door', (name) => {
  const start = (options: MockFetchOptions = {}) => doors[name]!({ seed: 7, now: TEST_NOW, ...options });
  const open = async (door: Door, headers: Record<string, string> = {}) => {
    const controller = new AbortController();
    const response = await door.fetch(`${ORIGIN}/__mock/events`, { headers, signal: controller.signal });
    return { response, ...(response.body ? sseReader(response.body) : {}), close: () => controller.abort() };
  };

  it('streams ready, then the journal entry and the key change of a PATCH, with the headers the server sends', async () => {
    const door = await start();
    const stream = await open(door);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.response.headers.get('cache-control')).toBe('no-store');
    expect(stream.response.headers.get('x-mock-server')).toMatch(/^openrouter-keys-mock\//);
    expect(stream.response.headers.get('x-request-id')).toMatch(/^req-/);
    const ready = (await stream.nextOf!('ready')) as { types: string[]; clock: { now: string; frozen: boolean } };
    expect(ready.types).toEqual(expect.arrayContaining(['request', 'keys']));
    expect(Date.parse(ready.clock.now)).toBeGreaterThanOrEqual(Date.parse(TEST_NOW));
    const patched = await door.fetch(`${ORIGIN}/api/v1/keys/${DOCS_HASH}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${door.managementKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Streamed in process' }),
    });
    expect(patched.status).toBe(200);
    const seen: Record<string, unknown> = {};
    while (!seen.request || !seen.keys) {
      const event = await stream.next!();
      seen[event.type] ??= event.data;
    }
    expect(seen.request).toMatchObject({ method: 'PATCH', status: 200, body: { name: 'Streamed in process' } });
    expect(seen.keys).toMatchObject({ change: 'updated', hash: DOCS_HASH });
    stream.close();
  });

  it('refuses a stream past maxEventStreams with the 503 envelope, and an aborted stream makes room', async () => {
    const door = await start({ maxEventStreams: 1 });
    const first = await open(door);
    await first.nextOf!('ready');
    const refused = await door.fetch(`${ORIGIN}/__mock/events`);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({
      error: { code: 503, message: 'Too many event streams: 1 are open already (--max-event-streams); close one and retry' },
    });
    first.close();
    await expect(first.read!()).rejects.toThrow();
    const again = await open(door);
    expect(again.response.status).toBe(200);
    await again.nextOf!('ready');
    again.close();
  });

  it('is guarded by adminToken, and absent with control: false', async () => {
    const guarded = await start({ adminToken: 'admin-secret-1' });
    const refused = await guarded.fetch(`${ORIGIN}/__mock/events`);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/admin token/);
    const stream = await open(guarded, { authorization: 'Bearer admin-secret-1' });
    await stream.nextOf!('ready');
    stream.close();
    const off = await start({ control: false });
    expect((await off.fetch(`${ORIGIN}/__mock/events`)).status).toBe(404);
  });

  it('answers HEAD with the headers only, taking no place', async () => {
    const door = await start({ maxEventStreams: 1 });
    const head = await door.fetch(`${ORIGIN}/__mock/events`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(head.body).toBeNull();
    const stream = await open(door);
    expect(stream.response.status).toBe(200);
    stream.close();
  });
});
