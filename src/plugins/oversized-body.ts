import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A 413 the client can read. Fastify stops reading a body as soon as it is over the route's limit
 * (or refuses it unread when its Content-Length says so), and the error's answer closes the
 * connection. A client still sending at that moment — Node's `fetch` (undici, which the official
 * SDK uses) — has its write fail with EPIPE/ECONNRESET, often before it has read the answer, and
 * reports a connection error instead of the 413 (measured: up to 19 of 20 undici PATCHes of 8 MiB;
 * curl too once told not to wait for `100 Continue`). So the error path reads the rest of the body
 * and throws it away, and answers once the client has sent everything. Good requests never come
 * here: no hook, nothing on their path.
 */

const MiB = 1024 * 1024;

/**
 * How much of an oversized body is read and thrown away before the answer: 16 × the route's limit,
 * at most 64 MiB — counted from the moment the body is refused (bytes Fastify read before, at most
 * about the limit, are not counted). 16 × covers the common overshoot (a 2 MiB update against the
 * 1 MiB default) many times over while reading never costs more than a small multiple of a body the
 * route accepts; 64 MiB bounds it where 16 × is large (the control plane's 256 MiB limit would give
 * 4 GiB). A body declared larger than this is not read at all: answered at once, then closed.
 */
export function discardCap(limit: number): number {
  return Math.min(64 * MiB, 16 * limit);
}

/**
 * How long reading the rest may take, whatever the cap: a slow or never-ending sender (one byte now
 * and then) cannot hold a socket and a request open for longer. 64 MiB at 10 MB/s takes ~7 s, so a
 * client that is really sending is done well before; after this the answer goes out and the
 * connection closes, whatever is still on its way.
 */
export const DISCARD_TIMEOUT_MS = 10_000;

/**
 * Reads and discards the rest of `request`'s body (up to `discardCap(limit)` bytes and
 * `DISCARD_TIMEOUT_MS`), then calls `answer` once; the answer carries `Connection: close`.
 *
 * The body stream is in one of two states here: untouched and paused (Content-Length over the limit:
 * Fastify refused it before reading), or flowing with Fastify's listeners removed (the limit was
 * crossed while reading: the chunks since are dropped). Resuming it and listening for `end` works in
 * both. If it has already ended, or the client has gone, `answer` runs at once.
 */
export function answerAfterDiscardingBody(request: FastifyRequest, reply: FastifyReply, limit: number, answer: () => void): void {
  reply.header('connection', 'close');
  const body = request.raw;
  const cap = discardCap(limit);
  if (body.readableEnded || body.destroyed || Number(request.headers['content-length']) > cap) {
    answer();
    return;
  }
  let discarded = 0;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    body.off('data', onData);
    body.off('end', finish);
    body.off('close', finish);
    // Stop reading what is left (past the cap, after the time cap): once the answer is written Node
    // closes the connection, and the rest is never read.
    if (!body.readableEnded) body.pause();
    answer();
  };
  const onData = (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > cap) finish();
  };
  const timer = setTimeout(finish, DISCARD_TIMEOUT_MS);
  timer.unref();
  body.on('data', onData);
  body.once('end', finish);
  body.once('close', finish);
  // The client went away mid-body: `close` follows and finishes; without a listener the error
  // would be thrown.
  body.on('error', noop);
  body.resume();
}

function noop(): void {}
