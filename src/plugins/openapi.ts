import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { VERSION } from '../version.js';

/**
 * The OpenAPI 3.1 document, built by @fastify/swagger from the same TypeBox schemas that validate
 * and serialise: `/openapi.json`, `/openapi.yaml`, and Swagger UI at `/docs`.
 */
export const openApiPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'openrouter-keys-mock',
          version: VERSION,
          description:
            "A stateful emulator of OpenRouter's API-key management API (under /api/v1), with a test-control plane under /__mock.",
        },
        servers: [{ url: '/', description: 'This mock' }],
        tags: [
          { name: 'API Keys', description: "OpenRouter's key management endpoints, as the official SDK calls them" },
          { name: 'Mock control', description: 'Test control: reset, state, scenarios, accounts, clock, usage, faults, journal' },
        ],
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', description: 'A management key (or, for GET /key, any key)' },
          },
        },
        security: [{ bearer: [] }],
      },
      refResolver: {
        // Shared schemas keep their names (Key, CurrentKey, ErrorEnvelope) in components.schemas.
        buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
    app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
    app.get('/openapi.yaml', { schema: { hide: true } }, (_request, reply) => reply.type('application/yaml').send(app.swagger({ yaml: true })));
  },
  { name: 'openapi' },
);
