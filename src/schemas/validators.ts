import { Ajv, type ErrorObject, type Options as AjvOptions, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { ErrorEnvelopeSchema } from './common.js';
import { CurrentKeySchema, KeySchema } from './keys.js';
import { ModelSchema } from './models.js';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** The schemas routes refer to by `$id`. */
export const SHARED_SCHEMAS = [ErrorEnvelopeSchema, KeySchema, CurrentKeySchema, ModelSchema];

/**
 * Two validators: bodies (and documents such as a state file) are checked exactly as sent — no
 * type coercion: `"limit": "75"` is a 400, as on the real API — while query strings and path
 * parameters, which are text by nature, may coerce ("?offset=100" is the integer 100). Unknown
 * body fields are never stripped silently here: the domain ignores them, or a strict schema
 * rejects them.
 */
export function createValidators(): { body: Ajv; text: Ajv } {
  // validateSchema off: checking our own TypeBox schemas against the JSON Schema meta-schema meant
  // compiling the meta-schema at every start (~120 ms); strict mode still rejects unknown keywords.
  const common: AjvOptions = {
    allErrors: false,
    allowUnionTypes: true,
    useDefaults: false,
    removeAdditional: false,
    strict: true,
    validateSchema: false,
  };
  const body = addFormats(new Ajv({ ...common, coerceTypes: false }));
  const text = addFormats(new Ajv({ ...common, coerceTypes: 'array' }));
  for (const schema of SHARED_SCHEMAS) {
    body.addSchema(schema);
    text.addSchema(schema);
  }
  return { body, text };
}

let shared: { body: Ajv; text: Ajv } | undefined;

/**
 * The process's one pair of validators, made on first use: the engine, the control plane's input
 * checks and the state-document check compile into the same instances (an Ajv instance with its
 * formats takes a few milliseconds to make, and compiled schemas are cached per instance).
 */
export function sharedValidators(): { body: Ajv; text: Ajv } {
  return (shared ??= createValidators());
}

export type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/**
 * Compiles on first use: most of a mock's routes are never exercised by a given test run, and
 * compiling them all up front was most of the start-up time.
 */
export function lazyValidator(ajv: Ajv, schema: object): Validate {
  let compiled: ValidateFunction | undefined;
  const validate: Validate = (data) => {
    compiled ??= ajv.compile(schema);
    const ok = compiled(data);
    validate.errors = compiled.errors;
    return ok;
  };
  return validate;
}
