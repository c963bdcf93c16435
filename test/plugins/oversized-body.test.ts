/**
 * A body over the limit gets a 413 every client can read: the server reads and throws away the
 * rest of the body (up to a cap, and for a while at most), then answers and closes. Real listening
 * servers; the clients that write a whole body before reading (Node's `fetch`, the official SDK)
 * run in a worker thread, on an event loop of their own as a real client is — in the server's own
 * thread the two sides take turns and the race that broke them (answer and close before the body
 * was sent) seldom shows.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { CONTROL_BODY_LIMIT } from '../../src/app.js';
import { DISCARD_TIMEOUT_MS, discardCap } from '../../src/plugins/oversized-body.js';
import { createMockServer, type MockServer } from '../../src/server.js';
import type { MockOptions } from '../../src/config.js';
import { DOCS_HASH, MANAGEMENT_KEY, TEST_NOW } from '../helpers/build.js';

const MiB = 1024 * 1024;
const DEFAULT_LIMIT = MiB;
const CURL = '/usr/bin/curl';
/** Tests that send tens or hundreds of MiB: seconds alone, far more on a loaded machine. */
const LARGE_UPLOADS_TIMEOUT_MS = 60_000;

const tooLarge = (limit: number) => ({ error: { code: 413, message: `Request body too large: the limit is ${limit} bytes` } });

let servers: MockServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

async function start(options: MockOptions = {}): Promise<MockServer> {
  const server = await createMockServer({ port: 0, host: '127.0.0.1', now: TEST_NOW, ...options });
  servers.push(server);
  return server;
}

const stateBytes = async (server: MockServer) => (await fetch(`${server.origin}/__mock/state`)).text();
const journalled413s = async (server: MockServer) => (await server.requests({ status: 413, limit: 10_000 })).length;

/** What a client in another thread saw: an answer, or the error its call threw. */
type Outcome = { status: number; connection: string | null; body: string } | { error: string };
type SdkOutcome = { name: string; statusCode: number | undefined; body: string | undefined } | { resolved: true };

/** A run of PATCHes a client thread makes one after the other, each `size` bytes or characters. */
type ClientRun =
  /** `fetch` with a JSON string body (so with Content-Length). */
  | { client: 'fetch'; times: number; size: number }
  /** `fetch` with a stream body: chunked, no Content-Length. */
  | { client: 'fetch-stream'; times: number; size: number }
  /** `http.request` without Content-Length, writing 64 KiB chunks: chunked. */
  | { client: 'http-chunked'; times: number; size: number }
  /** The official SDK's `apiKeys.update`. */
  | { client: 'sdk'; times: number; size: number };

/**
 * The clients, in a worker thread (plain JavaScript: the worker is not transpiled). Each run's
 * PATCHes go one after the other, to `${api}/keys/${hash}`; nothing is retried.
 */
const CLIENT_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');

const failure = (error) => ({ error: String(error && error.cause && error.cause.code ? error.cause.code : (error && error.code) || error) });

async function viaFetch(url, headers, body) {
  try {
    const res = await fetch(url, { method: 'PATCH', headers, body, duplex: 'half' });
    return { status: res.status, connection: res.headers.get('connection'), body: await res.text() };
  } catch (error) {
    return failure(error);
  }
}

function chunks(size) {
  const chunk = new Uint8Array(64 * 1024).fill(120);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) return controller.close();
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

function viaHttpChunked(url, headers, size) {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'PATCH', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, connection: res.headers.connection, body }));
    });
    req.on('error', (error) => resolve(failure(error)));
    if (req.getHeader('content-length') !== undefined) throw new Error('expected no Content-Length');
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    const more = () => {
      while (sent < size) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', more);
      }
      req.end();
    };
    req.write('{"name":"');
    more();
  });
}

async function viaSdk(sdk, hash, size) {
  try {
    await sdk.apiKeys.update({ hash, requestBody: { name: 'x'.repeat(size) } });
    return { resolved: true };
  } catch (error) {
    return { name: error.constructor.name, statusCode: error.statusCode, body: error.body };
  }
}

