import { Type } from './typebox.js';
import type { ObjectOptions, Static, TProperties, TSchema } from '@sinclair/typebox';
import { PRICE_PATTERN, type CatalogueEntry as DomainEntry } from '../domain/models.js';
import { Nullable } from './common.js';

/**
 * A model as `GET /api/v1/models` lists it, field for field what the official SDK
 * (`@openrouter/sdk`, `Model$inboundSchema`) requires and allows, in the wire's snake_case. The
 * SDK is the contract: test/schemas/models.test.ts parses every catalogue entry with it.
 *
 * Objects allow fields beyond these, said explicitly (`additionalProperties: true`, so a serializer
 * compiled from the schema keeps them too): OpenRouter adds fields over time, and a `--models` file
 * may be a pasted real answer, so they are passed through as given. The embedded catalogue is held
 * to `strictSchema(…)` of these in the tests, so it carries no misspelt field.
 */

/** An object schema open to fields it does not name (see above). */
const Open = <T extends TProperties>(properties: T, options: ObjectOptions = {}) => Type.Object(properties, { additionalProperties: true, ...options });

/** A price in USD, as OpenRouter writes it (PRICE_PATTERN: the domain's rule, src/domain/models.ts). */
const price = (description: string) => Type.String({ pattern: PRICE_PATTERN, description: `${description} (USD, a decimal string)` });

export const ModelPricingSchema = Open(
  {
    prompt: price('Price per prompt (input) token'),
    completion: price('Price per completion (output) token'),
    request: Type.Optional(price('Price per request')),
    image: Type.Optional(price('Price per input image')),
    image_output: Type.Optional(price('Price per output image')),
    image_token: Type.Optional(price('Price per image token')),
    audio: Type.Optional(price('Price per audio input token')),
    audio_output: Type.Optional(price('Price per audio output token')),
    input_audio_cache: Type.Optional(price('Price per cached audio input token')),
    web_search: Type.Optional(price('Price per web search')),
    internal_reasoning: Type.Optional(price('Price per internal reasoning token')),
    input_cache_read: Type.Optional(price('Price per cached prompt token read')),
    input_cache_write: Type.Optional(price('Price per prompt token written to the cache')),
    input_cache_write_1h: Type.Optional(price('Price per prompt token written to the one-hour cache')),
    discount: Type.Optional(Type.Number({ description: 'Discount applied to the prices' })),
  },
  { description: 'Prices in USD, as decimal strings; the mock charges prompt and completion tokens' },
);

const text = (description: string) => Type.String({ minLength: 1, description });

export const ModelArchitectureSchema = Open({
  modality: Nullable(Type.String(), { description: 'Input and output modalities, e.g. text+image->text' }),
  input_modalities: Type.Array(Type.String(), { description: 'text, image, file, audio, video' }),
  output_modalities: Type.Array(Type.String(), { description: 'text, image, embeddings, audio, …' }),
  tokenizer: Type.Optional(Type.String({ description: 'The tokenizer family, e.g. GPT, Claude, Gemini, Llama3' })),
  instruct_type: Type.Optional(Nullable(Type.String(), { description: 'The instruction format, e.g. llama3, or null' })),
});

export const TopProviderSchema = Open({
  context_length: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  max_completion_tokens: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  is_moderated: Type.Boolean(),
});

export const PerRequestLimitsSchema = Open({
  prompt_tokens: Type.Number({ minimum: 0 }),
  completion_tokens: Type.Number({ minimum: 0 }),
});

const sampling = (integer = false) => Type.Optional(Nullable(integer ? Type.Integer() : Type.Number()));
export const DefaultParametersSchema = Open({
  temperature: sampling(),
  top_p: sampling(),
  top_k: sampling(true),
  frequency_penalty: sampling(),
  presence_penalty: sampling(),
  repetition_penalty: sampling(),
});

/** A `YYYY-MM-DD` date, as `knowledge_cutoff` and `expiration_date` are written. */
const date = (description: string) => Type.Optional(Nullable(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }), { description }));

