import { API_PREFIX } from '../domain/faults.js';
import type { KeyStore } from '../domain/key-store.js';
import { BODY_ERRORS, COMMON_ERRORS, errorResponses } from '../schemas/common.js';
import {
  CreatedKeyResponseSchema,
  CurrentKeyResponseSchema,
  DeletedResponseSchema,
  KeyListResponseSchema,
  KeyParamsSchema,
  KeyResponseSchema,
  ListKeysQuerySchema,
  keyBodySchemas,
} from '../schemas/keys.js';
import { operation, type Call, type Operation } from './operation.js';

const tags = ['API Keys'];

interface KeyCall extends Call {
  params: { hash: string };
}

/** The caller's account on a management route (authentication has checked the principal). */
const accountOf = (call: Call) => call.principal!.account;

/**
 * OpenRouter's key endpoints under `/api/v1`: thin translations between a request and the key
 * store. `strict`: unknown body fields are refused (`--strict`).
 */
export function apiOperations(store: KeyStore, strict: boolean): Operation[] {
  const { UpdateKeyBody, CreateKeyBody } = keyBodySchemas(strict);
  return [
    operation({
      method: 'GET',
      url: `${API_PREFIX}/keys`,
      plane: 'api',
      access: 'management',
      status: 200,
      schema: {
        tags,
        operationId: 'list',
        summary: 'List API keys',
        description: 'Newest first, 100 a page. Disabled keys only with include_disabled=true.',
        querystring: ListKeysQuerySchema,
        response: { 200: KeyListResponseSchema, ...errorResponses([400, ...COMMON_ERRORS]) },
      },
      handle(call) {
        const query = call.query as { offset?: number; include_disabled?: string; workspace_id?: string };
        return { data: store.list(accountOf(call), { offset: query.offset, includeDisabled: query.include_disabled === 'true', workspaceId: query.workspace_id }) };
      },
    }),
    operation({
      method: 'POST',
      url: `${API_PREFIX}/keys`,
      plane: 'api',
      access: 'management',
      status: 201,
      schema: {
        tags,
        operationId: 'createKeys',
        summary: 'Create an API key',
        description: 'The plaintext key is in this response only.',
        body: CreateKeyBody,
        response: { 201: CreatedKeyResponseSchema, ...errorResponses([...BODY_ERRORS, ...COMMON_ERRORS]) },
      },
      handle: (call) => store.create(accountOf(call), call.body as never),
    }),
    operation({
      method: 'GET',
      url: `${API_PREFIX}/keys/:hash`,
      plane: 'api',
      access: 'management',
      status: 200,
      schema: {
        tags,
        operationId: 'getKey',
        summary: 'Get an API key',
        params: KeyParamsSchema,
        response: { 200: KeyResponseSchema, ...errorResponses([404, ...COMMON_ERRORS]) },
      },
      handle: (call) => ({ data: store.get(accountOf(call), (call as KeyCall).params.hash) }),
    }),
    operation({
      method: 'PATCH',
      url: `${API_PREFIX}/keys/:hash`,
      plane: 'api',
      access: 'management',
      status: 200,
      schema: {
        tags,
        operationId: 'updateKeys',
        summary: 'Update an API key',
        description: 'Partial update: only the fields sent change. {} changes nothing.',
        params: KeyParamsSchema,
        body: UpdateKeyBody,
        response: { 200: KeyResponseSchema, ...errorResponses([...BODY_ERRORS, 404, ...COMMON_ERRORS]) },
      },
      handle: (call) => ({ data: store.update(accountOf(call), (call as KeyCall).params.hash, call.body as never) }),
    }),
    operation({
      method: 'DELETE',
      url: `${API_PREFIX}/keys/:hash`,
      plane: 'api',
      access: 'management',
      status: 200,
      schema: {
        tags,
        operationId: 'deleteKeys',
        summary: 'Delete an API key',
        params: KeyParamsSchema,
        response: { 200: DeletedResponseSchema, ...errorResponses([404, ...COMMON_ERRORS]) },
      },
      handle(call) {
        store.remove(accountOf(call), (call as KeyCall).params.hash);
        return { deleted: true as const };
      },
    }),
    operation({
      method: 'GET',
      url: `${API_PREFIX}/key`,
      plane: 'api',
      // Any valid key may ask about itself.
      access: 'any',
      status: 200,
      schema: {
        tags,
        operationId: 'getCurrentKey',
        summary: 'Get the current API key',
        response: { 200: CurrentKeyResponseSchema, ...errorResponses(COMMON_ERRORS) },
      },
      handle: (call) => ({ data: store.currentKey(call.principal!) }),
    }),
  ];
}
