import type { ValidateFunction } from 'ajv';
import { stateError, validateState, type JsonPath } from '../domain/state-rules.js';
import type { FaultSpec } from '../domain/faults.js';
import type { StoreState } from '../domain/types.js';
import { rule } from '../schemas/validation-message.js';
import { StateDocumentSchema } from '../schemas/control.js';
import { sharedValidators } from '../schemas/validators.js';

let validate: ValidateFunction | undefined;

/**
 * A state document: the accounts, and when it carries them (an export asked for them with
 * `?include=clock,faults`) the virtual clock and the fault rules as specs.
 */
export interface StateDocument extends StoreState {
  clock?: { now: string; frozen: boolean };
  faults?: FaultSpec[];
}

/**
 * A state document checked in full — its shape (the schema), then every rule — or a 400 whose
 * message names the entry and the field in one style, whichever check failed:
 * `Invalid state document: accounts[0].keys[3] ("Staging backend") field "usage_daily" must be a number`.
 * `PUT /__mock/state` and `load()` both check through here (the route does not validate the body
 * itself, so that its messages are these).
 */
export function checkStateDocument(document: unknown): StateDocument {
  validate ??= sharedValidators().body.compile(StateDocumentSchema);
  if (!validate(document)) {
    const error = validate.errors?.[0];
    if (!error) throw stateError(document, [], 'is invalid');
    const path: JsonPath = error.instancePath
      .split('/')
      .slice(1)
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
    const params = error.params as { missingProperty?: string; additionalProperty?: string };
    if (error.keyword === 'required') throw stateError(document, [...path, String(params.missingProperty)], 'is required');
    if (error.keyword === 'additionalProperties') {
      throw stateError(document, [...path, String(params.additionalProperty)], 'is not a field of the state document');
    }
    throw stateError(document, path, rule(error));
  }
  validateState(document as StoreState);
  return document as StateDocument;
}
