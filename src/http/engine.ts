import type { MockControl } from '../control/mock-control.js';
import { bearerToken } from '../domain/auth.js';
import { ApiError, apiError } from '../domain/errors.js';
import type { Principal } from '../domain/key-store.js';
import { answerBytes, entryBytes, HEADER_BYTES, JOURNAL_BODY_LIMIT, journalBody, keptAnswer } from '../domain/journal.js';
import { holdsSecrets, redactSecrets, redactUrl } from '../domain/redaction.js';
import { CONTROL_PREFIX } from '../domain/paths.js';
import { KEY_PREFIX } from '../domain/secrets.js';
import type { MockRuntime } from '../mock-runtime.js';
import { VERSION } from '../version.js';
import { apiOperations } from './api-operations.js';
import { BODYLESS_METHODS, isMalformedQuery, parseQuery, readJsonBody, refuseMalformedMediaType } from './body.js';
import { controlBodyLimit, controlOperations } from './control-operations.js';
import { eventStreamOperation } from './event-stream.js';
import { Reply, type Access, type Call, type Elapsed, type Operation, type Plane } from './operation.js';
import { Router } from './router.js';
import { StreamedAnswer } from './streamed.js';
import { decodePath, faultWait, injectedError, latencyMs, MOCK_RESPONSE_HEADER, parseMockResponseHeader, type FaultAction } from './traffic.js';
import { lazyValidator, sharedValidators, type Validate } from '../schemas/validators.js';
import { validationError } from '../schemas/validation-message.js';

/**
 * The engine: every HTTP rule of the mock, once, for every door. `handle()` is the whole pipeline,
 * in the order the real API answers in:
 *
 * | stage                                    | refuses with      | the server (Fastify) runs it in            |
 * | ---------------------------------------- | ----------------- | ------------------------------------------ |
 * | route (`Router`)                         | 404, 414, 400     | its router; `routeNotFound` in its 404     |
 * | `admit`: latency (API), then `authorize` | 401, 403          | the route's `onRequest` hook               |
 * | `readBody`: media type, size, JSON       | 415, 413, 415/400 | its one content-type parser, `bodyLimit`   |
 * | `run`: query, faults, validation, handler, journal | 400, 404, … | the route's handler                     |
 * | `stamp`: `X-Mock-Server`, `X-Request-Id` |                   | the app's `onRequest` hook                 |
 * | `fail`: any refusal as OpenRouter's envelope, journalled on the API | | its error handler               |
 *
 * The fetch handler and MSW call `handle()` with a request converted in and convert its `Answer`
 * out (src/http/in-process.ts); the server calls the same stages from the places Fastify offers
 * (src/routes/operations.ts, src/app.ts), so that Fastify reads a body only once the request is
 * authorized and stops reading at the limit. What comes back is an `Outcome`: a status and a JSON
 * body, a stream, or a fault the door carries out (a reset connection, an answer that never comes).
 */

/** The plane a request target is on (the control plane's prefix, or the API). */
export const planeOf = (url: string): Plane => (url.startsWith(`${CONTROL_PREFIX}/`) ? 'control' : 'api');

/** What every answer carries in `X-Mock-Server`. */
export const SERVER_HEADER = `openrouter-keys-mock/${VERSION}`;

/** What a request comes to. */
export interface Outcome {
  status: number;
  /** The JSON body (an object); undefined for an answer without one. */
  body: unknown;
  /** Headers of this answer beyond those every answer carries: `Retry-After`, a stream's type. */
  headers?: Record<string, string>;
  /** Instead of an answer: drop the connection (`reset`) or never answer (`timeout`). */
  fault?: 'reset' | 'timeout';
  /** A streamed body (Server-Sent Events) instead of a JSON one: `body` is then undefined. */
  streamed?: StreamedAnswer;
}

