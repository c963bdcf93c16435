/**
 * Answers decided in one turn of the event loop are sent together at its end
 * (src/routes/turn-end.ts). What a client sees must not change: each request gets its own answer,
 * a connection's answers come in its requests' order, and nothing is left unanswered — over real
 * sockets (where the batching happens) and through `inject`.
 */
import net from 'node:net';
import http from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMockServer, type MockServer } from '../../src/index.js';
import { TurnEndSender } from '../../src/routes/turn-end.js';
import { buildTestApp, DOCS_HASH, MANAGEMENT_KEY, TEST_NOW } from '../helpers/build.js';

const servers: MockServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start() {
  const server = await createMockServer({ port: 0, now: TEST_NOW });
  servers.push(server);
  return server;
}

/** One request on a connection of its own (no keep-alive agent: every request its own socket). */
function patch(server: MockServer, hash: string, body: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${server.url}/keys/${hash}`,
      { method: 'PATCH', agent: false, headers: { authorization: `Bearer ${server.managementKey}`, 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('answers sent at the end of the turn', () => {
  it('gives each of many concurrent requests on their own connections its own answer', async () => {
    const server = await start();
    const hashes = server.store.list(server.store.listAccounts()[0]!).slice(0, 20).map((key) => key.hash);
    expect(hashes.length).toBeGreaterThanOrEqual(10);
    // Each request renames a different key to a name of its own, and a few are refused.
    const answers = await Promise.all(
      hashes.map((hash, i) => (i % 5 === 4 ? patch(server, hash, { limit: -1 }) : patch(server, hash, { name: `concurrent ${i}` }))),
    );
    answers.forEach((answer, i) => {
      if (i % 5 === 4) {
        expect(answer.status).toBe(400);
        expect(answer.body.error.code).toBe(400);
      } else {
        expect(answer.status).toBe(200);
        expect(answer.body.data).toMatchObject({ hash: hashes[i], name: `concurrent ${i}` });
      }
    });
  });

  it('answers pipelined requests on one connection in their order', async () => {
    const server = await start();
    const [first, second] = server.store.list(server.store.listAccounts()[0]!).map((key) => key.hash);
    const auth = `Authorization: Bearer ${server.managementKey}\r\n`;
    const body = (name: string) => JSON.stringify({ name });
    const request = (hash: string, name: string) =>
      `PATCH /api/v1/keys/${hash} HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Type: application/json\r\nContent-Length: ${body(name).length}\r\n\r\n${body(name)}`;
    const get = `GET /api/v1/keys/${DOCS_HASH.slice(0, 10)} HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}\r\n`;
    // Three requests in one write: the answers must come back in the same order.
    const text = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(new URL(server.origin).port), '127.0.0.1');
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        received += chunk;
        if ((received.match(/HTTP\/1\.1 /g) ?? []).length === 3 && /\}$/.test(received)) socket.end();
      });
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
      socket.write(request(first!, 'pipelined one') + get + request(second!, 'pipelined two'));
    });
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    expect(statuses).toEqual([200, 404, 200]);
    const one = text.indexOf('"name":"pipelined one"');
    const missing = text.indexOf('"code":404');
    const two = text.indexOf('"name":"pipelined two"');
    expect(one).toBeGreaterThan(-1);
    expect(missing).toBeGreaterThan(one);
    expect(two).toBeGreaterThan(missing);
  });

  it('answers requests injected together (no socket), each with its own answer', async () => {
    const app = buildTestApp();
    const hashes = app.mock.store.list(app.mock.store.listAccounts()[0]!).slice(0, 5).map((key) => key.hash);
    const answers = await Promise.all(
      hashes.map((hash, i) =>
        app.inject({ method: 'PATCH', url: `/api/v1/keys/${hash}`, headers: { authorization: `Bearer ${MANAGEMENT_KEY}` }, payload: { name: `injected ${i}` } }),
      ),
    );
    answers.forEach((answer, i) => {
      expect(answer.statusCode).toBe(200);
      expect(answer.json().data).toMatchObject({ hash: hashes[i], name: `injected ${i}` });
    });
    await app.close();
  });

  it('answers while the test fakes the global timers (setImmediate among them)', async () => {
    const app = buildTestApp();
    await app.ready();
    vi.useFakeTimers();
    try {
      // A GET: inject's own delivery of a request body waits on the faked timers, whatever the route.
      const answer = await app.inject({ method: 'GET', url: `/api/v1/keys/${DOCS_HASH}`, headers: { authorization: `Bearer ${MANAGEMENT_KEY}` } });
      expect(answer.statusCode).toBe(200);
      expect(answer.json().data.hash).toBe(DOCS_HASH);
    } finally {
      vi.useRealTimers();
      await app.close();
    }
  });

  it('sends the rest of a turn when one send throws: that one gets its error sent, or its connection closed', async () => {
    const sent: unknown[] = [];
    const closed: string[] = [];
    const reply = (name: string, fails: number) => {
      let calls = 0;
      return {
        send(body: unknown) {
          if (calls++ < fails) throw new Error(`${name} cannot send`);
          sent.push([name, body instanceof Error ? body.message : body]);
        },
        raw: { destroy: () => closed.push(name) },
      };
    };
    const sender = new TurnEndSender();
    for (const [name, fails] of [['first', 0], ['once', 1], ['always', 2], ['last', 0]] as const) sender.send(reply(name, fails) as never, `${name} body`);
    expect(sent).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([
      ['first', 'first body'],
      ['once', 'once cannot send'],
      ['last', 'last body'],
    ]);
    expect(closed).toEqual(['always']);
  });
});