async function run({ api, hash, key, runs }) {
  const url = api + '/keys/' + hash;
  const headers = { authorization: 'Bearer ' + key, 'content-type': 'application/json' };
  const { OpenRouter } = await import('@openrouter/sdk');
  const sdk = new OpenRouter({ apiKey: key, serverURL: api, retryConfig: { strategy: 'none' } });
  const results = [];
  for (const { client, times, size } of runs) {
    const outcomes = [];
    const body = client === 'fetch' ? JSON.stringify({ name: 'x'.repeat(size) }) : undefined;
    for (let i = 0; i < times; i++) {
      if (client === 'fetch') outcomes.push(await viaFetch(url, headers, body));
      else if (client === 'fetch-stream') outcomes.push(await viaFetch(url, headers, chunks(size)));
      else if (client === 'http-chunked') outcomes.push(await viaHttpChunked(url, headers, size));
      else outcomes.push(await viaSdk(sdk, hash, size));
    }
    results.push(outcomes);
  }
  return results;
}
run(workerData).then((results) => parentPort.postMessage({ results }), (error) => parentPort.postMessage({ crashed: String(error) }));
`;

/** Runs `runs` from a worker thread against `server`; one list of outcomes per run. */
async function clientsInAThread(server: MockServer, runs: ClientRun[]): Promise<unknown[][]> {
  const worker = new Worker(CLIENT_SOURCE, { eval: true, workerData: { api: server.url, hash: DOCS_HASH, key: MANAGEMENT_KEY, runs } });
  try {
    const answer = await new Promise<{ results?: unknown[][]; crashed?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (answer.crashed !== undefined) throw new Error(`client thread failed: ${answer.crashed}`);
    return answer.results!;
  } finally {
    await worker.terminate();
  }
}

/** Every outcome is the readable 413 of `limit`, its connection closed after it. */
function expectAll413(outcomes: unknown[], limit: number): void {
  for (const outcome of outcomes as Outcome[]) {
    expect(outcome).toMatchObject({ status: 413, connection: 'close' });
    expect(JSON.parse((outcome as { body: string }).body)).toEqual(tooLarge(limit));
  }
}

/** A raw HTTP/1.1 exchange: what came back, how it ended, and how long the connection lived. */
interface RawResult {
  text: string;
  error: string | undefined;
  ms: number;
}

/**
 * Opens a connection, writes `head`, then lets `feed` write the body; resolves when the server
 * closes the connection (or resets it).
 */
function rawExchange(port: number, head: string, feed: (socket: Socket) => void = () => {}): Promise<RawResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    let text = '';
    let error: string | undefined;
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(head);
      feed(socket);
    });
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', (err: Error & { code?: string }) => (error = err.code ?? err.message));
    socket.on('close', () => resolve({ text, error, ms: performance.now() - started }));
  });
}

const patchHead = (extra: string) =>
  `PATCH /api/v1/keys/${DOCS_HASH} HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer ${MANAGEMENT_KEY}\r\nContent-Type: application/json\r\n${extra}\r\n`;

/** Writes `chunk` as chunked-encoding frames until `total` bytes are out or the connection is gone. */
function writeChunked(socket: Socket, chunk: Buffer, total: number, end = true): void {
  let sent = 0;
  const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
  const more = () => {
    while (sent < total && !socket.destroyed) {
      sent += chunk.length;
      if (!socket.write(frame)) {
        socket.once('drain', more);
        return;
      }
    }
    if (end && !socket.destroyed) socket.write('0\r\n\r\n');
  };
  more();
}

const statusOf = (raw: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
const bodyOf = (raw: string) => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as unknown;

/** A normal request still gets its answer (the server neither hangs nor crashed). */
async function stillServes(server: MockServer): Promise<void> {
  const res = await fetch(`${server.url}/keys/${DOCS_HASH}`, { headers: { authorization: `Bearer ${MANAGEMENT_KEY}` } });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { data: { hash: string } }).data.hash).toBe(DOCS_HASH);
}

describe('a body over --body-limit: a 413 every client reads', () => {
  it('20 sequential 2 MiB PATCHes through fetch, and 5 SDK updates of 8 MiB, all get the 413 (no retries); one journal entry each, state unchanged', async () => {
    const server = await start();
    const before = await stateBytes(server);
    const [fetched, updated] = await clientsInAThread(server, [
      { client: 'fetch', times: 20, size: 2 * MiB },
      // Larger than the fetch bodies (still under the cap, 16 MiB): the more there is left to send
      // when the body is refused, the surer a server that answers early breaks the client.
      { client: 'sdk', times: 5, size: 8 * MiB },
    ]);

    expect(fetched).toHaveLength(20);
    expectAll413(fetched!, DEFAULT_LIMIT);
    // The SDK raises its HTTP error for the status, not a ConnectionError.
    expect(updated).toHaveLength(5);
    for (const outcome of updated as SdkOutcome[]) {
      expect(outcome).toMatchObject({ name: 'OpenRouterDefaultError', statusCode: 413 });
      expect(JSON.parse((outcome as { body: string }).body)).toEqual(tooLarge(DEFAULT_LIMIT));
    }

    expect(await journalled413s(server)).toBe(25);
    expect(await stateBytes(server)).toBe(before);
    await stillServes(server);
  }, LARGE_UPLOADS_TIMEOUT_MS);

  it('chunked uploads (no Content-Length) over the limit get the 413: http.request writing chunks, fetch with a stream body', async () => {
    const server = await start();
    const before = await stateBytes(server);
    const [viaHttp, viaFetch] = await clientsInAThread(server, [
      { client: 'http-chunked', times: 10, size: 3 * MiB },
      { client: 'fetch-stream', times: 10, size: 3 * MiB },
    ]);
    expect(viaHttp).toHaveLength(10);
    expectAll413(viaHttp!, DEFAULT_LIMIT);
    expect(viaFetch).toHaveLength(10);
    expectAll413(viaFetch!, DEFAULT_LIMIT);
    expect(await journalled413s(server)).toBe(20);
    expect(await stateBytes(server)).toBe(before);
  }, LARGE_UPLOADS_TIMEOUT_MS);

  it('curl gets the 413, with and without Expect: 100-continue, chunked too', async (context) => {
    if (!existsSync(CURL)) context.skip(`${CURL} is not installed`);
    const server = await start();
    const before = await stateBytes(server);
    const file = join(tmpdir(), `oversized-body-${process.pid}.json`);
    await writeFile(file, JSON.stringify({ name: 'x'.repeat(2 * MiB) }));
    onTestFinished(() => rm(file, { force: true }));
    const variants = [[], ['-H', 'Expect:'], ['-H', 'Transfer-Encoding: chunked']];
    for (const extra of variants) {
      // Asynchronous: the server answers from this thread.
      const out = await new Promise<string>((resolve, reject) => {
        const curl = spawn(CURL, [
          '-sS',
          '-X',
          'PATCH',
          '-H',
          `Authorization: Bearer ${MANAGEMENT_KEY}`,
          '-H',
          'Content-Type: application/json',
          ...extra,
          '--data-binary',
          `@${file}`,
          '-w',
          '\n%{http_code}',
          `${server.url}/keys/${DOCS_HASH}`,
        ]);
        let stdout = '';
        let stderr = '';
        curl.stdout.on('data', (d: Buffer) => (stdout += String(d)));
        curl.stderr.on('data', (d: Buffer) => (stderr += String(d)));
        curl.on('error', reject);
        curl.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`curl ${extra.join(' ')} exited ${code}: ${stderr}`))));
      });
      const [body, status] = [out.slice(0, out.lastIndexOf('\n')), out.slice(out.lastIndexOf('\n') + 1)];
      expect(status, extra.join(' ')).toBe('413');
      expect(JSON.parse(body)).toEqual(tooLarge(DEFAULT_LIMIT));
    }
    expect(await journalled413s(server)).toBe(variants.length);
    expect(await stateBytes(server)).toBe(before);
  });

  it('a control route drains too, with its own cap: a chunked PUT /__mock/state over 256 MiB gets the 413', async () => {
    expect(discardCap(CONTROL_BODY_LIMIT)).toBe(64 * MiB);
    const server = await start();
    const before = await stateBytes(server);
    const port = Number(new URL(server.origin).port);
    const result = await rawExchange(
      port,
      `PUT /__mock/state HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      (socket) => writeChunked(socket, Buffer.alloc(MiB, ' '), CONTROL_BODY_LIMIT + 4 * MiB),
    );
    expect(result.error).toBeUndefined();
    expect(statusOf(result.text)).toBe(413);
    expect(result.text).toMatch(/\r\nconnection: close\r\n/i);
    expect(bodyOf(result.text)).toEqual(tooLarge(CONTROL_BODY_LIMIT));
    expect(await stateBytes(server)).toBe(before);
  }, LARGE_UPLOADS_TIMEOUT_MS);
});

