/**
 * The benchmark's ceiling: a bare Fastify 5 + TypeBox server with one route, `PATCH
 * /api/v1/keys/:hash`, that validates the project's own PATCH body schema (with the project's Ajv
 * setup for bodies: no coercion) and serialises a constant key through the project's own response
 * schema. No auth, no state, no hooks, no logger: what Fastify itself costs for this request. The
 * project's PATCH is measured against it (`bench/run.ts`).
 *
 * `buildCeiling({ headers: true })` (`--headers`) also writes the three headers every answer of the
 * mock carries (`X-Mock-Server`, `X-Request-Id`, `Vary`), as a handler's `reply.header` calls: not
 * a ceiling, a reference row of `npm run bench` that says what those headers cost Fastify and
 * Node by themselves (BENCHMARKS.md, "What the targets ask for"). `buildCeiling({ turnEnd: true })`
 * (`--turn-end`) sends its answers as the mock does, those of one turn of the event loop together
 * at its end (src/routes/turn-end.ts): another reference row, what that alone does for Fastify.
 *
 * Importable (`buildCeiling()`), and runnable for the start-up measurement:
 *   node <compiled>/bench/ceiling.js --port 0 [--headers | --turn-end]     (or PORT=0)
 * prints `ceiling listening on http://127.0.0.1:<port>/api/v1`.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Ajv, type Options as AjvOptions } from 'ajv';
import addFormatsModule from 'ajv-formats';
import Fastify, { type FastifyInstance, type RouteHandlerMethod } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { VERSION } from '../src/version.js';
import { TurnEndSender } from '../src/routes/turn-end.js';
import { KeyParamsSchema, KeyResponseSchema, KeySchema, keyBodySchemas, type Key } from '../src/schemas/keys.js';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM (as in src/app.ts).
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** The key every PATCH answers with: the documentation's example key. */
export const CONSTANT_KEY: Key = {
  hash: 'f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943',
  name: 'Updated API Key Name',
  label: 'sk-or-v1-0e6...1c96',
  disabled: false,
  limit: 75,
  limit_remaining: 49.5,
  limit_reset: 'daily',
  include_byok_in_limit: true,
  usage: 25.5,
  usage_daily: 25.5,
  usage_weekly: 25.5,
  usage_monthly: 25.5,
  byok_usage: 17.38,
  byok_usage_daily: 17.38,
  byok_usage_weekly: 17.38,
  byok_usage_monthly: 17.38,
  created_at: '2025-10-10T12:00:00.000Z',
  updated_at: '2026-01-15T12:00:00.000Z',
  last_used_at: null,
  expires_at: '2027-02-18T12:00:00.000Z',
  creator_user_id: 'user_2dHFtVWx2n56w6HkM0000000000',
  workspace_id: '0df9e665-d932-5740-b2c7-b52af166bc11',
  external_user: null,
};

/** The same two validators as src/app.ts: bodies without coercion, path/query text with it. */
function validators() {
  const common: AjvOptions = { allErrors: false, allowUnionTypes: true, useDefaults: false, removeAdditional: false, strict: true };
  const body = addFormats(new Ajv({ ...common, coerceTypes: false }));
  const text = addFormats(new Ajv({ ...common, coerceTypes: 'array' }));
  body.addSchema(KeySchema);
  text.addSchema(KeySchema);
  return { body, text };
}

/** The mock's `X-Mock-Server` value (src/http/engine.ts's SERVER_HEADER; the ceiling imports no engine). */
export const MOCK_SERVER_HEADER = `openrouter-keys-mock/${VERSION}`;

/** The ceiling's one handler: the constant key; with the mock's headers; or sent at the turn's end. */
function handlerFor(options: { headers?: boolean; turnEnd?: boolean }): RouteHandlerMethod {
  if (options.turnEnd) {
    const atTurnEnd = new TurnEndSender();
    return (_request, reply) => {
      atTurnEnd.send(reply, { data: CONSTANT_KEY });
    };
  }
  if (options.headers) {
    let requests = 0;
    return (_request, reply) => {
      // The mock's request ids: `req-<n>`, n in base 36 (src/http/engine.ts, `requestIds`).
      requests = (requests + 1) & 0x7fffffff;
      reply.header('x-mock-server', MOCK_SERVER_HEADER).header('x-request-id', `req-${requests.toString(36)}`).header('vary', 'Origin');
      return { data: CONSTANT_KEY };
    };
  }
  return () => ({ data: CONSTANT_KEY });
}

export function buildCeiling(options: { headers?: boolean; turnEnd?: boolean } = {}): FastifyInstance {
  const app = Fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>();
  const ajv = validators();
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? ajv.body : ajv.text).compile(schema));
  // KeyResponseSchema refers to KeySchema by its $id.
  app.addSchema(KeySchema);
  const { UpdateKeyBody } = keyBodySchemas(false);
  app.patch(
    '/api/v1/keys/:hash',
    { schema: { params: KeyParamsSchema, body: UpdateKeyBody, response: { 200: KeyResponseSchema } } },
    handlerFor(options),
  );
  return app as unknown as FastifyInstance;
}

function portFromArgs(argv: string[], env: NodeJS.ProcessEnv): number {
  const i = argv.indexOf('--port');
  const raw = i !== -1 ? argv[i + 1] : argv.find((a) => a.startsWith('--port='))?.slice(7) ?? env.PORT;
  const port = raw === undefined ? 0 : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`ceiling: bad port ${raw}`);
  return port;
}

async function main(): Promise<void> {
  const app = buildCeiling({ headers: process.argv.includes('--headers'), turnEnd: process.argv.includes('--turn-end') });
  const address = await app.listen({ port: portFromArgs(process.argv.slice(2), process.env), host: '127.0.0.1' });
  process.stdout.write(`ceiling listening on ${address}/api/v1\n`);
  const stop = () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

// The real path: run through a symbolic link (a worktree's linked node_modules), the module's URL is the target's.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`ceiling: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
