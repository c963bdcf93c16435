import type { Static, TSchema } from '@sinclair/typebox';
import type { JournalCharge } from '../domain/journal-entry.js';
import type { Principal } from '../domain/key-store.js';
import { API_PREFIX, TAGS } from '../domain/paths.js';
import type { MockRuntime } from '../mock-runtime.js';
import type { StreamedAnswer } from './streamed.js';

/**
 * One endpoint, described once for every door: its method and path, who may call it, the schemas
 * of its input (validated by the engine) and of its answers (Fastify's serializers and the OpenAPI
 * document), and what it does. The Fastify server registers each as a route; the fetch handler
 * and MSW route to them with the engine's router.
 */

/**
 * Who may call: a management key, any valid key (`GET /key`), an ordinary key only (inference: a
 * management or unknown key is 401 "User not found."), the admin token if set, or anyone.
 */
export type Access = 'management' | 'any' | 'inference' | 'admin' | 'open';

/** The API (`/api/v1`: authenticated, faulted, delayed, journalled) or the control plane (`/__mock`). */
export type Plane = 'api' | 'control';

/**
 * A request as the engine sees it once routed and read. Fastify's request has exactly these
 * fields, so the server hands its request over as it is; the other doors build one. An
 * operation's handler sees its input typed by its schemas (`CallOf`): the engine has validated it.
 */
export interface Call<Params = unknown, Query = unknown, Body = unknown> {
  readonly method: string;
  /** The request target as sent: path and query string. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Path parameters, percent-decoded. */
  params: Params;
  /** The parsed query string (coerced in place by validation). */
  query: Query;
  /** The parsed JSON body, or undefined without one. */
  body: Body;
  /** The caller, once authenticated (API routes). */
  principal: Principal | null;
  /** When the request arrived, on the virtual clock (for the journal). */
  arrivedAt: number;
  /** What the request was charged (a chat completion), for its journal entry; a stream's is filled in when it ends. */
  charged?: JournalCharge;
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
  /** By status: the success answer's schema and the errors' (`Static` of the success one is what the handler returns). */
  response: Record<number, TSchema>;
}

/**
 * An operation as data: everything but what it does. A table of these needs no store (the fault
 * rules' route list is read off the API's); `operations()` binds handlers to them.
 */
export interface Declaration {
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
  /** The handler may answer with a stream (a `StreamedAnswer`) instead of its success schema's JSON. */
  readonly streams?: boolean;
}

/** A handler's answer with headers of its own (`X-Generation-Id`): the body is what the schema says. */
export class Reply<T> {
  constructor(
    readonly body: T,
    readonly headers: Readonly<Record<string, string>>,
  ) {}
}

/**
 * A declaration with what it does: the body of a successful answer. Throws an `ApiError` to
 * refuse. The engine's table holds operations of every input type: `handle` is declared as a
 * method, so a handler typed by its own declaration (`Handler`) is one.
 */
export interface Operation extends Declaration {
  handle(call: Call): unknown;
}

/** What a schema's `part` validates to; `unknown` where it has none. */
type Input<Schema, Part extends 'params' | 'querystring' | 'body'> = Schema extends { [_ in Part]: infer S extends TSchema } ? Static<S> : unknown;

/** The request a declaration's handler is given: params, query and body as its schemas make them. */
export type CallOf<D extends Declaration> = Call<
  Input<D['schema'], 'params'>,
  Input<D['schema'], 'querystring'>,
  // A body the handler checks itself has not been validated: it is whatever was sent.
  D extends { handlerChecksBody: true } ? unknown : Input<D['schema'], 'body'>
>;

/** What a declaration's handler answers with: its success status's response schema, as a type. */
export type AnswerOf<D extends Declaration> = D['schema']['response'] extends { [K in D['status']]: infer S extends TSchema } ? Static<S> : never;

/** A handler for a declaration: its input and answer checked against the declared schemas (a stream if it `streams`). */
export type Handler<D extends Declaration> = (
  call: CallOf<D>,
) => AnswerOf<D> | Reply<AnswerOf<D>> | (D extends { streams: true } ? StreamedAnswer : never);

/** One handler for each declaration of a table, by the same name. */
export type Handlers<T extends Record<string, Declaration>> = { [K in keyof T]: Handler<T[K]> };

/** One declaration, kept as typed as written (its status a literal, its schemas their own types). */
export const declare = <D extends Declaration>(declaration: D): D => declaration;

/** A declaration with its handler. */
export const operation = <D extends Declaration>(declaration: D, handle: Handler<D>): Operation => ({ ...declaration, handle });

/** A table's declarations, in its order, each with the handler of its name. */
export function operations<T extends Record<string, Declaration>>(table: T, handlers: NoInfer<Handlers<T>>): Operation[] {
  return (Object.keys(table) as (keyof T & string)[]).map((name) => operation(table[name], handlers[name]));
}

const API_TAGS = [TAGS.api.name];

/**
 * An API route, by default for a management key; its schema is given the API's tag.
 * Its result is typed as written (`schema: Schema`), not as the spread's intersection with the
 * tag: TypeBox's `Static` of that intersection instantiates too deep for the compiler.
 */
export const api = <Status extends Declaration['status'], Schema extends Omit<OperationSchema, 'tags'>, const Streams extends boolean = false>(
  method: Declaration['method'],
  path: string,
  { status, access = 'management', schema, streams }: { status: Status; access?: Access; schema: Schema; streams?: Streams },
): { method: Declaration['method']; url: string; plane: 'api'; access: Access; status: Status; schema: Schema; streams: Streams } => ({
  method,
  url: `${API_PREFIX}${path}`,
  plane: 'api',
  access,
  status,
  schema: { tags: API_TAGS, ...schema },
  streams: (streams ?? false) as Streams,
});

/**
 * One file of API operations (src/http/operations/): its table of declarations — data, with body
 * schemas that may depend on `--strict` — and the handlers bound to a mock instance's state.
 * src/http/api-operations.ts lists the files; everything else (routes, faults, journal, OpenAPI,
 * MSW, the differential and wire-order tests' coverage) reads the table.
 */
export interface ApiOperationFile<T extends Record<string, Declaration>> {
  table(strict: boolean): T;
  handlers(runtime: MockRuntime): NoInfer<Handlers<T>>;
}

/** An operation file, typed: each handler checked against its declaration. */
export const apiOperationFile = <T extends Record<string, Declaration>>(file: ApiOperationFile<T>): ApiOperationFile<T> => file;