/** OpenRouter's error envelope: `{"error":{"code":<status>,"message":"…"}}` (and `metadata` if any). */
export function errorEnvelope(error: ApiError): { error: { code: number; message: string; metadata?: Record<string, unknown> } } {
  return { error: error.metadata ? { code: error.status, message: error.message, metadata: error.metadata } : { code: error.status, message: error.message } };
}

/**
 * Request ids, `req-1`, `req-2`, … (base 36), unless the caller sent an `X-Request-Id`: that one is
 * kept and echoed (masked if it holds a plaintext key: it is on every log line of the request).
 */
export function requestIds(): (given: string | string[] | undefined) => string {
  let last = 0;
  return (given) => {
    if (typeof given === 'string' && given !== '') return given.includes(KEY_PREFIX) ? (redactSecrets(given) as string) : given;
    last = (last + 1) & 0x7fffffff;
    return `req-${last.toString(36)}`;
  };
}

/** A request as a door hands it over: what came on the wire, the body's bytes read (empty without one). */
export interface Incoming {
  readonly method: string;
  /** The request target: path and query string. */
  readonly url: string;
  /** Lower-case names, one value each. */
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

/** An outcome with every header of the answer (a JSON body's `Content-Type` included), for a door to send. */
export interface Answer extends Outcome {
  headers: Record<string, string>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Where a door writes an answer's headers (a Fastify reply is one). */
export interface HeaderTarget {
  header(name: string, value: string): unknown;
}
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface EngineOptions {
  /** Told of every error that is not one of the mock's own answers (a bug): the server logs it. */
  onInternalError?: (error: unknown, call: Call) => void;
}

interface Validators {
  params?: Validate;
  body?: Validate;
  query?: Validate;
}

export class Engine {
  /** Every operation this mock serves: the API's, then the control plane's. */
  readonly operations: readonly Operation[];
  private readonly validators = new Map<Operation, Validators>();
  private readonly onInternalError: EngineOptions['onInternalError'];
  private readonly router: Router;
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /** Request ids of this engine's answers, on every door (`X-Request-Id`). */
  readonly requestId = requestIds();

  constructor(
    private readonly runtime: MockRuntime,
    control: MockControl,
    options: EngineOptions = {},
  ) {
    const { config } = runtime;
    this.operations = [
      ...apiOperations(runtime),
      ...controlOperations(control, { enabled: config.control }),
      ...(config.control ? [eventStreamOperation(runtime)] : []),
    ];
    this.onInternalError = options.onInternalError;
    this.router = new Router(this.operations);
    const ajv = sharedValidators();
    for (const op of this.operations) {
      const { params, body, querystring } = op.schema;
      this.validators.set(op, {
        ...(params ? { params: lazyValidator(ajv.text, params) } : {}),
        ...(body && !op.handlerChecksBody ? { body: lazyValidator(ajv.body, body) } : {}),
        ...(querystring ? { query: lazyValidator(ajv.text, querystring) } : {}),
      });
    }
  }

  /** Whether `--admin-token` guards the control plane. */
  get adminTokenSet(): boolean {
    return this.runtime.config.adminToken !== undefined;
  }

