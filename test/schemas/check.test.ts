import { Type } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_MODELS } from '../../src/data/models.js';
import { fieldPath, schemaViolation } from '../../src/schemas/check.js';
import { CatalogueEntrySchema, strictSchema } from '../../src/schemas/models.js';

/**
 * src/schemas/check.ts against Ajv (what the HTTP layer validates with): on random breakages of
 * real catalogue entries both give the same verdict, and the field check.ts names is one Ajv names.
 */

const ajv = new Ajv({ strict: true, allErrors: true });
const SCHEMAS = { lenient: CatalogueEntrySchema, strict: strictSchema(CatalogueEntrySchema) };
const validators = { lenient: ajv.compile(SCHEMAS.lenient), strict: ajv.compile({ ...SCHEMAS.strict, $id: 'StrictEntry' }) };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value inside `value` (the value itself: []). */
function paths(value: Json, at: (string | number)[] = []): (string | number)[][] {
  const inner =
    value !== null && typeof value === 'object'
      ? Array.isArray(value)
        ? value.flatMap((v, i) => paths(v, [...at, i]))
        : Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))
      : [];
  return [at, ...inner];
}

type Mutation = { kind: 'set'; pick: number; value: Json } | { kind: 'delete'; pick: number } | { kind: 'add'; pick: number; key: string; value: Json };

function mutate(entry: Json, mutations: Mutation[]): Json {
  const copy = structuredClone(entry);
  for (const mutation of mutations) {
    const all = paths(copy).filter((p) => p.length > 0);
    if (all.length === 0) break;
    const path = all[mutation.pick % all.length]!;
    let parent = copy as Record<string | number, Json>;
    for (const part of path.slice(0, -1)) parent = parent[part] as Record<string | number, Json>;
    const last = path.at(-1)!;
    if (mutation.kind === 'set') parent[last] = mutation.value;
    else if (mutation.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
    } else {
      const target = parent[last];
      if (target !== null && typeof target === 'object' && !Array.isArray(target)) target[mutation.key] = mutation.value;
    }
  }
  return copy;
}

const valueArb: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>('0', '0.5', '-1', '1e-7', ' 0.1', '', 'openai/x', 'a b', '2024-01-01', 0, -1, 1.5, 3, null, true, [], {}, ['text']),
);
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), pick: fc.nat(), value: valueArb }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('add' as const), pick: fc.nat(), key: fc.oneof(fc.string(), fc.constantFrom('byok', 'prompt', 'extra')), value: valueArb }),
);
const brokenEntry = fc.tuple(fc.constantFrom(...(EMBEDDED_MODELS as Json[])), fc.array(mutationArb, { minLength: 1, maxLength: 3 })).map(([e, m]) => mutate(e, m));

const pointer = (path: (string | number)[]) => path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
const ajvPlaces = (errors: ErrorObject[]) =>
  errors.map((e) =>
    e.keyword === 'required'
      ? `${e.instancePath}${pointer([(e.params as { missingProperty: string }).missingProperty])}`
      : e.keyword === 'additionalProperties'
        ? `${e.instancePath}${pointer([(e.params as { additionalProperty: string }).additionalProperty])}`
        : e.instancePath,
  );

describe('schemaViolation agrees with Ajv', () => {
  it.each(['lenient', 'strict'] as const)('%s schema: the same verdict on broken catalogue entries, and a field Ajv names too', (which) => {
    const seen = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(brokenEntry, (entry) => {
        const ours = schemaViolation(SCHEMAS[which], entry);
        const validate = validators[which];
        const valid = validate(entry);
        expect(ours === null, `${JSON.stringify(ours)} vs ${JSON.stringify(validate.errors)}`).toBe(valid);
        if (ours) expect(ajvPlaces(validate.errors!)).toContain(pointer(ours.path));
        seen[valid ? 'valid' : 'invalid']++;
      }),
      { numRuns: 400 },
    );
    // Both verdicts were exercised, not only refusals.
    expect(seen.valid).toBeGreaterThan(20);
    expect(seen.invalid).toBeGreaterThan(100);
  });

  it('every embedded entry passes both', () => {
    for (const entry of EMBEDDED_MODELS) {
      expect(schemaViolation(SCHEMAS.strict, entry)).toBeNull();
      expect(validators.strict(entry)).toBe(true);
    }
  });
});

describe('schemaViolation messages', () => {
  const schema = Type.Object(
    {
      id: Type.String({ pattern: '^\\S+$' }),
      count: Type.Integer({ minimum: 0 }),
      tags: Type.Array(Type.String({ minLength: 1 })),
      nested: Type.Object({ flag: Type.Boolean() }, { additionalProperties: false }),
      kind: Type.Optional(Type.Union([Type.Literal('a'), Type.Literal('b')])),
    },
  );
  const good = { id: 'x', count: 1, tags: ['t'], nested: { flag: true } };

  it.each<[string, unknown, string, string]>([
    ['a missing field', { ...good, count: undefined }, 'count', 'is required'],
    ['a wrong type', { ...good, count: 'one' }, 'count', 'must be an integer'],
    ['below the minimum', { ...good, count: -1 }, 'count', 'must be ≥ 0'],
    ['a pattern, with its own rule', { ...good, id: 'a b' }, 'id', 'must not contain whitespace'],
    ['an empty string', { ...good, tags: [''] }, 'tags[0]', 'must not be empty'],
    ['an unknown field where objects are closed', { ...good, nested: { flag: true, other: 1 } }, 'nested.other', 'is not a known field (known: flag)'],
    ['not an object', [], '', 'must be a JSON object'],
  ])('%s', (_what, value, field, rule) => {
    const cleaned = JSON.parse(JSON.stringify(value)) as unknown;
    const found = schemaViolation(Type.Omit(schema, ['kind']), cleaned, { patterns: { '^\\S+$': 'must not contain whitespace' } });
    expect(found && { field: fieldPath(found.path), rule: found.rule }).toEqual({ field, rule });
  });

  it('throws on a keyword it does not check, rather than checking a schema in part', () => {
    expect(() => schemaViolation(schema, { ...good, kind: 'a' })).toThrow(/unsupported schema keyword "anyOf" at kind/);
    expect(() => schemaViolation(Type.String({ format: 'email' }), 'x')).toThrow(/unsupported schema keyword "format"/);
    expect(() => schemaViolation(Type.Object({}, { additionalProperties: Type.String() }), {})).toThrow(/not a schema/);
  });

  it('names a nullable type plainly', () => {
    expect(schemaViolation(Type.Object({ n: Type.Unsafe({ type: ['integer', 'null'] }) }), { n: 'x' })).toEqual({ path: ['n'], rule: 'must be an integer or null' });
  });
});
