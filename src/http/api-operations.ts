import type { KeyStore } from '../domain/key-store.js';
import { API_PREFIX, TAGS, withHeadTwins, type Route } from '../domain/paths.js';
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
  listKeysOptions,
} from '../schemas/keys.js';
import { operation, type Call, type Operation, type OperationSchema } from './operation.js';

const tags = [TAGS.api.name];

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
  /** A management-key route answering 200 unless told otherwise. */
  const route = (
    method: Operation['method'],
    path: string,
    schema: Omit<OperationSchema, 'tags'>,
    handle: (call: Call) => unknown,
    extra: Partial<Pick<Operation, 'status' | 'access'>> = {},
  ): Operation =>
    operation({ method, url: `${API_PREFIX}${path}`, plane: 'api', access: 'management', status: 200, schema: { tags, ...schema }, handle, ...extra });
  return [
    route(
      'GET',
      '/keys',
      {
        operationId: 'list',
        summary: 'List API keys',
        description: 'Newest first, 100 a page. Disabled keys only with include_disabled=true.',
        querystring: ListKeysQuerySchema,
        response: { 200: KeyListResponseSchema, ...errorResponses([400, ...COMMON_ERRORS]) },
      },
      (call) => {
        return { data: store.list(accountOf(call), listKeysOptions(call.query as Parameters<typeof listKeysOptions>[0])) };
      },
    ),
    route(
      'POST',
      '/keys',
      {
        operationId: 'createKeys',
        summary: 'Create an API key',
        description: 'The plaintext key is in this response only.',
        body: CreateKeyBody,
        response: { 201: CreatedKeyResponseSchema, ...errorResponses([...BODY_ERRORS, ...COMMON_ERRORS]) },
      },
      (call) => store.create(accountOf(call), call.body as never),
      { status: 201 },
    ),
    route(
      'GET',
      '/keys/:hash',
      {
        operationId: 'getKey',
        summary: 'Get an API key',
        params: KeyParamsSchema,
        response: { 200: KeyResponseSchema, ...errorResponses([404, ...COMMON_ERRORS]) },
      },
      (call) => ({ data: store.get(accountOf(call), (call as KeyCall).params.hash) }),
    ),
    route(
      'PATCH',
      '/keys/:hash',
      {
        operationId: 'updateKeys',
        summary: 'Update an API key',
        description: 'Partial update: only the fields sent change. {} changes nothing.',
        params: KeyParamsSchema,
        body: UpdateKeyBody,
        response: { 200: KeyResponseSchema, ...errorResponses([...BODY_ERRORS, 404, ...COMMON_ERRORS]) },
      },
      (call) => ({ data: store.update(accountOf(call), (call as KeyCall).params.hash, call.body as never) }),
    ),
    route(
      'DELETE',
      '/keys/:hash',
      {
        operationId: 'deleteKeys',
        summary: 'Delete an API key',
        params: KeyParamsSchema,
        response: { 200: DeletedResponseSchema, ...errorResponses([404, ...COMMON_ERRORS]) },
      },
      (call) => {
        store.remove(accountOf(call), (call as KeyCall).params.hash);
        return { deleted: true as const };
      },
    ),
    route(
      'GET',
      '/key',
      {
        operationId: 'getCurrentKey',
        summary: 'Get the current API key',
        response: { 200: CurrentKeyResponseSchema, ...errorResponses(COMMON_ERRORS) },
      },
      (call) => ({ data: store.currentKey(call.principal!) }),
      // Any valid key may ask about itself.
      { access: 'any' },
    ),
  ];
}

/**
 * The API's routes, HEAD twins included, read off the operation table itself: what fault rules
 * can meet (the runtime's FaultRegistry is built with them). The table is built once for it with
 * a store that refuses to be used: a route list runs no handler.
 */
export const API_ROUTES: readonly Route[] = withHeadTwins(
  apiOperations(
    new Proxy({} as KeyStore, {
      get() {
        throw new Error('API_ROUTES: the route table runs no handler');
      },
    }),
    false,
  ).map((op) => ({ method: op.method, path: op.url })),
);
