import { Type } from './typebox.js';
import type { Static } from '@sinclair/typebox';
import type { GenerationRecord } from '../domain/generations.js';
import { DATA_REGIONS } from '../domain/types.js';
import { Nullable, StringEnum } from './common.js';

/**
 * `GET /api/v1/generation?id=`: the cost and tokens of one generation. Every field the SDK's
 * GenerationResponseData (models/generationresponse.js) requires is here, most nullable there; the
 * mock gives null where it has no value (app, referer, upstream ids, media counts…), the
 * `native_tokens_*` the same counts as `tokens_*` (the mock has one tokenizer), `usage` =
 * `total_cost`, `api_type: "completions"`, `origin: ""` and `data_region: "global"` (neither
 * nullable in the SDK). `request_id`, `session_id` and `response_cache_source_id` are optional there
 * and left out.
 */
export const GenerationQuerySchema = Type.Object({
  id: Type.String({ minLength: 1, description: 'The generation id (`id` of the chat completion, or its X-Generation-Id header)' }),
});
export type GenerationQuery = Static<typeof GenerationQuerySchema>;

const nullableInt = (description: string) => Nullable(Type.Integer({ minimum: 0 }), { description });
const nullableNumber = (description: string) => Nullable(Type.Number(), { description });
const nullableString = (description: string) => Nullable(Type.String(), { description });

export const GenerationSchema = Type.Object(
  {
    id: Type.String({ description: 'gen-<unix seconds>-<20 letters and digits>' }),
    upstream_id: nullableString("The provider's id for the request: null"),
    total_cost: Type.Number({ minimum: 0, description: 'USD charged' }),
    usage: Type.Number({ minimum: 0, description: 'USD charged (same as total_cost)' }),
    cache_discount: nullableNumber('Discount from the prompt cache: null'),
    upstream_inference_cost: nullableNumber("The provider's charge for a BYOK request, else null (USD)"),
    created_at: Type.String({ description: 'ISO 8601 UTC timestamp' }),
    model: Type.String(),
    app_id: nullableInt('The app (HTTP-Referer) id: null'),
    streamed: Nullable(Type.Boolean(), { description: 'Whether it was streamed' }),
    cancelled: Nullable(Type.Boolean(), { description: 'Whether the client cut the stream off' }),
    provider_name: nullableString('The provider that served it'),
    latency: nullableNumber('Milliseconds to the first token'),
    moderation_latency: nullableNumber('Milliseconds of moderation: null'),
    generation_time: nullableNumber('Milliseconds to the whole answer'),
    finish_reason: nullableString('Why it ended (normalized)'),
    native_finish_reason: nullableString("The provider's own finish reason"),
    tokens_prompt: nullableInt('Prompt tokens'),
    tokens_completion: nullableInt('Completion tokens'),
    native_tokens_prompt: nullableInt('Prompt tokens, native tokenizer'),
    native_tokens_completion: nullableInt('Completion tokens, native tokenizer'),
    native_tokens_completion_images: nullableInt('Image tokens of the reply: null'),
    native_tokens_reasoning: nullableInt('Reasoning tokens'),
    native_tokens_cached: nullableInt('Cached prompt tokens'),
    num_media_prompt: nullableInt('Media in the prompt: null'),
    num_input_audio_prompt: nullableInt('Audio inputs in the prompt: null'),
    num_media_completion: nullableInt('Media in the reply: null'),
    num_search_results: nullableInt('Web search results: null'),
    num_fetches: nullableInt('Web fetches: null'),
    origin: Type.String({ description: 'The origin of the request; "" when unknown' }),
    is_byok: Type.Boolean(),
    api_type: Nullable(Type.String(), { description: '"completions" for a chat completion' }),
    data_region: StringEnum(DATA_REGIONS),
    external_user: nullableString('The external user of the key, or null'),
    http_referer: nullableString('The HTTP-Referer header: null'),
    preset_id: nullableString('The preset used: null'),
    provider_responses: Nullable(Type.Array(Type.Object({}, { additionalProperties: true })), { description: 'Provider attempts: null' }),
    router: nullableString('The router used: null'),
    service_tier: nullableString('The service tier: null'),
    user_agent: nullableString('The User-Agent header, or null'),
    web_search_engine: nullableString('The web search engine: null'),
    workspace_id: nullableString("The key's workspace"),
  },
  { description: 'A generation' },
);
export type Generation = Static<typeof GenerationSchema>;

export const GenerationResponseSchema = Type.Object({ data: GenerationSchema }, { description: 'A generation' });
export type GenerationResponse = Static<typeof GenerationResponseSchema>;

// What the domain keeps is carried by the wire view as it is (minus whom it was charged to).
type Kept = Omit<GenerationRecord, 'account_id' | 'key_hash'>;
const recordFits: Kept extends Pick<Generation, keyof Kept> ? true : false = true;
void recordFits;
