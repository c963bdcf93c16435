import { BODY_ERRORS, COMMON_ERRORS, errorResponses } from '../../schemas/common.js';
import {
  CreatedKeyResponseSchema,
  CurrentKeyResponseSchema,
  DeletedResponseSchema,
  KeyListResponseSchema,
  KeyParamsSchema,
  KeyResponseSchema,
  ListKeysQuerySchema,
  keyBodySchemas,
  listKeysOptions,
} from '../../schemas/keys.js';
import { api, apiOperationFile, type Call } from '../operation.js';

/**
 * OpenRouter's key endpoints under `/api/v1`, as data: method, path, who may call, status and
 * schemas. `strict`: unknown body fields are refused (`--strict`); only the body schemas depend
 * on it. What each does is `keyOperations`' handlers.
 */
function table(strict: boolean) {
  const { UpdateKeyBody, CreateKeyBody } = keyBodySchemas(strict);
  return {
    list: api('GET', '/keys', {
      status: 200,
      schema: {
        operationId: 'list',
        summary: 'List API keys',
        description: 'Newest first, 100 a page. Disabled keys only with include_disabled=true.',
        querystring: ListKeysQuerySchema,
        response: { 200: KeyListResponseSchema, ...errorResponses([400, ...COMMON_ERRORS]) },
      },
    }),
    createKeys: api('POST', '/keys', {
      status: 201,
      schema: {
        operationId: 'createKeys',
        summary: 'Create an API key',
        description: 'The plaintext key is in this response only.',
        body: CreateKeyBody,
        response: { 201: CreatedKeyResponseSchema, ...errorResponses([...BODY_ERRORS, ...COMMON_ERRORS]) },
      },
    }),
    getKey: api('GET', '/keys/:hash', {
      status: 200,
      schema: {
        operationId: 'getKey',
        summary: 'Get an API key',
        params: KeyParamsSchema,
        response: { 200: KeyResponseSchema, ...errorResponses([404, ...COMMON_ERRORS]) },
      },
    }),
    updateKeys: api('PATCH', '/keys/:hash', {
      status: 200,
      schema: {
        operationId: 'updateKeys',
        summary: 'Update an API key',
        description: 'Partial update: only the fields sent change. {} changes nothing.',
        params: KeyParamsSchema,
        body: UpdateKeyBody,
        response: { 200: KeyResponseSchema, ...errorResponses([...BODY_ERRORS, 404, ...COMMON_ERRORS]) },
      },
    }),
    deleteKeys: api('DELETE', '/keys/:hash', {
      status: 200,
      schema: {
        operationId: 'deleteKeys',
        summary: 'Delete an API key',
        params: KeyParamsSchema,
        response: { 200: DeletedResponseSchema, ...errorResponses([404, ...COMMON_ERRORS]) },
      },
    }),
    getCurrentKey: api('GET', '/key', {
      status: 200,
      // Any valid key may ask about itself.
      access: 'any',
      schema: {
        operationId: 'getCurrentKey',
        summary: 'Get the current API key',
        response: { 200: CurrentKeyResponseSchema, ...errorResponses(COMMON_ERRORS) },
      },
    }),
  };
}

/** The caller's account on a management route (authentication has checked the principal). */
const accountOf = (call: Pick<Call, 'principal'>) => call.principal!.account;

/** The key endpoints: the table's declarations with their handlers, thin translations between a request and the key store. */
export const keyOperations = apiOperationFile({
  table,
  handlers: ({ store, inference }) => ({
    list: (call) => ({ data: store.list(accountOf(call), listKeysOptions(call.query)) }),
    createKeys: (call) => store.create(accountOf(call), call.body),
    getKey: (call) => ({ data: store.get(accountOf(call), call.params.hash) }),
    updateKeys: (call) => ({ data: store.update(accountOf(call), call.params.hash, call.body) }),
    deleteKeys: (call) => {
      store.remove(accountOf(call), call.params.hash);
      return { deleted: true };
    },
    getCurrentKey: (call) => {
      const data = store.currentKey(call.principal!);
      // The free-model requests this key made today (chat completions of :free models).
      if (call.principal!.kind === 'key') data.free_model_daily_requests = inference.freeModelRequests(call.principal!.key.hash);
      return { data };
    },
  }),
});

