import { Type } from './typebox.js';
import type { Static, TSchema } from '@sinclair/typebox';

/**
 * `T | null` written as JSON Schema's `type: [T, "null"]` rather than `anyOf`, so that a wrong
 * value fails with one clear error ("must be a number or null") and OpenAPI 3.1 shows it plainly.
 */
export function Nullable<T extends TSchema & { type: string }>(schema: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<Static<T> | null>({ ...schema, ...options, type: [schema.type, 'null'] });
}

/** One of fixed strings, or null (`enum` with `null`, OpenAPI 3.1 style). */
export function NullableEnum<const V extends readonly string[]>(values: V, options: Record<string, unknown> = {}) {
  return Type.Unsafe<V[number] | null>({ ...options, type: ['string', 'null'], enum: [...values, null] });
}

/** One of fixed strings. */
export function StringEnum<const V extends readonly string[]>(values: V, options: Record<string, unknown> = {}) {
  return Type.Unsafe<V[number]>({ ...options, type: 'string', enum: [...values] });
}

/** OpenRouter's error envelope: `{"error":{"code":<http status>,"message":"…"}}`. */
export const ErrorEnvelopeSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.Integer({ description: 'The HTTP status code' }),
      message: Type.String({ description: 'What went wrong, naming the field and the rule where there is one' }),
      metadata: Type.Optional(Nullable(Type.Object({}, { additionalProperties: true }))),
    }),
  },
  { $id: 'ErrorEnvelope', description: 'OpenRouter error response' },
);
export type ErrorEnvelope = Static<typeof ErrorEnvelopeSchema>;

const errorRef = Type.Ref(ErrorEnvelopeSchema);

/** The error statuses a route can answer with, for its response schema. */
export function errorResponses<const S extends readonly number[]>(statuses: S) {
  return Object.fromEntries(statuses.map((status) => [status, errorRef])) as { [K in S[number]]: typeof errorRef };
}

/** Statuses every API route can answer with: auth, rate limit, server error. */
export const COMMON_ERRORS = [401, 403, 429, 500] as const;
/** Statuses of routes that take a body. */
export const BODY_ERRORS = [400, 413, 415] as const;
