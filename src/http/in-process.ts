import { BODYLESS_METHODS } from './body.js';
import type { Answer, Engine } from './engine.js';
import type { Operation } from './operation.js';
import type { StreamedAnswer } from './streamed.js';

/**
 * The door for callers in the same process — the fetch handler and the MSW handlers — where the
 * server's transport does not exist: a WHATWG `Request` converted into the engine's `Incoming`, its
 * `Answer` into a `Response`. Every rule, and their order, is the engine's (`Engine.handle`); what
 * is here is conversion, and carrying out the faults a transport would (a reset, no answer).
 *
 * What the server has and this door has not: CORS (nothing crosses an origin here: a browser sends
 * no preflight to a function, nor for a request a service worker answers, so an `OPTIONS` is a
 * method without a route, 404), the docs (`/docs`, `/openapi.json`), the inspector (`/`,
 * `/__mock/ui/`), and HTTP-level errors of a byte stream (broken request lines, oversized headers,
 * a body cut short).
 */

/**
 * A fault of kind `reset`, as `fetch` reports a dropped connection (a `TypeError`, "fetch failed",
 * its cause an `ECONNRESET`). MSW's door turns it into MSW's own network error.
 */
export class ConnectionResetError extends TypeError {
  constructor() {
    super('fetch failed', { cause: Object.assign(new Error('other side closed (fault: reset)'), { code: 'ECONNRESET' }) });
  }
}

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
  /**
   * The signal owners of requests a `timeout` fault holds, kept reachable until their abort: a
   * caller's `Request` the caller no longer references would otherwise be collected, and with it
   * the link from the caller's controller to its signal.
   */
  private readonly held = new Set<SignalOwner>();

  constructor(private readonly engine: Engine) {}

  /** Every operation this door answers (the MSW door registers one handler each). */
  get operations(): readonly Operation[] {
    return this.engine.operations;
  }

  /** `abort`: what carries the caller's signal, which a `timeout` fault waits on (the request itself by default). */
  async answer(request: Request, abort: SignalOwner = request): Promise<Response> {
    const { method } = request;
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const body = BODYLESS_METHODS.has(method) || request.body === null ? new Uint8Array(0) : new Uint8Array(await request.arrayBuffer());
    // As a client sends it over HTTP (the journal reads it).
    if (body.byteLength > 0) headers['content-length'] = String(body.byteLength);
    const answer = await this.engine.handle({ method, url: `${url.pathname}${url.search}`, headers, body });
    if (answer.fault === 'reset') throw new ConnectionResetError();
    if (answer.fault === 'timeout') return this.untilAborted(abort);
    return this.response(answer, method, abort);
  }

  private response(answer: Answer, method: string, abort: SignalOwner): Response {
    const { status, headers } = answer;
    if (answer.streamed) return this.streamed(answer.streamed, status, headers, method, abort);
    return new Response(answer.body === undefined || method === 'HEAD' ? null : JSON.stringify(answer.body), { status, headers });
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
