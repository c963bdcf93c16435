import { EMBEDDED_MODELS, EMBEDDED_MODELS_SOURCE } from './data/models.js';
import { CatalogueError, isZeroPrice, ModelCatalogue, PRICE_PATTERN } from './domain/models.js';
import type { ErrorObject } from 'ajv';
import { CatalogueEntrySchema, ModelSchema, type CatalogueEntry, type Model } from './schemas/models.js';
import { inSerializerOrder } from './schemas/serializer-order.js';
import { rule } from './schemas/validation-message.js';
import { lazyValidator, sharedValidators, type Validate } from './schemas/validators.js';

/** The catalogue of a mock instance: its models of the wire's type (each entry was checked against it). */
export type WireCatalogue = ModelCatalogue<Model>;

/**
 * The model catalogue a mock instance is built with: the embedded one (src/data/models.json), or a
 * `--models` file's, each entry checked against the wire schema (src/schemas/models.ts) and the
 * catalogue's rules before the domain's `ModelCatalogue` is built from it.
 */

const PATTERN_RULES: Readonly<Record<string, string>> = {
  [PRICE_PATTERN]:
    'must be a price in USD as a decimal string such as "0.00000015" (digits and one optional point: no sign, no exponent; the "-1" of router models cannot be charged)',
  '^\\S+$': 'must be a non-empty string without whitespace',
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}$': 'must be a YYYY-MM-DD date, or null',
};

/**
 * The entry schema's Ajv validator (the body validator every door checks requests with), compiled
 * on first use: only a `--models` file, an in-process door's `models` or the first read of the
 * embedded catalogue (options.ts) pays for it, not every start.
 */
let entryValidator: Validate | undefined;
const validEntry = (entry: unknown): ErrorObject | undefined => {
  const validate = (entryValidator ??= lazyValidator(sharedValidators().body, CatalogueEntrySchema));
  return validate(entry) ? undefined : (validate.errors?.[0] ?? undefined);
};

/** Ajv's first error on `entry` as the field it names (`pricing.prompt`, `architecture.input_modalities[1]`) and a rule a person can act on. */
function violation(error: ErrorObject, entry: unknown): { field: string; rule: string } {
  const parts = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') parts.push(String(params.missingProperty));
  if (error.keyword === 'additionalProperties') parts.push(String(params.additionalProperty));
  // Indices as `[1]`: instancePath writes every step as text; the data says which steps are into an array.
  let field = '';
  let at: unknown = entry;
  for (const part of parts) {
    field += Array.isArray(at) ? `[${part}]` : field === '' ? part : `.${part}`;
    at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined;
  }
  switch (error.keyword) {
    case 'required':
      return { field, rule: 'is required' };
    case 'additionalProperties': {
      // The closed object's schema, found by the error's schema path (`#/properties/mock/additionalProperties`).
      const schema = error.schemaPath
        .split('/')
        .slice(1, -1)
        .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], CatalogueEntrySchema) as { properties?: object } | undefined;
      return { field, rule: `is not a known field (known: ${Object.keys(schema?.properties ?? {}).join(', ')})` };
    }
    case 'pattern':
      return { field, rule: PATTERN_RULES[String(params.pattern)] ?? rule(error) };
    default:
      return { field, rule: rule(error) };
  }
}

const shown = (id: unknown) => (typeof id === 'string' ? ` (${JSON.stringify(id.length > 60 ? `${id.slice(0, 60)}…` : id)})` : '');

/**
 * A catalogue file's content (an array of models, or a `GET /api/v1/models` answer, `{"data": […]}`,
 * so a real answer can be pasted in) to its entries, each checked against the schema. Throws
 * `CatalogueError` naming `source`, the entry and the field: `models.json: entry 2
 * ("openai/gpt-4o"): field "pricing.prompt": must be a price in USD as a decimal string …`.
 */
export function parseCatalogue(input: unknown, source = 'models'): CatalogueEntry[] {
  const entries: unknown =
    input !== null && typeof input === 'object' && !Array.isArray(input) && Array.isArray((input as { data?: unknown }).data)
      ? (input as { data: unknown[] }).data
      : input;
  if (!Array.isArray(entries)) {
    throw new CatalogueError(`${source}: must be a JSON array of models, or a GET /api/v1/models answer ({"data": [ … ]})`);
  }
  if (entries.length === 0) throw new CatalogueError(`${source}: must hold at least one model (the first is the default model)`);
  const seen = new Map<string, number>();
  return entries.map((entry: unknown, index) => {
    const id = entry !== null && typeof entry === 'object' ? (entry as { id?: unknown }).id : undefined;
    const where = (field?: string) => `${source}: entry ${index}${shown(id)}${field ? `: field "${field}"` : ''}`;
    const error = validEntry(entry);
    if (error) {
      const { field, rule } = violation(error, entry);
      throw new CatalogueError(`${where(field || undefined)}: ${rule}`);
    }
    const valid = entry as CatalogueEntry;
    const earlier = seen.get(valid.id);
    if (earlier !== undefined) throw new CatalogueError(`${where('id')}: duplicates entry ${earlier}`);
    seen.set(valid.id, index);
    if (valid.id.endsWith(':free')) {
      for (const kind of ['prompt', 'completion'] as const) {
        if (!isZeroPrice(valid.pricing[kind])) {
          throw new CatalogueError(`${where(`pricing.${kind}`)}: must be "0": a :free model costs nothing (got ${JSON.stringify(valid.pricing[kind])})`);
        }
      }
    }
    return ordered(valid);
  });
}

/**
 * An entry in the order the server's serializer writes a model, so that JSON.stringify (the
 * in-process doors) sends the same bytes; `mock` (never sent) last.
 */
function ordered(entry: CatalogueEntry): CatalogueEntry {
  const { mock, ...model } = entry;
  return { ...inSerializerOrder(ModelSchema, model), ...(mock === undefined ? {} : { mock }) } as CatalogueEntry;
}

/** `parseCatalogue`, then the catalogue. */
export const createCatalogue = (input: unknown, source?: string): WireCatalogue => new ModelCatalogue<Model>(parseCatalogue(input, source));

let embedded: WireCatalogue | undefined;

/**
 * The embedded catalogue (src/data/models.json, bundled like the fixtures: no file is read), built
 * once on first use and shared: a catalogue is immutable. Its entries are the project's own, held
 * to the schema and the rules by test/domain/models.test.ts (`parseCatalogue` takes them, and builds
 * the same bytes): not checked again here, where compiling the entry schema would cost the first
 * chat or models request (or an in-process door's first read) tens of milliseconds.
 */
export function embeddedCatalogue(): WireCatalogue {
  return (embedded ??= new ModelCatalogue<Model>((EMBEDDED_MODELS as CatalogueEntry[]).map(ordered)));
}
