import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { KeyStore } from '../../domain/key-store.js';
import { COMMON_ERRORS, errorResponses } from '../../schemas/common.js';
import { CurrentKeyResponseSchema } from '../../schemas/keys.js';

/** `GET /key`: the key behind the bearer token; any valid key may ask about itself. */
export const currentKeyRoute: FastifyPluginAsyncTypebox<{ store: KeyStore }> = async (app, { store }) => {
  app.get(
    '/key',
    {
      config: { access: 'any' },
      schema: {
        tags: ['API Keys'],
        operationId: 'getCurrentKey',
        summary: 'Get the current API key',
        response: { 200: CurrentKeyResponseSchema, ...errorResponses(COMMON_ERRORS) },
      },
    },
    (request) => ({ data: store.currentKey(request.principal!) }),
  );
};
