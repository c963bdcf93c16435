import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { KeyStore } from '../../domain/key-store.js';
import { accountOf } from '../../plugins/auth.js';
import { BODY_ERRORS, COMMON_ERRORS, errorResponses } from '../../schemas/common.js';
import {
  CreatedKeyResponseSchema,
  DeletedResponseSchema,
  KeyListResponseSchema,
  KeyParamsSchema,
  KeyResponseSchema,
  ListKeysQuerySchema,
  keyBodySchemas,
} from '../../schemas/keys.js';

const tags = ['API Keys'];

/** `/keys` and `/keys/:hash`: thin translations between HTTP and the key store. */
export const keysRoutes: FastifyPluginAsyncTypebox<{ store: KeyStore; strict: boolean }> = async (app, { store, strict }) => {
  const { UpdateKeyBody, CreateKeyBody } = keyBodySchemas(strict);

  app.get(
    '/keys',
    {
      schema: {
        tags,
        operationId: 'list',
        summary: 'List API keys',
        description: 'Newest first, 100 a page. Disabled keys only with include_disabled=true.',
        querystring: ListKeysQuerySchema,
        response: { 200: KeyListResponseSchema, ...errorResponses([400, ...COMMON_ERRORS]) },
      },
    },
    (request) => {
      const { offset, include_disabled: includeDisabled, workspace_id: workspaceId } = request.query;
      return { data: store.list(accountOf(request), { offset, includeDisabled: includeDisabled === 'true', workspaceId }) };
    },
  );

  app.post(
    '/keys',
    {
      schema: {
        tags,
        operationId: 'createKeys',
        summary: 'Create an API key',
        description: 'The plaintext key is in this response only.',
        body: CreateKeyBody,
        response: { 201: CreatedKeyResponseSchema, ...errorResponses([...BODY_ERRORS, ...COMMON_ERRORS]) },
      },
    },
    (request, reply) => {
      const created = store.create(accountOf(request), request.body);
      reply.code(201);
      return created;
    },
  );

  app.get(
    '/keys/:hash',
    {
      schema: {
        tags,
        operationId: 'getKey',
        summary: 'Get an API key',
        params: KeyParamsSchema,
        response: { 200: KeyResponseSchema, ...errorResponses([404, ...COMMON_ERRORS]) },
      },
    },
    (request) => ({ data: store.get(accountOf(request), request.params.hash) }),
  );

  app.patch(
    '/keys/:hash',
    {
      schema: {
        tags,
        operationId: 'updateKeys',
        summary: 'Update an API key',
        description: 'Partial update: only the fields sent change. {} changes nothing.',
        params: KeyParamsSchema,
        body: UpdateKeyBody,
        response: { 200: KeyResponseSchema, ...errorResponses([...BODY_ERRORS, 404, ...COMMON_ERRORS]) },
      },
    },
    (request) => ({ data: store.update(accountOf(request), request.params.hash, request.body) }),
  );

  app.delete(
    '/keys/:hash',
    {
      schema: {
        tags,
        operationId: 'deleteKeys',
        summary: 'Delete an API key',
        params: KeyParamsSchema,
        response: { 200: DeletedResponseSchema, ...errorResponses([404, ...COMMON_ERRORS]) },
      },
    },
    (request) => {
      store.remove(accountOf(request), request.params.hash);
      return { deleted: true as const };
    },
  );
};
