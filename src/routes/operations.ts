import { Readable, pipeline } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, RouteOptions } from 'fastify';
import type { Principal } from '../domain/key-store.js';
import type { Engine, Outcome } from '../http/engine.js';
import type { Operation } from '../http/operation.js';
import type { StreamedAnswer } from '../http/streamed.js';
import { TurnEndSender } from './turn-end.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, once authenticated (API routes). */
    principal: Principal | null;
    /** When the request arrived, on the virtual clock (set by the app's first hook; for the journal). */
    arrivedAt: number;
  }
  interface FastifyContextConfig {
    /** An operation's whole schema, for the OpenAPI document (src/plugins/openapi.ts). */
    docs?: unknown;
    /** The engine's operation this route is (its body parser and error handler ask the engine about it). */
    operation?: Operation;
  }
}

/**
 * The server's routes: each of the engine's operations as a Fastify route, a thin translation.
 * Fastify routes the request, reads its body (the app's one content-type parser calls
 * `engine.readBody`) and serializes the answer with the operation's response schemas; each stage
 * is the engine's (the table in src/http/engine.ts), as for the fetch handler and MSW:
 * - `onRequest` (before the body is read): `engine.admit` — the latency, then 401/403;
 * - the handler: `engine.run` (faults, validation, the operation, the journal), its outcome sent
 *   — a JSON answer at the end of the event loop's turn, with the turn's others (src/routes/turn-end.ts).
 */
export function operationRoute(engine: Engine, op: Operation): RouteOptions {
  // Fastify gets the response schemas only (for its serializers): the input is validated by the
  // engine, and a route without input schemas skips Fastify's validation step altogether. The
  // whole schema goes to the OpenAPI document through `config.docs`.
  const { params: _params, querystring: _querystring, body: _body, ...answers } = op.schema;
  const route: RouteOptions = {
    method: op.method,
    url: op.url,
    schema: answers,
    config: { docs: op.schema, operation: op },
    handler(request, reply) {
      const outcome = engine.run(op, request, reply);
      // A delayed answer (a fault's delay) is the promise's value: it is alone in its turn anyway.
      return outcome instanceof Promise ? outcome.then((settled) => deliver(settled, request, reply, false)) : deliver(outcome, request, reply, true);
    },
  };
  if (engine.admits(op)) route.onRequest = admitHook(engine, op);
  if (op.plane === 'control') route.bodyLimit = engine.bodyLimit(op);
  return route;
}

/** `engine.admit` as a hook: the principal kept on the request, a refusal passed to the error handler. */
function admitHook(engine: Engine, op: Operation): onRequestHookHandler {
  return function admitHook(request, _reply, done) {
    let admitted;
    try {
      admitted = engine.admit(op, request.headers.authorization);
    } catch (error) {
      return done(error as Error);
    }
    if (!(admitted instanceof Promise)) {
      request.principal = admitted;
      return done();
    }
    admitted.then((principal) => {
      request.principal = principal;
      done();
    }, done);
  };
}

/** The answers of a turn, sent at its end (every app of the process: each reply is its own). */
const atTurnEnd = new TurnEndSender();

/**
 * Sends an outcome: a status, `Retry-After` and a body for Fastify's serializer — or a fault: the
 * socket destroyed (`reset`), or the request left unanswered until the client or the server closes
 * (`timeout`). Returns what the handler returns: undefined once the reply is hijacked or its body
 * is left to `atTurnEnd` (`batched`: the handler is not returning a promise, so Fastify waits for
 * the send; a promise's undefined would be sent at once as an empty answer).
 */
function deliver(outcome: Outcome, request: FastifyRequest, reply: FastifyReply, batched: boolean): unknown {
  if (outcome.fault !== undefined) {
    if (outcome.fault === 'reset') request.raw.socket?.destroy();
    reply.hijack();
    return undefined;
  }
  if (outcome.status !== 200) reply.code(outcome.status);
  if (outcome.headers) reply.headers(outcome.headers);
  if (outcome.streamed) return stream(outcome.streamed, outcome.status, request, reply);
  if (!batched) return outcome.body;
  atTurnEnd.send(reply, outcome.body);
  return undefined;
}

/**
 * A streamed answer, piped to the socket: the headers every answer carries (set by the app's hook)
 * and the stream's own, then its bytes as they come. The socket's back-pressure stops the reads,
 * so what the client does not take waits in the stream's queue (where the feeder sees it). The
 * response is known to the app until it closes, so that a shutdown ends it at once (src/server.ts).
 * A HEAD gets the headers only.
 */
function stream(streamed: StreamedAnswer, status: number, request: FastifyRequest, reply: FastifyReply): unknown {
  if (request.method === 'HEAD') {
    streamed.abort();
    return '';
  }
  reply.hijack();
  const res = reply.raw;
  res.writeHead(status, { ...(reply.getHeaders() as Record<string, string>), connection: 'keep-alive' });
  const open = request.server.eventStreams;
  open.add(res);
  res.once('close', () => open.delete(res));
  // Ended or cut (the client left, a shutdown, a dropped slow reader): the feeder is told either way.
  pipeline(Readable.fromWeb(streamed.stream as NodeReadableStream<Uint8Array>), res, (error) => {
    if (error) streamed.abort(error);
  });
  return undefined;
}

/** Registers operations on an instance (or an encapsulated scope). */
export function registerOperations(app: FastifyInstance, engine: Engine, operations: readonly Operation[]): void {
  for (const op of operations) app.route(operationRoute(engine, op));
}
