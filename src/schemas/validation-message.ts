import type { ErrorObject } from 'ajv';
import { apiError, type ApiError } from '../domain/errors.js';

/**
 * Turns an Ajv error into a sentence a person can act on: which field, which rule. Ajv stops at the
 * first error (allErrors is off, as Fastify recommends), so there is one to phrase.
 */
const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean (true or false)',
  null: 'null',
  object: 'a JSON object',
  array: 'an array',
};

const FORMAT_WORDS: Record<string, string> = {
  uuid: 'a UUID',
  'date-time': 'an ISO 8601 date-time such as "2027-12-31T23:59:59Z"',
};

/** The part of a request a value came from, as Fastify names them. */
export type RequestPart = 'body' | 'querystring' | 'params' | 'headers';

const WHERE: Record<string, string> = {
  body: 'request body',
  querystring: 'query parameter',
  params: 'path parameter',
  headers: 'header',
};

const quote = (value: unknown) => (value === null ? 'null' : JSON.stringify(value));

function words(list: string[]): string {
  return list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
}

/** The rule an Ajv error states, as words ("must be a number", "must be ≥ 0"). */
export function rule(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type': {
      const types = String(params.type).split(',');
      return `must be ${words(types.map((t) => TYPE_WORDS[t] ?? t))}`;
    }
    case 'enum':
      return `must be one of ${words((params.allowedValues as unknown[]).map(quote))} (case-sensitive)`;
    case 'const':
      return `must be ${quote(params.allowedValue)}`;
    case 'minimum':
      return `must be ≥ ${String(params.limit)}`;
    case 'maximum':
      return `must be ≤ ${String(params.limit)}`;
    case 'exclusiveMinimum':
      return `must be > ${String(params.limit)}`;
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long`;
    case 'maxLength':
      return `must be at most ${String(params.limit)} characters long`;
    case 'format':
      return `must be ${FORMAT_WORDS[String(params.format)] ?? `in ${String(params.format)} format`}`;
    case 'pattern':
      return `must match ${String(params.pattern)}`;
    default:
      return error.message ?? 'is invalid';
  }
}

export function validationError(errors: ErrorObject[], context: RequestPart | 'state document'): ApiError {
  const error = errors[0];
  const where = WHERE[context] ?? context;
  if (!error) return apiError('invalidField', where, 'value', 'is invalid');
  const params = error.params as Record<string, unknown>;
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
  const prefix = path === '' ? '' : `${path}.`;
  if (error.keyword === 'required') {
    return apiError('invalidField', where, `field "${prefix}${String(params.missingProperty)}"`, 'is required');
  }
  if (error.keyword === 'additionalProperties') {
    return apiError(
      'invalidField',
      where,
      `field "${prefix}${String(params.additionalProperty)}"`,
      'is not accepted by this endpoint (strict mode rejects unknown fields)',
    );
  }
  if (path === '') return context === 'body' ? apiError('invalidBody', `the body ${rule(error)}`) : apiError('invalidField', where, 'value', rule(error));
  return apiError('invalidField', where, `field "${path}"`, rule(error));
}
