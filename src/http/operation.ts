import type { TSchema } from '@sinclair/typebox';
import type { Principal } from '../domain/key-store.js';

/**
 * One endpoint, described once for every door: its method and path, who may call it, the schemas
 * of its input (validated by the engine) and of its answers (Fastify's serializers and the OpenAPI
 * document), and what it does. The Fastify server registers each as a route; the fetch handler
 * and MSW route to them with the engine's router.
 */

/** Who may call: a management key, any valid key (`GET /key`), the admin token if set, or anyone. */
export type Access = 'management' | 'any' | 'admin' | 'open';

/** The API (`/api/v1`: authenticated, faulted, delayed, journalled) or the control plane (`/__mock`). */
export type Plane = 'api' | 'control';

/**
 * A request as the engine sees it once routed and read. Fastify's request has exactly these
 * fields, so the server hands its request over as it is; the other doors build one.
 */
export interface Call {
  readonly method: string;
  /** The request target as sent: path and query string. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Path parameters, percent-decoded. */
  params: unknown;
  /** The parsed query string (coerced in place by validation). */
  query: unknown;
  /** The parsed JSON body, or undefined without one. */
  body: unknown;
  /** The caller, once authenticated (API routes). */
  principal: Principal | null;
  /** When the request arrived, on the virtual clock (for the journal). */
  arrivedAt: number;
}

/** How long the request has taken so far, in milliseconds (Fastify's reply has it). */
export interface Elapsed {
  readonly elapsedTime: number;
}

export interface OperationSchema {
  tags?: string[];
  operationId?: string;
  summary?: string;
  description?: string;
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  response: Record<number, unknown>;
}

export interface Operation {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The full path, with `:name` parameters: `/api/v1/keys/:hash`. */
  readonly url: string;
  readonly plane: Plane;
  readonly access: Access;
  /** The status of a successful answer. */
  readonly status: 200 | 201;
  readonly schema: OperationSchema;
  /** A missing body is `{}` (control routes whose options are all optional). */
  readonly bodyOptional?: boolean;
  /** The body is checked by the handler itself, not against `schema.body` (which stays for the docs). */
  readonly handlerChecksBody?: boolean;
  /** What the operation answers with: the body of a successful answer. Throws an `ApiError` to refuse. */
  handle(call: Call): unknown;
}

/** The one place an operation is declared, for type inference of the table entries. */
export const operation = (op: Operation): Operation => op;
