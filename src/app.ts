import { maxHeaderSize } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { MockConfig } from './config.js';
import type { Duplex } from 'node:stream';
import { apiError } from './domain/errors.js';
import { redactSecrets, redactUrl } from './domain/redaction.js';
import { KEY_PREFIX } from './domain/secrets.js';
import { errorHandlerPlugin, MAX_PARAM_LENGTH, sendApiError, toApiError } from './plugins/error-handler.js';
import { corsPolicy, corsPreflight } from './plugins/cors.js';
import { MockControl } from './control/mock-control.js';
import { openApiPlugin } from './plugins/openapi.js';
import { StateSaver } from './state-file.js';
import { VERSION } from './version.js';
import { controlRoutes } from './routes/control/index.js';
import { openRouterApi } from './routes/openrouter/index.js';
import { createMockRuntime, type MockRuntime } from './runtime.js';
import { createValidators, lazySerializers, lazyValidator, SHARED_SCHEMAS } from './validators.js';

/**
 * The largest body a `/__mock` control route accepts, whatever `--body-limit` says: 256 MiB. The
 * largest documents it takes are `PUT /__mock/state` exports, and those of 100,000 keys must
 * round-trip: measured at 58 MiB as `GET /__mock/state` writes it (~600 bytes a key), 84 MiB
 * pretty-printed with two spaces. 256 MiB leaves room for three times that (longer names, external
 * users, more accounts) and stays well under V8's longest string (~512 MiB), which the body is
 * read into before parsing.
 */
export const CONTROL_BODY_LIMIT = 256 * 1024 * 1024;

declare module 'fastify' {
  interface FastifyInstance {
    /** This instance's state: clock, store, journal, faults. */
    mock: MockRuntime;
    /** The test-control plane over it (the `/__mock` routes and the test handle both use it). */
    control: MockControl;
  }
}


/**
 * Request ids, `req-1`, `req-2`, … (base 36, as Fastify numbers them), shared by the requests
 * Fastify handles and the ones Node's parser rejects before Fastify sees them.
 */
function requestIds(): () => string {
  let last = 0;
  return () => {
    last = (last + 1) & 0x7fffffff;
    return `req-${last.toString(36)}`;
  };
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
    const body = JSON.stringify({ error: { code: apiErr.status, message: apiErr.message } });
    socket.end(
      `HTTP/1.1 ${apiErr.status} ${PARSER_STATUS_TEXT[apiErr.status] ?? 'Bad Request'}\r\n${headers()}` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };
}

/** A place for the app's log lines other than stdout (tests read them from here). */
export interface AppOptions {
  logStream?: { write(line: string): void };
}

/**
 * Builds the whole mock as a Fastify instance that never listens: tests (`inject`), the CLI and
 * `createMockServer()` all build through here, so tests run the production options.
 */
export function buildApp(config: MockConfig, runtime: MockRuntime = createMockRuntime(config), options: AppOptions = {}): FastifyInstance {
  const serverHeader = `openrouter-keys-mock/${VERSION}`;
  const nextRequestId = requestIds();
  const cors = corsPolicy(config.corsOrigin);
  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : {
            level: config.logLevel,
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'], censor: '[redacted]' },
            // Fastify's own request serializer, with plaintext keys and secret-named query fields
            // masked in the URL by the journal's rules (`redactUrl`: for a URL without a query
            // string, `%` or `sk-or-v1-`, three `includes` and the same string back).
            serializers: {
              req: (request: FastifyRequest) => ({
                method: request.method,
                url: redactUrl(request.url),
                version: request.headers['accept-version'] as string | undefined,
                host: request.host,
                remoteAddress: request.ip,
                remotePort: request.socket?.remotePort,
              }),
            },
            ...(options.logStream
              ? { stream: options.logStream }
              : // Pretty on a terminal, JSON lines otherwise (containers, CI, log shippers).
                process.stdout.isTTY
                ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
                : {}),
          },
    bodyLimit: config.bodyLimit,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    forceCloseConnections: true,
    // A caller's X-Request-Id is kept (and echoed: it is on every log line of the request, so one
    // holding a plaintext key is masked); otherwise the mock numbers requests itself.
    genReqId: (raw) => {
      const given = raw.headers['x-request-id'];
      if (typeof given !== 'string' || given === '') return nextRequestId();
      return given.includes(KEY_PREFIX) ? (redactSecrets(given) as string) : given;
    },
    return503OnClosing: false,
    // Errors raised before routing (a malformed URL, an over-long path parameter) skip the hooks:
    // they get the OpenRouter envelope and the headers every answer carries here.
    frameworkErrors: (error, request, reply) => {
      stamp(request, reply);
      sendApiError(reply, toApiError(error, request));
    },
    // Requests Node's HTTP parser rejects (broken request lines, oversized headers) never reach
    // Fastify; they are answered on the socket, with a request id of the same numbering.
    clientErrorHandler: parserErrorAnswer(() => `X-Mock-Server: ${serverHeader}\r\nX-Request-Id: ${nextRequestId()}\r\n`),
    schemaController: { compilersFactory: { buildSerializer: lazySerializers } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  /**
   * What every answer carries: where it came from, which request it answers, and the CORS
   * headers for the request's `Origin` (a browser's) or its absence.
   */
  function stamp(request: FastifyRequest, reply: FastifyReply): void {
    reply.header('x-mock-server', serverHeader);
    reply.header('x-request-id', request.id);
    cors.annotate(request.headers.origin, reply);
  }

  const ajv = createValidators();
  app.setValidatorCompiler(({ schema, httpPart }) => lazyValidator(httpPart === 'body' ? ajv.body : ajv.text, schema));
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);

  // GET and DELETE carry no body; some clients still send `Content-Type: application/json` with
  // an empty one, which Fastify's parser would refuse. Everything else goes to the default parser.
  // JSON is the only media type the API takes: anything else (text/plain included) is a 415.
  const defaultJsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // Control routes take an empty body as "no options".
    if (body === '' && (request.method === 'GET' || request.method === 'DELETE' || request.url.startsWith('/__mock/'))) {
      return done(null, undefined);
    }
    defaultJsonParser(request, body as string, done);
  });

  const control = new MockControl(runtime);
  app.decorate('mock', runtime);
  app.decorate('control', control);
  app.register(errorHandlerPlugin);
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
  app.register(corsPreflight);
  app.register(openApiPlugin);
  if (config.stateFile) {
    const saver = new StateSaver(config.stateFile, runtime.store, (err) => app.log.error({ err }, 'could not save --state-file'));
    app.addHook('onResponse', (_request, _reply, done) => {
      saver.changed();
      done();
    });
    app.addHook('onReady', (done) => {
      saver.changed();
      done();
    });
    app.addHook('onClose', () => saver.flush());
  }
  app.register(openRouterApi, { prefix: '/api/v1', runtime, strict: config.strict });
  // The control plane takes whole state documents, far larger than API bodies: its routes have
  // their own limit, not `--body-limit`.
  app.register(
    async (scope) => {
      scope.addHook('onRoute', (route) => {
        route.bodyLimit ??= CONTROL_BODY_LIMIT;
      });
      await scope.register(controlRoutes, { control, enabled: config.control, adminToken: config.adminToken });
    },
    { prefix: '/__mock' },
  );
  return app;
}