  /**
   * The whole pipeline for a door without a transport of its own: routing, then the stages in the
   * order of the table above. Every refusal is an answer (a bug is a 500); only the faults `reset`
   * and `timeout` are left for the door to carry out.
   */
  async handle(incoming: Incoming): Promise<Answer> {
    const { method, url, headers } = incoming;
    const requestId = this.requestId(headers['x-request-id']);
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    let routed;
    try {
      routed = this.router.find(method, path);
      if (!routed) throw apiError('routeNotFound', method, path);
    } catch (error) {
      return this.withHeaders(requestId, { status: (error as ApiError).status, body: errorEnvelope(error as ApiError) });
    }
    const op = routed.operation;
    const call: Call = {
      method,
      url,
      headers,
      params: routed.params,
      query: parseQuery(queryAt === -1 ? '' : url.slice(queryAt + 1)),
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
    let outcome: Outcome;
    try {
      const admitted = this.admit(op, headers.authorization);
      call.principal = admitted instanceof Promise ? await admitted : admitted;
      const bytes = incoming.body;
      const contentType = headers['content-type'];
      if (!BODYLESS_METHODS.has(method) && (contentType !== undefined || bytes.byteLength > 0)) {
        refuseMalformedMediaType(contentType);
        const limit = this.bodyLimit(op);
        if (bytes.byteLength > limit) throw apiError('bodyTooLarge', limit);
        call.body = this.readBody(op.plane, method, contentType, this.decoder.decode(bytes));
      }
      outcome = await this.run(op, call, elapsed);
    } catch (error) {
      outcome = this.fail(error, call, elapsed, op);
    }
    return this.withHeaders(requestId, outcome);
  }

  /** An outcome with every header its answer carries. */
  private withHeaders(requestId: string, outcome: Outcome): Answer {
    const headers: Record<string, string> = {};
    this.stamp(requestId, { header: (name, value) => (headers[name] = value) });
    if (outcome.headers) Object.assign(headers, outcome.headers);
    // A HEAD answer carries the GET answer's headers, its type included (the door sends no body).
    if (outcome.body !== undefined) headers['content-type'] = JSON_TYPE;
    return { ...outcome, headers };
  }

  /** The headers every answer carries, on every door: where it came from and which request it answers. */
  stamp(requestId: string, answer: HeaderTarget): void {
    answer.header('x-mock-server', SERVER_HEADER);
    answer.header('x-request-id', requestId);
  }

  /** Whether `admit` has anything to do for an operation (the server adds no hook otherwise). */
  admits(op: Operation): boolean {
    return (
      (op.plane === 'api' && this.runtime.config.latency !== undefined) ||
      op.access === 'management' ||
      op.access === 'any' ||
      op.access === 'inference' ||
      (op.access === 'admin' && this.adminTokenSet)
    );
  }

  /**
   * The first stage after routing: the configured latency (API only), then who is calling
   * (`authorize`), both before the body is read. A promise when there is a latency to wait.
   */
  admit(op: Operation, authorization: string | undefined): Principal | null | Promise<Principal | null> {
    const { latency } = this.runtime.config;
    if (op.plane === 'api' && latency) return sleep(latencyMs(latency)).then(() => this.authorize(op.access, authorization));
    return this.authorize(op.access, authorization);
  }

  /**
   * A body within the operation's limit, as the operation receives it (src/http/body.ts): JSON
   * only, and an empty one is "no options" on the control plane (`plane`: the operation's, or for
   * the server's content-type parser, which does not know the operation, `planeOf` its URL).
   */
  readBody(plane: Plane, method: string, contentType: string | undefined, text: string): unknown {
    return readJsonBody(method, contentType, text, plane === 'control');
  }

  /** The largest body an operation takes: `--body-limit` on the API, controlBodyLimit() on the control plane. */
  bodyLimit(op: Operation): number {
    return op.plane === 'control' ? controlBodyLimit(op) : this.runtime.config.bodyLimit;
  }

  /** Who is calling, checked before the body is read: a 401/403 (or the admin token's 401) comes first. */
  authorize(access: Access, authorization: string | undefined): Principal | null {
    const { store, config } = this.runtime;
    switch (access) {
      case 'management': {
        const principal = store.authenticate(authorization);
        store.requireManagement(principal);
        return principal;
      }
      case 'any':
        return store.authenticate(authorization);
      case 'inference': {
        // As the inference API answers: an unknown (or deleted) key and a management key are
        // "User not found."; no credential, a disabled or an expired key as the key API says.
        let principal: Principal;
        try {
          principal = store.authenticate(authorization);
        } catch (error) {
          throw error instanceof ApiError && error.id === 'authUnknown' ? apiError('userNotFound') : error;
        }
        if (principal.kind !== 'key') throw apiError('userNotFound');
        return principal;
      }
      case 'admin':
        // The bearer is read by the API's rule (scheme in any case, spaces around), the token compared exactly.
        if (config.adminToken !== undefined && (authorization === undefined || bearerToken(authorization) !== config.adminToken)) {
          throw apiError('adminTokenRequired');
        }
        return null;
      default:
        return null;
    }
  }

  /**
   * Runs an authorized request whose body has been read: a fault, if one meets it (API only), then
   * validation of its path parameters, body and query string (in that order), then the operation.
   * An API request is journalled once its answer is decided. A delayed fault gives a promise.
   */
  run(op: Operation, call: Call, elapsed: Elapsed): Outcome | Promise<Outcome> {
    if (isMalformedQuery(call.query)) return this.fail(apiError('malformedUrl'), call, elapsed, op);
    if (op.plane === 'api' && (this.runtime.faults.size !== 0 || call.headers[MOCK_RESPONSE_HEADER] !== undefined)) {
      let action: FaultAction | undefined;
      try {
        action = this.faultFor(op, call);
      } catch (error) {
        return this.fail(error, call, elapsed, op);
      }
      if (action) return this.carryOut(action, op, call, elapsed);
    }
    return this.answer(op, call, elapsed);
  }

  /**
   * The answer to a request refused with `error`: its status and envelope (any error that is not
   * an `ApiError` is a bug: a 500, reported to `onInternalError`). A refused API request is
   * journalled; `op` undefined: no route took it (not journalled).
   */
  fail(error: unknown, call: Call, elapsed: Elapsed, op: Operation | undefined, fault?: FaultAction): Outcome {
    const journalled = op !== undefined && op.plane === 'api';
    let apiErr: ApiError;
    if (error instanceof ApiError) apiErr = error;
    else {
      this.onInternalError?.(error, call);
      apiErr = apiError('internal');
    }
    const outcome: Outcome = { status: apiErr.status, body: errorEnvelope(apiErr) };
    if (apiErr.headers) outcome.headers = { ...apiErr.headers };
    if (journalled) this.record(call, apiErr.status, elapsed, outcome.headers, outcome.body, fault);
    return outcome;
  }

  private answer(op: Operation, call: Call, elapsed: Elapsed, fault?: FaultAction): Outcome {
    try {
      this.validate(op, call);
      const body = op.handle(call);
      if (body instanceof StreamedAnswer) {
        if (op.plane === 'api') this.record(call, op.status, elapsed, body.headers, undefined, fault);
        return { status: op.status, body: undefined, streamed: body, headers: { ...body.headers } };
      }
      if (body instanceof Reply) {
        if (op.plane === 'api') this.record(call, op.status, elapsed, body.headers, body.body, fault);
        return { status: op.status, body: body.body, headers: { ...body.headers } };
      }
      if (op.plane === 'api') this.record(call, op.status, elapsed, undefined, body, fault);
      return { status: op.status, body };
    } catch (error) {
      return this.fail(error, call, elapsed, op, fault);
    }
  }

  private validate(op: Operation, call: Call): void {
    const { params, body, query } = this.validators.get(op)!;
    if (params && !params(call.params)) throw validationError(params.errors ?? [], 'params');
    if (op.bodyOptional && (call.body === undefined || call.body === null)) call.body = {};
    if (body && !body(call.body)) throw validationError(body.errors ?? [], 'body');
    if (query && !query(call.query)) throw validationError(query.errors ?? [], 'querystring');
  }

  /** The fault this request meets, if any: its `X-Mock-Response` header (a bad one throws its 400), else a rule. */
  private faultFor(op: Operation, call: Call): FaultAction | undefined {
    const header = call.headers[MOCK_RESPONSE_HEADER];
    if (header !== undefined) return parseMockResponseHeader(Array.isArray(header) ? header.join(';') : header);
    const queryAt = call.url.indexOf('?');
    const raw = queryAt === -1 ? call.url : call.url.slice(0, queryAt);
    const hash = (call.params as { hash?: string } | undefined)?.hash;
    return this.runtime.faults.take({ method: call.method, path: decodePath(raw) ?? raw, route: op.url, ...(hash !== undefined ? { hash } : {}) });
  }

  /** A fault's answer, after its delay: an injected error, a dropped or stalled connection, or (a pure delay) the real answer. */
  private carryOut(action: FaultAction, op: Operation, call: Call, elapsed: Elapsed): Outcome | Promise<Outcome> {
    const respond = (): Outcome => {
      if (action.fault !== undefined) {
        this.record(call, 0, elapsed, undefined, undefined, action);
        return { status: 0, body: undefined, fault: action.fault };
      }
      if (action.status !== undefined) {
        const retryAfter = action.retry_after ?? (action.status === 429 ? 1 : undefined);
        const outcome: Outcome = { status: action.status, body: errorEnvelope(injectedError(action.status, action.body)) };
        if (retryAfter !== undefined) outcome.headers = { 'retry-after': String(retryAfter) };
        this.record(call, action.status, elapsed, outcome.headers, outcome.body, action);
        return outcome;
      }
      return this.answer(op, call, elapsed, action);
    };
    const wait = faultWait(action);
    if (wait === 0) return respond();
    return new Promise((resolve) => setTimeout(() => resolve(respond()), wait));
  }

  /**
   * Journals an API request (when the journal is on). A plaintext key can arrive anywhere, the
   * path and query string included (percent-encoded too), and a query field may be named like a
   * secret: masked by the rules the log uses (`redactUrl` on the raw path; for a plain
   * `/api/v1/keys/<hash>` a few `includes` and the same string back). The parsed query and body are
   * this request's own objects: kept as they are when they hold nothing to hide. The request's
   * headers and the answer (`headers`: its own beyond those every answer carries; `answerBody`
   * undefined: none) are kept by reference and masked when the journal is read (journal.ts).
   */
  private record(
    call: Call,
    status: number,
    elapsed: Elapsed,
    headers?: Readonly<Record<string, string>>,
    answerBody?: unknown,
    fault?: FaultAction,
  ): void {
    const { journal } = this.runtime;
    if (!journal.enabled) return;
    const { url } = call;
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const hash = (call.params as { hash?: string } | undefined)?.hash ?? null;
    const query = (call.query ?? {}) as Record<string, unknown>;
    const { body } = call;
    // The body's size for the journal's byte budget: the request's Content-Length when it has one
    // (every door's but a chunked request's), else measured once here.
    const length = call.headers['content-length'];
    const declared = typeof length === 'string' ? Number(length) : Number.NaN;
    const rawSize = body === undefined || body === null ? 0 : Number.isFinite(declared) ? declared : (JSON.stringify(body)?.length ?? 0);
    const answerSize = answerBytes(answerBody);
    const { principal } = call;
    const duration = elapsed.elapsedTime;
    journal.append(
      call.arrivedAt,
      call.method,
      redactUrl(path),
      queryAt === -1 ? undefined : holdsSecrets(query) ? (redactSecrets(query) as Record<string, unknown>) : query,
      journalBody(body, rawSize),
      status,
      Math.round(duration * 1000) / 1000,
      principal?.account.id ?? null,
      // The decoded :hash is checked on its own (a key could arrive percent-encoded).
      hash !== null && hash.includes(KEY_PREFIX) ? (redactSecrets(hash) as string) : hash,
      // What is kept of a body is at most JOURNAL_BODY_LIMIT (a larger one is a summary).
      entryBytes(url.length, Math.min(rawSize, JOURNAL_BODY_LIMIT), HEADER_BYTES + Math.min(answerSize, JOURNAL_BODY_LIMIT)),
      call.charged,
      Date.now() - duration,
      principal ? (principal.kind === 'key' ? principal.key.hash : principal.account.state.management_key.hash) : null,
      principal ? principal.kind : null,
      call.headers,
      headers,
      answerBody === undefined ? undefined : keptAnswer(answerBody, answerSize),
      fault,
    );
  }
}