const modelProperties = {
  id: Type.String({ pattern: '^\\S+$', description: 'The model id requests name, e.g. openai/gpt-4o-mini; a :free suffix is a distinct model', examples: ['openai/gpt-4o-mini'] }),
  canonical_slug: text('The canonical slug of the model (a :free variant shares its model\'s)'),
  hugging_face_id: Type.Optional(Nullable(Type.String(), { description: 'The Hugging Face model id, if any' })),
  name: text('Display name'),
  created: Type.Integer({ minimum: 0, description: 'When the model was added (Unix seconds)' }),
  description: Type.Optional(Type.String()),
  context_length: Nullable(Type.Integer({ minimum: 0 }), { description: 'The context window in tokens' }),
  architecture: ModelArchitectureSchema,
  pricing: ModelPricingSchema,
  top_provider: TopProviderSchema,
  per_request_limits: Nullable(PerRequestLimitsSchema),
  supported_parameters: Type.Array(Type.String(), { description: 'Request parameters the model takes' }),
  default_parameters: Nullable(DefaultParametersSchema),
  supported_voices: Nullable(Type.Array(Type.String()), { description: 'Voices of text-to-speech models; null for the others' }),
  knowledge_cutoff: date('The training data cutoff, or null'),
  expiration_date: date('The date the model may be removed, or null'),
  links: Open({ details: text('The model\'s endpoints resource') }),
  // The SDK's optional objects the mock never fills, passed through from a --models file.
  reasoning: Type.Optional(Open({ mandatory: Type.Boolean() })),
  alias_target: Type.Optional(Open({ name: Type.String(), slug: Type.String() })),
  benchmarks: Type.Optional(Open({ design_arena: Type.Array(Type.Unknown()) })),
};

/** A model on the wire (`GET /api/v1/models`'s `data[]`). */
export const ModelSchema = Open(modelProperties, { $id: 'Model', description: 'A model and its prices' });
export type Model = Static<typeof ModelSchema>;

/**
 * What the mock knows of a model beyond the wire: `byok: true` charges its requests as
 * bring-your-own-key usage (OpenRouter's BYOK is per provider key, which the mock does not have).
 * Never sent: `GET /api/v1/models` leaves `mock` out.
 */
export const ModelMockSchema = Type.Object(
  { byok: Type.Optional(Type.Boolean({ description: 'Charge this model\'s requests as BYOK usage' })) },
  { additionalProperties: false, description: 'The mock\'s own settings of the model, never sent' },
);
export type ModelMock = Static<typeof ModelMockSchema>;

/** An entry of a catalogue file (src/data/models.json, `--models`): a model, and optionally `mock`. */
export const CatalogueEntrySchema = Open(
  { ...modelProperties, mock: Type.Optional(ModelMockSchema) },
  { description: 'A model of the catalogue, with the mock\'s own settings of it' },
);
export type CatalogueEntry = Static<typeof CatalogueEntrySchema>;
// An entry the schema takes is an entry the domain's catalogue takes.
const entryFitsDomain: CatalogueEntry extends DomainEntry ? true : false = true;
void entryFitsDomain;

/**
 * `GET /api/v1/models`: the models, and the pagination the SDK requires (`links.next`, null: the
 * catalogue is one page; `total_count`).
 */
export const ModelListSchema = Open(
  {
    data: Type.Array(Type.Ref(ModelSchema)),
    links: Open({ next: Nullable(Type.String(), { description: 'The next page, or null' }) }),
    total_count: Type.Integer({ minimum: 0, description: 'How many models match' }),
  },
  { $id: 'ModelList', description: 'The models requests may name' },
);
export type ModelList = Static<typeof ModelListSchema>;

/**
 * A copy of `schema` in which every object refuses fields it does not name: for holding the
 * embedded catalogue to the known fields (a typo would otherwise pass as a field passed through).
 */
export function strictSchema<T extends TSchema>(schema: T): T {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const copy: Record<PropertyKey, unknown> = {};
    // Reflect.ownKeys: TypeBox's Kind and Optional markers are symbols, kept as they are.
    for (const key of Reflect.ownKeys(node)) {
      const value = (node as Record<PropertyKey, unknown>)[key];
      copy[key] = typeof key === 'symbol' ? value : walk(value);
    }
    if (copy.type === 'object' && copy.properties) copy.additionalProperties = false;
    return copy;
  };
  return walk(schema) as T;
}
