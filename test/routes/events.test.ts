/**
 * `GET /__mock/events`: Server-Sent Events over a real socket, read as a browser's fetch reads a
 * stream. Changes made by another client (and through the test handle) arrive as they happen.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createMockServer, type MockServer } from '../../src/index.js';
import { DOCS_HASH, TEST_NOW } from '../helpers/build.js';
import { sseReader } from '../helpers/sse.js';

const servers: MockServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: Parameters<typeof createMockServer>[0] = {}) {
  const server = await createMockServer({ port: 0, now: TEST_NOW, ...options });
  servers.push(server);
  return server;
}

/** Opens the stream and returns a reader of whole events (`{ type, data }`), in order. */
async function openStream(server: MockServer, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(`${server.origin}/__mock/events`, { headers, signal: controller.signal });
  const { next, nextOf } = sseReader(response.body!);
  return { response, next, nextOf, close: () => controller.abort() };
}

/** The stream's raw text over a plain socket, as it arrives. */
function openRawStream(server: MockServer): Promise<{ until: (end: RegExp) => Promise<string>; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${server.origin}/__mock/events`, { agent: false }, (res) => {
      let text = '';
      let waiting: (() => void) | undefined;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        waiting?.();
      });
      const until = (end: RegExp) =>
        new Promise<string>((done) => {
          const check = () => {
            const match = end.exec(text);
            if (match) done(text.slice(0, match.index + match[0].length));
          };
          waiting = check;
          check();
        });
      resolve({ until, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

/** The status a new stream gets (closed at once). */
async function tryStream(server: MockServer): Promise<number> {
  const controller = new AbortController();
  const response = await fetch(`${server.origin}/__mock/events`, { signal: controller.signal });
  controller.abort();
  return response.status;
}

async function patchDocsKey(server: MockServer, name: string) {
  const patched = await fetch(`${server.url}/keys/${DOCS_HASH}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${server.managementKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  expect(patched.status).toBe(200);
}

describe('GET /__mock/events', () => {
  it('streams journal entries and key changes made by another client, as they happen', async () => {
    const server = await start();
    const stream = await openStream(server);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.response.headers.get('x-mock-server')).toMatch(/^openrouter-keys-mock\//);
    expect(await stream.nextOf('ready')).toMatchObject({ clock: { now: expect.any(String) } });

    const patched = await fetch(`${server.url}/keys/${DOCS_HASH}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${server.managementKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Seen live' }),
    });
    expect(patched.status).toBe(200);
    expect(await stream.nextOf('keys')).toEqual({ change: 'updated', account_id: expect.any(String), hash: DOCS_HASH });
    expect(await stream.nextOf('request')).toMatchObject({ method: 'PATCH', hash: DOCS_HASH, status: 200, body: { name: 'Seen live' } });
    stream.close();
  });

  it('streams what the test handle changes: clock, fault rules, accounts, the journal emptied', async () => {
    const server = await start();
    const stream = await openStream(server);
    await stream.nextOf('ready');
    // Frozen first, so that the instant told is exactly the one set (a running clock moves on).
    await server.clock.freeze();
    expect(await stream.nextOf('clock')).toMatchObject({ frozen: true });
    await server.clock.set('2026-03-01T00:00:00Z');
    expect(await stream.nextOf('clock')).toEqual({ now: '2026-03-01T00:00:00.000Z', frozen: true });
    const rule = await server.fault({ status: 503 });
    expect(await stream.nextOf('faults')).toEqual({ change: 'added', id: rule.id });
    const account = await server.createAccount();
    expect(await stream.nextOf('accounts')).toEqual({ change: 'added', account_id: account.id });
    await server.clearRequests();
    expect(await stream.nextOf('journal')).toEqual({ change: 'cleared' });
    stream.close();
  });

  it('says a change repeated within one batch once, and every journal entry each', async () => {
    const server = await start();
    const stream = await openStream(server);
    await stream.nextOf('ready');
    // Both in one tick: one batch.
    await Promise.all([server.recordUsage(DOCS_HASH, 1), server.recordUsage(DOCS_HASH, 2)]);
    // A clock event that crosses no window boundary (a jump past midnight would add `windows`).
    await server.clock.freeze();
    const seen: string[] = [];
    for (let event = await stream.next(); ; event = await stream.next()) {
      seen.push(event.type);
      if (event.type === 'clock') break;
    }
    expect(seen).toEqual(['keys', 'clock']);
    stream.close();
  });

  it('writes every open stream the same bytes', async () => {
    const server = await start();
    // Frozen, so that even the `ready` lines (which tell the clock) are the same.
    await server.clock.freeze();
    const streams = await Promise.all(Array.from({ length: 5 }, () => openRawStream(server)));
    await patchDocsKey(server, 'Same bytes');
    const texts = await Promise.all(streams.map((stream) => stream.until(/event: request\n[^\n]*\n\n/)));
    expect(texts[0]).toMatch(/^retry: 1000\nevent: ready\n/);
    expect(texts[0]).toContain('"name":"Same bytes"');
    for (const text of texts) expect(text).toBe(texts[0]);
    for (const stream of streams) stream.close();
  });

  it('refuses a stream past --max-event-streams with a 503 in the API envelope; the open ones keep working', async () => {
    const server = await start({ maxEventStreams: 2 });
    const first = await openStream(server);
    const second = await openStream(server);
    await first.nextOf('ready');
    await second.nextOf('ready');
    const refused = await fetch(`${server.origin}/__mock/events`);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({
      error: { code: 503, message: 'Too many event streams: 2 are open already (--max-event-streams); close one and retry' },
    });
    await patchDocsKey(server, 'Still streamed');
    for (const stream of [first, second]) expect(await stream.nextOf('request')).toMatchObject({ method: 'PATCH', body: { name: 'Still streamed' } });
    // A closed stream makes room.
    first.close();
    let status = await tryStream(server);
    for (let i = 0; i < 100 && status === 503; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      status = await tryStream(server);
    }
    expect(status).toBe(200);
    second.close();
  });

  it('tells a usage-window rollover when the running clock crosses midnight UTC, with no request', async () => {
    const server = await start({ now: '2026-01-14T23:59:59.200Z' });
    const stream = await openStream(server);
    await stream.nextOf('ready');
    expect(await stream.nextOf('keys')).toEqual({ change: 'windows', account_id: null, hash: null });
    expect(server.app.mock.clock.now()).toBeGreaterThanOrEqual(Date.parse('2026-01-15T00:00:00Z'));
    expect(server.app.mock.journal.size).toBe(0);
    stream.close();
  });

  it('is guarded by --admin-token like the rest of the control plane', async () => {
    const server = await start({ adminToken: 'admin-secret-1' });
    const refused = await fetch(`${server.origin}/__mock/events`);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/admin token/);
    const stream = await openStream(server, { authorization: 'Bearer admin-secret-1' });
    expect(stream.response.status).toBe(200);
    await stream.nextOf('ready');
    stream.close();
  });

  it('is not there with --no-control', async () => {
    const server = await start({ control: false });
    expect((await fetch(`${server.origin}/__mock/events`)).status).toBe(404);
  });

  it('stops listening when the client goes away: the mock then builds no events', async () => {
    const server = await start();
    const stream = await openStream(server);
    await stream.nextOf('ready');
    expect(server.app.mock.events.listening('request')).toBe(true);
    stream.close();
    for (let i = 0; i < 100 && server.app.mock.events.listening('request'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(server.app.mock.events.listening('request')).toBe(false);
  });
});

describe('GET /__mock/accounts/:id/management-key', () => {
  it('gives the plaintext of configured and created accounts, and null for an imported one', async () => {
    const server = await start({ managementKey: ['sk-or-v1-first-account-key', 'sk-or-v1-second-account-key'] });
    const [first, second] = await server.accounts();
    expect(await server.accountKey(first!.id)).toEqual({ management_key: 'sk-or-v1-first-account-key' });
    expect(await server.accountKey(second!.id)).toEqual({ management_key: 'sk-or-v1-second-account-key' });
    const created = await server.createAccount();
    expect(await server.accountKey(created.id)).toEqual({ management_key: created.management_key });
    const state = await server.state();
    const imported = { ...state.accounts[1]!, id: 'acct_imported', management_key: { ...state.accounts[1]!.management_key, hash: 'f'.repeat(64) }, keys: [] };
    await server.load({ accounts: [state.accounts[0]!, imported] });
    expect(await server.accountKey('acct_imported')).toEqual({ management_key: null });
    const missing = await fetch(`${server.origin}/__mock/accounts/acct_none/management-key`);
    expect(missing.status).toBe(404);
  });
});
