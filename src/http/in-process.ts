import type { ApiError } from '../domain/errors.js';
import type { MockRuntime } from '../mock-runtime.js';
import { apiError } from '../domain/errors.js';
import { BODYLESS_METHODS, parseQuery, readJsonBody, refuseMalformedMediaType } from './body.js';
import { errorEnvelope, requestIds, SERVER_HEADER, type Engine, type Outcome } from './engine.js';
import type { Call, Elapsed, Operation } from './operation.js';
import { Router } from './router.js';
import type { StreamedAnswer } from './streamed.js';
import { latencyMs } from './traffic.js';

/**
 * The door for callers in the same process — the fetch handler and the MSW handlers — where the
 * server's transport does not exist: a WHATWG `Request` in, a `Response` out, in the order the
 * server answers (route 404/414/400 → latency → auth 401/403 → body 413 → media type 415 → JSON
 * 400 → faults → validation 400 → the operation). Every rule is the engine's; what is here is the
 * part Fastify does for the server: routing, reading the body, writing the answer.
 *
 * What the server has and this door has not: CORS (nothing crosses an origin here: a browser sends
 * no preflight to a function, nor for a request a service worker answers, so an `OPTIONS` is a
 * method without a route, 404), the docs (`/docs`, `/openapi.json`), the inspector (`/`,
 * `/__mock/ui/`), and HTTP-level errors of a byte stream (broken request lines, oversized headers,
 * a body cut short).
 */

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * A fault of kind `reset`, as `fetch` reports a dropped connection (a `TypeError`, "fetch failed",
 * its cause an `ECONNRESET`). MSW's door turns it into MSW's own network error.
 */
export class ConnectionResetError extends TypeError {
  constructor() {
    super('fetch failed', { cause: Object.assign(new Error('other side closed (fault: reset)'), { code: 'ECONNRESET' }) });
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * What carries the signal a `timeout` fault waits on: the caller's own (`init`, or the `Request` it
 * passed), not the signal of a `Request` built from it. A built `Request`'s signal follows the
 * caller's only while that `Request` lives (undici links them through a weak reference), so once
 * the garbage collector took it, an abort never arrived and the fault never ended.
 */
export interface SignalOwner {
  readonly signal?: AbortSignal | null;
}

/** Answers `Request`s with the engine, as the server would over HTTP. */
export class InProcessDoor {
  private readonly router: Router;
  private readonly nextRequestId = requestIds();
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /**
   * The signal owners of requests a `timeout` fault holds, kept reachable until their abort: a
   * caller's `Request` the caller no longer references would otherwise be collected, and with it
   * the link from the caller's controller to its signal.
   */
  private readonly held = new Set<SignalOwner>();

  constructor(
    private readonly engine: Engine,
    private readonly runtime: MockRuntime,
  ) {
    this.router = new Router(engine.operations);
  }

  /** Every operation this door answers (the MSW door registers one handler each). */
  get operations(): readonly Operation[] {
    return this.engine.operations;
  }

  /** `abort`: what carries the caller's signal, which a `timeout` fault waits on (the request itself by default). */
  async answer(request: Request, abort: SignalOwner = request): Promise<Response> {
    const method = request.method;
    const url = new URL(request.url);
    const target = `${url.pathname}${url.search}`;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const answerHeaders: Record<string, string> = { 'x-mock-server': SERVER_HEADER, 'x-request-id': this.nextRequestId(headers['x-request-id']) };
    const bytes = BODYLESS_METHODS.has(method) || request.body === null ? new Uint8Array(0) : new Uint8Array(await request.arrayBuffer());
    // As a client sends it over HTTP (the journal reads it).
    if (bytes.byteLength > 0) headers['content-length'] = String(bytes.byteLength);

    const respond = (outcome: Outcome, extra: Record<string, string> = {}): Response => {
      const all: Record<string, string> = { ...answerHeaders, ...extra };
      if (outcome.retryAfter !== undefined) all['retry-after'] = outcome.retryAfter;
      if (outcome.streamed) return this.streamed(outcome.streamed, outcome.status, { ...all, ...outcome.streamed.headers }, method, abort);
      if (outcome.body === undefined) return new Response(null, { status: outcome.status, headers: all });
      // A HEAD answer carries the GET answer's headers, its type included, without the body.
      all['content-type'] = JSON_TYPE;
      return new Response(method === 'HEAD' ? null : JSON.stringify(outcome.body), { status: outcome.status, headers: all });
    };
    const refuse = (error: ApiError) => respond({ status: error.status, body: errorEnvelope(error) });

    let routed;
    try {
      routed = this.router.find(method, url.pathname);
    } catch (error) {
      return refuse(error as ApiError);
    }
    if (!routed) return refuse(apiError('routeNotFound', method, url.pathname));
    const { operation: op } = routed;

    const call: Call = {
      method,
      url: target,
      headers,
      params: routed.params,
      query: parseQuery(url.search.slice(1)),
      body: undefined,
      principal: null,
      arrivedAt: this.runtime.clock.now(),
    };
    const startedAt = performance.now();
    const elapsed: Elapsed = {
      get elapsedTime() {
        return performance.now() - startedAt;
      },
    };
    const api = op.plane === 'api';
    if (api && this.runtime.config.latency) await sleep(latencyMs(this.runtime.config.latency));

    let outcome: Outcome;
    try {
      call.principal = this.engine.authorize(op.access, headers.authorization);
      const contentType = headers['content-type'];
      if (!BODYLESS_METHODS.has(method) && (contentType !== undefined || bytes.byteLength > 0)) {
        refuseMalformedMediaType(contentType);
        const limit = this.engine.bodyLimit(op);
        if (bytes.byteLength > limit) throw apiError('bodyTooLarge', limit);
        call.body = readJsonBody(method, contentType, this.decoder.decode(bytes), !api);
      }
      outcome = await this.engine.run(op, call, elapsed);
    } catch (error) {
      outcome = this.engine.fail(error, call, elapsed, api);
    }
    if (outcome.fault === 'reset') throw new ConnectionResetError();
    if (outcome.fault === 'timeout') return this.untilAborted(abort);
    return respond(outcome);
  }

  /**
   * A streamed answer as the `Response`'s body. The caller's abort ends it as `fetch` ends an
   * aborted body (its reader rejects with the reason); cancelling the body ends it too. A HEAD
   * gets the headers only.
   */
  private streamed(streamed: StreamedAnswer, status: number, headers: Record<string, string>, method: string, owner: SignalOwner): Response {
    if (method === 'HEAD') {
      streamed.abort();
      return new Response(null, { status, headers });
    }
    const signal = owner.signal;
    if (signal) {
      if (signal.aborted) streamed.abort(signal.reason);
      else signal.addEventListener('abort', () => streamed.abort(signal.reason), { once: true });
    }
    return new Response(streamed.stream, { status, headers });
  }

  /** A `timeout` fault: no answer ever comes; the promise rejects with the reason when the caller aborts. */
  private untilAborted(owner: SignalOwner): Promise<never> {
    const signal = owner.signal;
    return new Promise((_resolve, reject) => {
      if (!signal) return;
      if (signal.aborted) return reject(signal.reason);
      this.held.add(owner);
      signal.addEventListener(
        'abort',
        () => {
          this.held.delete(owner);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }
}
