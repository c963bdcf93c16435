import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest, onRequestHookHandler, onRouteHookHandler, RouteHandlerMethod } from 'fastify';
import { apiError } from '../domain/errors.js';
import type { FaultRule } from '../domain/faults.js';
import { journalBody } from '../domain/journal.js';
import { holdsSecrets, redactSecrets, redactUrl } from '../domain/redaction.js';
import type { MockRuntime } from '../runtime.js';
import { answerError, sendApiError } from './error-handler.js';

/**
 * What happens to API traffic besides the API itself: global latency, injected faults (rules and
 * the one-shot `X-Mock-Response` header) and the request journal. Registered inside the API's
 * scope only, so control routes are never faulted, delayed or journalled.
 */

declare module 'fastify' {
  interface FastifyRequest {
    /** When the request arrived, on the virtual clock (set by the app's first hook; for the journal). */
    arrivedAt: number;
  }
}

const contentLength = (request: FastifyRequest): number | undefined => {
  const header = request.headers['content-length'];
  return header === undefined ? undefined : Number(header);
};

type Action = Pick<FaultRule, 'status' | 'body' | 'delay_ms' | 'jitter_ms' | 'retry_after' | 'fault'>;

const HEADER = 'x-mock-response';

/** `X-Mock-Response: status=429; delay_ms=100; retry_after=2; fault=reset; message=Slow down`. */
export function parseMockResponseHeader(value: string): Action {
  const action: Action = {};
  for (const part of value.split(/[;,&]/)) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    const raw = eq === -1 ? '' : part.slice(eq + 1).trim();
    const int = (min: number, max: number) => {
      const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
      if (!(n >= min && n <= max)) throw apiError('badMockHeader', `${name} must be an integer from ${min} to ${max}`);
      return n;
    };
    switch (name) {
      case 'status':
        action.status = int(400, 599);
        break;
      case 'delay_ms':
        action.delay_ms = int(0, 600_000);
        break;
      case 'retry_after':
        action.retry_after = int(0, 86_400);
        break;
      case 'message':
        action.body = raw;
        break;
      case 'fault':
        if (raw !== 'reset' && raw !== 'timeout') throw apiError('badMockHeader', 'fault must be reset or timeout');
        action.fault = raw;
        break;
      default:
        throw apiError('badMockHeader', `unknown part "${name.slice(0, 40)}" (use status, delay_ms, retry_after, message, fault)`);
    }
  }
  return action;
}

/** The OpenRouter envelope of an injected error. */
export function injectedError(status: number, body: unknown) {
  let message = status === 429 ? 'Rate limit exceeded' : (STATUS_CODES[status] ?? 'Error');
  let metadata: Record<string, unknown> | undefined;
  if (typeof body === 'string' && body !== '') message = body;
  else if (body && typeof body === 'object') {
    const error = (body as { error?: { message?: unknown; metadata?: unknown } }).error;
    if (error && typeof error === 'object') {
      if (typeof error.message === 'string') message = error.message;
      if (error.metadata && typeof error.metadata === 'object') metadata = error.metadata as Record<string, unknown>;
    } else metadata = body as Record<string, unknown>;
  }
  return apiError('injected', status, message).withMetadata(metadata);
}

