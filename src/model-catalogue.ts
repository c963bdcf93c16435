import { EMBEDDED_MODELS, EMBEDDED_MODELS_SOURCE } from './data/models.js';
import { CatalogueError, isZeroPrice, ModelCatalogue, PRICE_PATTERN } from './domain/models.js';
import { fieldPath, schemaViolation } from './schemas/check.js';
import { CatalogueEntrySchema, ModelSchema, type CatalogueEntry, type Model } from './schemas/models.js';
import { inSerializerOrder } from './schemas/serializer-order.js';

/** The catalogue of a mock instance: its models of the wire's type (each entry was checked against it). */
export type WireCatalogue = ModelCatalogue<Model>;

/**
 * The model catalogue a mock instance is built with: the embedded one (src/data/models.json), or a
 * `--models` file's, each entry checked against the wire schema (src/schemas/models.ts) and the
 * catalogue's rules before the domain's `ModelCatalogue` is built from it.
 */

const PATTERN_RULES = {
  [PRICE_PATTERN]:
    'must be a price in USD as a decimal string such as "0.00000015" (digits and one optional point: no sign, no exponent; the "-1" of router models cannot be charged)',
  '^\\S+$': 'must be a non-empty string without whitespace',
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}$': 'must be a YYYY-MM-DD date, or null',
};

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
    const violation = schemaViolation(CatalogueEntrySchema, entry, { patterns: PATTERN_RULES });
    if (violation) {
      const field = fieldPath(violation.path);
      throw new CatalogueError(`${where(field || undefined)}: ${violation.rule}`);
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
    // In the order the server's serializer writes a model, so that JSON.stringify (the in-process
    // doors) sends the same bytes; `mock` (never sent) last.
    const { mock, ...model } = valid;
    return { ...inSerializerOrder(ModelSchema, model), ...(mock === undefined ? {} : { mock }) } as CatalogueEntry;
  });
}

/** `parseCatalogue`, then the catalogue. */
export const createCatalogue = (input: unknown, source?: string): WireCatalogue => new ModelCatalogue<Model>(parseCatalogue(input, source));

let embedded: WireCatalogue | undefined;

/**
 * The embedded catalogue (src/data/models.json, bundled like the fixtures: no file is read), built
 * once on first use and shared: a catalogue is immutable.
 */
export function embeddedCatalogue(): WireCatalogue {
  return (embedded ??= createCatalogue(EMBEDDED_MODELS, EMBEDDED_MODELS_SOURCE));
}
