import { Ajv, type Options as AjvOptions } from 'ajv';
import addFormatsModule from 'ajv-formats';
import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { MockConfig } from './config.js';
import type { Duplex } from 'node:stream';
import { apiError } from './domain/errors.js';
import { errorHandlerPlugin, sendApiError, toApiError } from './plugins/error-handler.js';
import { MockControl } from './control/mock-control.js';
import { controlRoutes } from './routes/control/index.js';
import { openRouterApi } from './routes/openrouter/index.js';
import { createMockRuntime, type MockRuntime } from './runtime.js';
import { ErrorEnvelopeSchema } from './schemas/common.js';
import { CurrentKeySchema, KeySchema } from './schemas/keys.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** This instance's state: clock, store, journal, faults. */
    mock: MockRuntime;
    /** The test-control plane over it (the `/__mock` routes and the test handle both use it). */
    control: MockControl;
  }
}

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Two validators: bodies are checked exactly as sent (no type coercion: `"limit": "75"` is a
 * 400, as on the real API), while query strings and path parameters, which are text by nature,
 * may coerce ("?offset=100" is the integer 100). Unknown body fields are never stripped silently
 * at this layer: the domain ignores them, or the strict schema rejects them.
 */
function validators() {
  const common: AjvOptions = { allErrors: false, allowUnionTypes: true, useDefaults: false, removeAdditional: false, strict: true };
  const body = addFormats(new Ajv({ ...common, coerceTypes: false }));
  const text = addFormats(new Ajv({ ...common, coerceTypes: 'array' }));
  for (const schema of [ErrorEnvelopeSchema, KeySchema, CurrentKeySchema]) {
    body.addSchema(schema);
    text.addSchema(schema);
  }
  return { body, text };
}

/** Answers a request Node's HTTP parser rejected, in OpenRouter's error shape, then closes. */
function rawClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const apiErr = tooLarge ? apiError('headersTooLarge') : apiError('badRequest', 'malformed HTTP request');
  const body = JSON.stringify({ error: { code: apiErr.status, message: apiErr.message } });
  socket.end(
    `HTTP/1.1 ${apiErr.status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Builds the whole mock as a Fastify instance that never listens: tests (`inject`), the CLI and
 * `createMockServer()` all build through here, so tests run the production options.
 */
export function buildApp(config: MockConfig, runtime: MockRuntime = createMockRuntime(config)): FastifyInstance {
  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : { level: config.logLevel, redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' } },
    bodyLimit: config.bodyLimit,
    forceCloseConnections: true,
    return503OnClosing: false,
    // Errors raised before routing (a malformed URL) and by Node's HTTP parser (broken request
    // lines, oversized headers) get the OpenRouter envelope too.
    frameworkErrors: (error, request, reply) => {
      sendApiError(reply, toApiError(error, request, config.bodyLimit));
    },
    clientErrorHandler: rawClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const ajv = validators();
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? ajv.body : ajv.text).compile(schema));
  for (const schema of [ErrorEnvelopeSchema, KeySchema, CurrentKeySchema]) app.addSchema(schema);

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
  app.register(errorHandlerPlugin, { bodyLimit: config.bodyLimit });
  app.register(openRouterApi, { prefix: '/api/v1', runtime, strict: config.strict });
  app.register(controlRoutes, { prefix: '/__mock', control, enabled: config.control, adminToken: config.adminToken });
  return app;
}