export function trafficHooks(runtime: MockRuntime): {
  onRequest: onRequestHookHandler;
  wrapHandlers: onRouteHookHandler;
  errorHandler: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined;
} {
  const { faults, journal, config } = runtime;
  const latency = config.latency;

  const record = (request: FastifyRequest, status: number, durationMs: number) => {
    if (!journal.enabled) return;
    const { url } = request;
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const hash = (request.params as { hash?: string } | undefined)?.hash ?? null;
    const query = (request.query ?? {}) as Record<string, unknown>;
    // A plaintext key can arrive anywhere, the path and query string included (percent-encoded
    // too), and a query field may be named like a secret: masked by the rules the log uses
    // (`redactUrl` on the raw path, as pino's request serializer does on the whole URL; for a
    // plain `/api/v1/keys/<hash>` a few `includes` and the same string back). The parsed query
    // (decoded) is this request's own object: kept as is when it holds nothing to hide.
    journal.append(
      request.arrivedAt,
      request.method,
      redactUrl(path),
      queryAt === -1 ? undefined : holdsSecrets(query) ? (redactSecrets(query) as Record<string, unknown>) : query,
      journalBody(request.body, contentLength(request)),
      status,
      Math.round(durationMs * 1000) / 1000,
      request.principal?.account.id ?? null,
      // The decoded :hash is checked on its own (a key could arrive percent-encoded).
      hash !== null && hash.includes('sk-or-v1-') ? (redactSecrets(hash) as string) : hash,
    );
  };

  /**
   * Carries out a fault: answers with its error, resets or never answers — or, when it is only a
   * delay, goes on with `next` (validation, then the route's handler) once the delay is over.
   * Returns what the handler should return: undefined once the reply is sent or hijacked.
   */
  const carryOut = (action: Action, request: FastifyRequest, reply: FastifyReply, next: () => unknown): unknown => {
    const respond = (): unknown => {
      if (action.fault === 'reset') {
        record(request, 0, reply.elapsedTime);
        request.raw.socket?.destroy();
        reply.hijack();
        return undefined;
      }
      if (action.fault === 'timeout') {
        // Never answer: the socket stays open until the client gives up or the server closes.
        record(request, 0, reply.elapsedTime);
        reply.hijack();
        return undefined;
      }
      if (action.status !== undefined) {
        const retryAfter = action.retry_after ?? (action.status === 429 ? 1 : undefined);
        if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
        record(request, action.status, reply.elapsedTime);
        sendApiError(reply, injectedError(action.status, action.body));
        return undefined;
      }
      return next();
    };
    const jitter = action.jitter_ms ? Math.floor(Math.random() * (action.jitter_ms + 1)) : 0;
    const wait = (action.delay_ms ?? 0) + jitter;
    if (wait === 0) return respond();
    return new Promise((resolve, reject) => {
      setTimeout(() => {
        try {
          resolve(respond());
        } catch (error) {
          reject(error);
        }
      }, wait);
    });
  };

  const latencyMs = () => (latency ? latency.min + Math.floor(Math.random() * (latency.max - latency.min + 1)) : 0);

  /** Global latency: every API answer, errors included, waits a random while first. */
  const onRequest: onRequestHookHandler = function latencyHook(_request, _reply, done) {
    setTimeout(done, latencyMs());
  };

  /** The fault, if any, that this request meets (a bad `X-Mock-Response` header throws its 400). */
  const faultFor = (request: FastifyRequest): Action | undefined => {
    const header = request.headers[HEADER];
    if (header !== undefined) return parseMockResponseHeader(Array.isArray(header) ? header.join(';') : header);
    const path = request.url.split('?')[0] ?? request.url;
    return faults.take({ method: request.method, path, hash: (request.params as { hash?: string } | undefined)?.hash });
  };

  /**
   * Faults act once the request is authenticated and its body read (so the journal keeps both),
   * before validation and the handler: a rule's 500 replaces whatever the API would have said.
   *
   * Not a `preValidation` hook: having one at all cost 8,000–13,000 instructions on every request
   * (callgrind, BENCHMARKS.md), faults or not. Instead each route validates with
   * `attachValidation` and its handler is wrapped: faults first, then the validation error, then
   * the route's own handler. With no fault set and no header, that is two checks.
   *
   * The journal is written here too (and by the scope's error handler, and where a fault answers)
   * rather than in an `onResponse` hook, which cost ~10,000 instructions a request: an entry is
   * recorded when the mock has decided its answer, with that status, and `duration_ms` up to then.
   */
  const wrapHandlers: onRouteHookHandler = (route) => {
    const handler = route.handler;
    route.attachValidation = true;
    const answer = journal.enabled
      ? function answerAndRecord(this: unknown, request: FastifyRequest, reply: FastifyReply): unknown {
          if (request.validationError) throw request.validationError;
          const result: unknown = handler.call(this as never, request, reply);
          if (result !== null && typeof (result as Promise<unknown> | undefined)?.then === 'function') {
            return (result as Promise<unknown>).then((value) => {
              record(request, reply.statusCode, reply.elapsedTime);
              return value;
            });
          }
          record(request, reply.statusCode, reply.elapsedTime);
          return result;
        }
      : function answer(this: unknown, request: FastifyRequest, reply: FastifyReply): unknown {
          if (request.validationError) throw request.validationError;
          return handler.call(this as never, request, reply);
        };
    route.handler = function faultsThenHandler(request, reply) {
      if (request.headers[HEADER] === undefined && faults.size === 0) return answer.call(this, request, reply);
      const action = faultFor(request);
      const next = () => answer.call(this, request, reply);
      return action ? carryOut(action, request, reply, next) : next();
    } as RouteHandlerMethod;
  };

  /** The API scope's error handler: the one error path (`answerError`), journalled. */
  const errorHandler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined =>
    answerError(error, request, reply, (status) => record(request, status, reply.elapsedTime));

  return { onRequest, wrapHandlers, errorHandler };
}
