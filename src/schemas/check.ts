/**
 * Checks a JSON value against one of the mock's TypeBox schemas and names the first field that
 * breaks it, with a rule a person can act on ("field "pricing.prompt": must be a decimal string…").
 * For data files loaded at start-up (a `--models` catalogue), where Ajv's compiled validators (the
 * HTTP layer's) would be one more compile at every start and their messages read "must match
 * pattern …". It knows the keywords those schemas use and throws on any other, so a schema that
 * grows a keyword cannot be checked only in part; test/schemas/check.test.ts holds it to Ajv's
 * verdict on random input.
 */

/** Where a value breaks a schema: the path of the field (empty: the value itself), and the rule. */
export interface SchemaViolation {
  path: (string | number)[];
  rule: string;
}

export interface CheckOptions {
  /** The rule to report for a `pattern`, by the pattern (else: "must match …"). */
  patterns?: Readonly<Record<string, string>>;
}

/** Keywords that only describe: nothing to check. */
const ANNOTATIONS = new Set(['$id', 'title', 'description', 'examples', 'default', '$comment']);
const CHECKED = new Set(['type', 'properties', 'required', 'additionalProperties', 'items', 'pattern', 'minLength', 'minimum', 'enum']);

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean (true or false)',
  object: 'a JSON object',
  array: 'an array',
  null: 'null',
};

function isType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'null':
      return value === null;
    default:
      throw new Error(`check.ts: unknown type ${JSON.stringify(type)}`);
  }
}

const patternCache = new Map<string, RegExp>();
const regexp = (pattern: string) => {
  let re = patternCache.get(pattern);
  if (!re) patternCache.set(pattern, (re = new RegExp(pattern, 'u')));
  return re;
};

/** The first place `value` breaks `schema`, or null. Throws (a programming error) on a keyword it does not know. */
export function schemaViolation(schema: object, value: unknown, options: CheckOptions = {}): SchemaViolation | null {
  return check(schema as Record<string, unknown>, value, [], options);
}

function check(schema: Record<string, unknown>, value: unknown, path: (string | number)[], options: CheckOptions): SchemaViolation | null {
  for (const keyword of Object.keys(schema)) {
    if (!CHECKED.has(keyword) && !ANNOTATIONS.has(keyword)) throw new Error(`check.ts: unsupported schema keyword ${JSON.stringify(keyword)} at ${path.join('.') || 'the top'}`);
  }
  if (schema.additionalProperties !== undefined && typeof schema.additionalProperties !== 'boolean') {
    throw new Error(`check.ts: additionalProperties must be true or false here, not a schema (at ${path.join('.') || 'the top'})`);
  }
  const fail = (rule: string, at = path): SchemaViolation => ({ path: at, rule });
  if (schema.type !== undefined) {
    const types = (Array.isArray(schema.type) ? schema.type : [schema.type]) as string[];
    if (!types.some((type) => isType(value, type))) return fail(`must be ${types.map((type) => TYPE_NAMES[type] ?? type).join(' or ')}`);
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value as never)) {
    return fail(`must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && [...value].length < schema.minLength) {
      return fail(schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters`);
    }
    if (typeof schema.pattern === 'string' && !regexp(schema.pattern).test(value)) {
      return fail(options.patterns?.[schema.pattern] ?? `must match ${schema.pattern}`);
    }
  }
  if (typeof value === 'number' && typeof schema.minimum === 'number' && value < schema.minimum) return fail(`must be ≥ ${schema.minimum}`);
  if (Array.isArray(value) && schema.items !== undefined) {
    for (let i = 0; i < value.length; i++) {
      const found = check(schema.items as Record<string, unknown>, value[i], [...path, i], options);
      if (found) return found;
    }
  }
  if (isType(value, 'object')) {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const name of (schema.required ?? []) as string[]) {
      if (!Object.hasOwn(object, name)) return fail('is required', [...path, name]);
    }
    for (const [name, field] of Object.entries(object)) {
      const fieldSchema = Object.hasOwn(properties, name) ? properties[name] : undefined;
      if (fieldSchema) {
        const found = check(fieldSchema, field, [...path, name], options);
        if (found) return found;
      } else if (schema.additionalProperties === false) {
        return fail(`is not a known field (known: ${Object.keys(properties).join(', ')})`, [...path, name]);
      }
    }
  }
  return null;
}

/** A violation's path as the messages write it: `pricing.prompt`, `architecture.input_modalities[0]`. */
export const fieldPath = (path: readonly (string | number)[]): string =>
  path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
