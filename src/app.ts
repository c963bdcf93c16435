import { maxHeaderSize, type ServerResponse } from 'node:http';
import Fastify, { type FastifyBodyParser, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { MockConfig } from './config.js';
import type { Duplex } from 'node:stream';
import { apiError } from './domain/errors.js';
import { errorHandler, MAX_PARAM_LENGTH, sendApiError, toApiError } from './plugins/error-handler.js';
import { corsPolicy, corsPreflight } from './plugins/cors.js';
import { controlAccessHook } from './plugins/access.js';
import { MockControl } from './control/mock-control.js';
import { inspectorPlugin } from './plugins/inspector.js';
import { openApiPlugin } from './plugins/openapi.js';
import { loggerOptions, type LogStream } from './logger.js';
import { saveStateFile } from './state-file.js';
import { parseQuery } from './http/body.js';
import { Engine, errorEnvelope, planeOf, type HeaderTarget } from './http/engine.js';
import { registerOperations } from './routes/operations.js';
import { createMockRuntime, type MockRuntime } from './runtime.js';
import { SHARED_SCHEMAS } from './schemas/validators.js';
import { lazySerializers } from './plugins/serializers.js';

export { CONTROL_BODY_LIMIT } from './http/control-operations.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** This instance's state: clock, store, journal, faults. */
    mock: MockRuntime;
    /** The test-control plane over it (the `/__mock` routes and the test handle both use it). */
    control: MockControl;
    /** The HTTP rules every door shares (src/http/engine.ts). */
    engine: Engine;
    /** The `/__mock/events` streams open now (a shutdown ends them rather than wait for them). */
    eventStreams: Set<ServerResponse>;
  }
}

const PARSER_STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/**
 * Answers a request Node's HTTP parser rejected (Fastify never sees it), in OpenRouter's error
 * shape and with the headers every answer carries, then closes the connection.
 */
function parserErrorAnswer(headers: () => string): (error: Error & { code?: string }, socket: Duplex) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const apiErr =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? apiError('headersTooLarge', maxHeaderSize)
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? apiError('requestTimeout')
          : error.code === 'HPE_INVALID_EOF_STATE'
            ? apiError('incompleteRequest')
            : apiError('malformedHttp', error.code ?? 'unknown');
    const body = JSON.stringify(errorEnvelope(apiErr));
    socket.end(
      `HTTP/1.1 ${apiErr.status} ${PARSER_STATUS_TEXT[apiErr.status] ?? 'Bad Request'}\r\n${headers()}` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };
}

/**
 * Node's side of `requestTimeout`: its headers timeout (60 s) no longer than the request's (Node
 * checks neither otherwise), and checked often enough that a timeout is met about when it is due
 * (Node looks every 30 s by default).
 */
function requestTimeoutOptions(timeoutMs: number): { requestTimeout: number; headersTimeout?: number; connectionsCheckingInterval: number } {
  if (timeoutMs === 0) return { requestTimeout: 0, connectionsCheckingInterval: 30_000 };
  return {
    requestTimeout: timeoutMs,
    headersTimeout: Math.min(60_000, timeoutMs),
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(timeoutMs / 4))),
  };
}

export interface AppOptions {
  /** A place for the app's log lines other than stdout (tests read them from here). */
  logStream?: LogStream;
}

const alwaysValid = () => true;

/**
 * Where the app's hook writes the headers every answer carries: straight into the reply's own
 * header object, the one Fastify hands to Node's `writeHead` (the same entries, in the same order,
 * as `reply.header` would make). `reply.header` lower-cases each name and looks it up in that
 * object first (its `set-cookie` rule) through a lookup that sees every header name of the app:
 * ~470 instructions a header under callgrind, on three headers of every request (BENCHMARKS.md,
 * "round 3"); these names are lower-case already and none is `set-cookie`. Falls back to
 * `reply.header` should Fastify keep its headers elsewhere.
 */
let replyHeaders: symbol | null | undefined;
const headerWriter = {
  into: {} as Record<string, string>,
  // A store per name for the three on every answer: each sees one shape of the object, where one
  // store for every name sees them all (a megamorphic store a header).
  header(name: string, value: string): void {
    const into = headerWriter.into;
    switch (name) {
      case 'x-mock-server':
        into['x-mock-server'] = value;
        break;
      case 'x-request-id':
        into['x-request-id'] = value;
        break;
      case 'vary':
        into.vary = value;
        break;
      default:
        into[name] = value;
    }
  },
};
function headerTarget(reply: FastifyReply): HeaderTarget {
  // Found once, by its description, on the first reply: Fastify does not export its symbols.
  replyHeaders ??= Object.getOwnPropertySymbols(reply).find((symbol) => symbol.description === 'fastify.reply.headers') ?? null;
  const into = replyHeaders === null ? undefined : (reply as unknown as Record<symbol, unknown>)[replyHeaders];
  if (typeof into !== 'object' || into === null) return reply;
  headerWriter.into = into as Record<string, string>;
  return headerWriter;
}

/**
 * Builds the whole mock as a Fastify instance that never listens: tests (`inject`), the CLI and
 * `createMockServer()` all build through here, so tests run the production options.
 */
