import type { TSchema } from '@sinclair/typebox';

/**
 * A value with its objects' fields in the order the server's serializer (fast-json-stringify)
 * writes them for `schema`: the required fields in the schema's order, then the optional ones in
 * the schema's order, then fields the schema does not name (an open object) in the value's order.
 * For data the doors send as it is — the in-process doors write `JSON.stringify` of it — so that
 * every door sends the same bytes (test/http/wire-order.test.ts checks each operation).
 * Follows `properties`, array `items` and the branches of a union (`Nullable`); `$ref`s through
 * `refs` (by `$id`).
 */
export function inSerializerOrder<T>(schema: TSchema, value: T, refs: Readonly<Record<string, TSchema>> = {}): T {
  return order(schema, value, refs) as T;
}

function order(schema: TSchema, value: unknown, refs: Readonly<Record<string, TSchema>>): unknown {
  if (typeof schema.$ref === 'string') {
    const target = refs[schema.$ref];
    return target ? order(target, value, refs) : value;
  }
  if (Array.isArray(value)) return schema.items ? value.map((item) => order(schema.items as TSchema, item, refs)) : value;
  if (value === null || typeof value !== 'object') return value;
  const branches = (schema.anyOf ?? schema.oneOf) as TSchema[] | undefined;
  if (branches) {
    const objectBranch = branches.find((branch) => branch.type === 'object' || branch.$ref !== undefined);
    return objectBranch ? order(objectBranch, value, refs) : value;
  }
  const properties = schema.properties as Record<string, TSchema> | undefined;
  if (!properties) return value;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const names = Object.keys(properties);
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const name of [...names.filter((n) => required.has(n)), ...names.filter((n) => !required.has(n))]) {
    if (Object.hasOwn(source, name)) out[name] = order(properties[name]!, source[name], refs);
  }
  for (const name of Object.keys(source)) if (!Object.hasOwn(properties, name)) out[name] = source[name];
  return out;
}