describe('the README', () => {
  it("states the 413's cap and time cap as the code has them", async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const row = readme.split('\n').find((line) => line.startsWith('| 413 |'));
    expect(row).toBeDefined();
    expect(row).toContain(`up to ${discardCap(1)} × the limit (at most ${discardCap(Number.MAX_SAFE_INTEGER) / MiB} MiB)`);
    expect(row).toContain(`for at most ${DISCARD_TIMEOUT_MS / 1000} s`);
    expect(row).toContain('Connection: close');
  });
});

describe('past the cap or the time cap, the connection closes', () => {
  const LIMIT = 1024;
  const CAP = discardCap(LIMIT);

  it(`a sender that never stops (chunked, far past the cap of ${CAP} bytes) is cut off; the server then serves as before`, async () => {
    const server = await start({ bodyLimit: LIMIT });
    const before = await stateBytes(server);
    const port = Number(new URL(server.origin).port);
    // Bounded only so that a server that never closes fails the test instead of filling memory.
    const result = await rawExchange(port, patchHead('Transfer-Encoding: chunked\r\n'), (socket) =>
      writeChunked(socket, Buffer.alloc(16 * 1024, 'x'), 512 * MiB, false),
    );
    // Answered if the answer got through before the close; never anything else.
    if (result.text !== '') expect(statusOf(result.text)).toBe(413);
    expect(await journalled413s(server)).toBe(1);
    expect(await stateBytes(server)).toBe(before);
    await stillServes(server);
  });

  it('a body declared larger than the cap is answered at once, unread, and the connection closed', async () => {
    const server = await start({ bodyLimit: LIMIT });
    const port = Number(new URL(server.origin).port);
    const result = await rawExchange(port, patchHead(`Content-Length: ${CAP + 1}\r\n`), (socket) => socket.write('{"name":"'));
    expect(statusOf(result.text)).toBe(413);
    expect(result.text).toMatch(/\r\nconnection: close\r\n/i);
    expect(bodyOf(result.text)).toEqual(tooLarge(LIMIT));
    // Not held for the time cap: nothing was waited for.
    expect(result.ms).toBeLessThan(DISCARD_TIMEOUT_MS / 2);
    expect(await journalled413s(server)).toBe(1);
  });

  it(
    `a sender that stops mid-body is answered after ${DISCARD_TIMEOUT_MS / 1000} s and the connection closed`,
    async () => {
      const server = await start({ bodyLimit: LIMIT });
      const before = await stateBytes(server);
      const port = Number(new URL(server.origin).port);
      // Declares 2,000 bytes (over the limit, under the cap), sends 9 and then nothing.
      const result = await rawExchange(port, patchHead('Content-Length: 2000\r\n'), (socket) => socket.write('{"name":"'));
      expect(statusOf(result.text)).toBe(413);
      expect(bodyOf(result.text)).toEqual(tooLarge(LIMIT));
      expect(result.ms).toBeGreaterThanOrEqual(DISCARD_TIMEOUT_MS - 50);
      expect(await journalled413s(server)).toBe(1);
      expect(await stateBytes(server)).toBe(before);
      await stillServes(server);
    },
    DISCARD_TIMEOUT_MS + 15_000,
  );

  it('a client that goes away while its body is being discarded: one journal entry, no crash, the server serves on', async () => {
    const server = await start({ bodyLimit: LIMIT });
    const port = Number(new URL(server.origin).port);
    await rawExchange(port, patchHead('Content-Length: 4000\r\n'), (socket) => {
      socket.write('{"name":"');
      setTimeout(() => socket.destroy(), 100);
    });
    expect(await journalled413s(server)).toBe(1);
    await stillServes(server);
  });
});
