import type { Static, TSchema } from '@sinclair/typebox';
import type { ValidateFunction } from 'ajv';
import { validationError } from '../schemas/validation-message.js';
import { sharedValidators } from '../schemas/validators.js';

/**
 * A handle call's input checked against the schema its route declares, in the part of the request
 * it comes from, so that a handle call and an HTTP call with the same input get the same answer,
 * 400s included. Only `MockControl` checks: a route's input has been validated by the engine, once,
 * and the routes call `ControlCore` (`MockControl.unchecked`). No coercion: a route's query string
 * has been coerced by then, and the handle is given typed values.
 */
const compiled = new WeakMap<TSchema, ValidateFunction>();
export function check<S extends TSchema>(schema: S, value: unknown, part: 'body' | 'querystring' | 'params' = 'body'): Static<S> {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = sharedValidators().body.compile(schema);
    compiled.set(schema, validate);
  }
  if (!validate(value)) throw validationError(validate.errors ?? [], part);
  return value as Static<S>;
}