export function buildApp(config: MockConfig, runtime: MockRuntime = createMockRuntime(config), options: AppOptions = {}): FastifyInstance {
  const cors = corsPolicy(config.corsOrigin);
  const control = new MockControl(runtime);
  const engine = new Engine(runtime, control, {
    onInternalError: (err, call) => (call as FastifyRequest).log.error({ err }, 'request failed'),
  });
  const app = Fastify({
    logger: loggerOptions(config, options.logStream),
    bodyLimit: config.bodyLimit,
    // A request must arrive whole within --request-timeout (else 408, from `parserErrorAnswer`):
    // a client that sends headers and stalls its body must not hold a connection forever.
    requestTimeout: config.requestTimeout,
    http: requestTimeoutOptions(config.requestTimeout),
    // The query string is read by the engine's rule, as every door reads it.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH, querystringParser: parseQuery },
    forceCloseConnections: true,
    // A caller's X-Request-Id is kept (and echoed: it is on every log line of the request, so one
    // holding a plaintext key is masked); otherwise the mock numbers requests itself.
    genReqId: (raw) => engine.requestId(raw.headers['x-request-id']),
    return503OnClosing: false,
    // Errors raised before routing (a malformed URL, an over-long path parameter) skip the hooks:
    // they get the OpenRouter envelope and the headers every answer carries here.
    frameworkErrors: (error, request, reply) => {
      stamp(request, reply);
      sendApiError(reply, toApiError(error, request));
    },
    // Requests Node's HTTP parser rejects (broken request lines, oversized headers) never reach
    // Fastify; they are answered on the socket, with a request id of the same numbering.
    clientErrorHandler: parserErrorAnswer(() => {
      let lines = '';
      engine.stamp(engine.requestId(undefined), { header: (name, value) => (lines += `${name}: ${value}\r\n`) });
      return lines;
    }),
    schemaController: { compilersFactory: { buildSerializer: lazySerializers } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  /**
   * What every answer carries: where it came from, which request it answers, and the CORS
   * headers for the request's `Origin` (a browser's) or its absence.
   */
  function stamp(request: FastifyRequest, reply: FastifyReply): void {
    const target = headerTarget(reply);
    engine.stamp(request.id, target);
    cors.annotate(request.headers.origin, target);
  }

  // Input is validated by the engine (src/http/engine.ts), as in every door: the operations' routes
  // give Fastify no input schema (src/routes/operations.ts), and nothing else validates.
  app.setValidatorCompiler(() => alwaysValid);
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);

  // One content-type parser for every request with a body: the engine's stage (JSON only, 415
  // otherwise; an empty body is "none" for GET, DELETE and the control plane).
  // Registered for `application/json` as well as `*`, the same function: Fastify caches the parser
  // it found for a Content-Type only when a type was registered, so with the catch-all alone every
  // request parsed its header anew (~1,500 instructions under callgrind: slices, lower-casing, two
  // regular expressions, a Map).
  app.removeAllContentTypeParsers();
  const parseBody: FastifyBodyParser<string> = (request, body, done) => {
    try {
      done(null, engine.readBody(planeOf(request.url), request.method, request.headers['content-type'], body));
    } catch (error) {
      done(error as Error, undefined);
    }
  };
  app.addContentTypeParser('*', { parseAs: 'string' }, parseBody);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseBody);

  app.decorate('mock', runtime);
  app.decorate('control', control);
  app.decorate('engine', engine);
  // The open streamed answers (event streams), so that a shutdown can end them at once and wait
  // only for the requests under way (src/server.ts, `drainThenClose`; src/routes/operations.ts).
  app.decorate('eventStreams', new Set<ServerResponse>());
  app.decorateRequest('principal', null);
  app.setErrorHandler(errorHandler(engine));
  app.setNotFoundHandler((request, reply) => {
    sendApiError(reply, apiError('routeNotFound', request.method, request.url.split('?')[0] ?? request.url));
  });
  // Every response says where it came from, which request it answers, and carries its CORS
  // headers; the journal wants to know when each request arrived, on the virtual clock. One hook
  // for all of it: each hook is a step on every request.
  const { clock } = runtime;
  app.decorateRequest('arrivedAt', 0);
  app.addHook('onRequest', (request, reply, done) => {
    request.arrivedAt = clock.now();
    stamp(request, reply);
    done();
  });
  // Browser apps on another origin may call the API (and the control plane) with a bearer token.
  const access = { allowedHosts: config.allowedHosts, controlOrigins: config.controlOrigins };
  app.register(corsPreflight, { access });
  app.register(openApiPlugin);
  if (config.stateFile) saveStateFile(app, config.stateFile, runtime);
  // The API (latency, authentication and the journal are the engine's stages).
  app.register(async (api) => {
    registerOperations(api, engine, engine.operations.filter((op) => op.plane === 'api'));
  });
  // The control plane takes whole state documents, far larger than API bodies: its routes have
  // their own limit, not `--body-limit` (set per route from the engine).
  // Registered as a plugin, as the API is, so that the routes are added once the plugins above
  // (the OpenAPI document's route recorder among them) are loaded.
  // The open health check stands apart; everything else of the control plane (its routes, the
  // event stream, the inspector) is behind the guard against other web pages (src/http/access.ts).
  const controlOps = engine.operations.filter((op) => op.plane === 'control');
  app.register(async (scope) => {
    registerOperations(scope, engine, controlOps.filter((op) => op.access === 'open'));
  });
  app.register(async (scope) => {
    scope.addHook('onRequest', controlAccessHook(access));
    registerOperations(scope, engine, controlOps.filter((op) => op.access !== 'open'));
    if (config.control) scope.register(inspectorPlugin);
  });
  return app;
}
