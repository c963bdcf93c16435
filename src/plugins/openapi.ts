import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import Fastify from 'fastify';
import fp from 'fastify-plugin';
import { API_PREFIX, CONTROL_PREFIX, TAGS } from '../domain/paths.js';
import { SHARED_SCHEMAS } from '../schemas/validators.js';
import { VERSION } from '../version.js';

/**
 * The OpenAPI 3.1 document, built by @fastify/swagger from the same TypeBox schemas that validate
 * and serialise: `/openapi.json`, `/openapi.yaml`, and Swagger UI at `/docs`.
 *
 * Built on first request, not at start-up: loading @fastify/swagger and @fastify/swagger-ui (with
 * @fastify/static and yaml) and walking every route took ~80 ms of a ~700 ms start, and CI starts
 * the mock hundreds of times a day without reading its docs. The app records its routes as they
 * are added; the first docs request builds a small Fastify instance holding the same routes'
 * schemas (no handlers run there) with the two plugins, and forwards `/docs` to it.
 */
type RouteRecord = Pick<RouteOptions, 'method' | 'url' | 'schema'>;

const OPENAPI_OPTIONS = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'openrouter-keys-mock',
      version: VERSION,
      description: "A stateful emulator of OpenRouter's API-key management API (under /api/v1), with a test-control plane under /__mock.",
    },
    servers: [{ url: '/', description: 'This mock' }],
    tags: [
      { ...TAGS.api },
      { ...TAGS.control },
    ],
    components: {
      securitySchemes: {
        bearer: { type: 'http' as const, scheme: 'bearer', description: 'A management key (or, for GET /key, any key)' },
      },
    },
    security: [{ bearer: [] }],
  },
  refResolver: {
    // Shared schemas keep their names (Key, CurrentKey, ErrorEnvelope) in components.schemas.
    buildLocalReference: (json: { $id?: unknown }, _baseUri: unknown, _fragment: unknown, i: number) =>
      typeof json.$id === 'string' ? json.$id : `def-${i}`,
  },
};

async function buildDocsApp(routes: RouteRecord[]): Promise<FastifyInstance> {
  const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([import('@fastify/swagger'), import('@fastify/swagger-ui')]);
  const docs = Fastify({ logger: false });
  // Nothing is validated or serialised here: the routes only describe themselves.
  docs.setValidatorCompiler(() => () => true);
  docs.setSerializerCompiler(() => (data) => JSON.stringify(data));
  for (const schema of SHARED_SCHEMAS) docs.addSchema(schema);
  await docs.register(swagger, OPENAPI_OPTIONS as never);
  await docs.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  for (const route of routes) {
    docs.route({ method: route.method, url: route.url, schema: route.schema, handler: async () => ({}) });
  }
  await docs.ready();
  return docs;
}

export const openApiPlugin = fp(
  async (app: FastifyInstance) => {
    const routes: RouteRecord[] = [];
    app.addHook('onRoute', (route) => {
      if (route.schema?.hide || !(route.url.startsWith(API_PREFIX) || route.url.startsWith(CONTROL_PREFIX))) return;
      if ([route.method].flat().every((m) => m === 'HEAD')) return;
      // An engine operation's route carries its whole schema in `config.docs` (its input schemas
      // are the engine's to validate, not Fastify's: src/routes/operations.ts).
      const docsSchema = (route.config as { docs?: RouteOptions['schema'] } | undefined)?.docs ?? route.schema;
      routes.push({ method: route.method, url: route.url, schema: docsSchema });
    });
    let docs: Promise<FastifyInstance> | undefined;
    const docsApp = () => (docs ??= buildDocsApp(routes));
    app.addHook('onClose', async () => {
      if (docs) await (await docs).close();
    });

    app.get('/openapi.json', { schema: { hide: true } }, async () => (await docsApp()).swagger());
    app.get('/openapi.yaml', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('application/yaml').send((await docsApp()).swagger({ yaml: true })),
    );
    const forward = async (request: FastifyRequest, reply: FastifyReply) => {
      const res = await (await docsApp()).inject({ method: 'GET', url: request.url, headers: { accept: request.headers.accept ?? '*/*' } });
      for (const name of ['content-type', 'location', 'cache-control', 'etag', 'last-modified']) {
        const value = res.headers[name];
        if (value !== undefined) reply.header(name, value);
      }
      return reply.code(res.statusCode).send(res.rawPayload);
    };
    app.get('/docs', { schema: { hide: true } }, forward);
    app.get('/docs/*', { schema: { hide: true } }, forward);
  },
  { name: 'openapi' },
);
