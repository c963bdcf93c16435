import { apiError } from '../../domain/errors.js';
import type { GenerationRecord } from '../../domain/generations.js';
import { COMMON_ERRORS, errorResponses } from '../../schemas/common.js';
import { GenerationQuerySchema, GenerationResponseSchema, type Generation } from '../../schemas/generation.js';
import { api, apiOperationFile } from '../operation.js';

/**
 * `GET /api/v1/generation?id=`: what a chat completion cost and counted, for any key of the
 * account it was charged to (another account's generation is as unknown as a made-up id).
 */
export const generationOperations = apiOperationFile({
  table: () => ({
    getGeneration: api('GET', '/generation', {
      status: 200,
      access: 'any',
      schema: {
        operationId: 'getGeneration',
        summary: 'A generation',
        description: 'The cost and tokens of a chat completion, by its id (the answer\'s id, or its X-Generation-Id header).',
        querystring: GenerationQuerySchema,
        response: { 200: GenerationResponseSchema, ...errorResponses([400, 404, ...COMMON_ERRORS]) },
      },
    }),
  }),
  handlers: ({ generations, store }) => ({
    getGeneration: (call) => {
      const record = generations.get(call.principal!.account.id, call.query.id);
      if (!record) throw apiError('generationNotFound', call.query.id);
      const key = store.ownerOf(record.key_hash)?.keys.get(record.key_hash);
      return { data: generationView(record, key?.workspace_id ?? null) };
    },
  }),
});

/** A generation on the wire, in its schema's order; null where the mock has no value. */
function generationView(record: GenerationRecord, workspaceId: string | null): Generation {
  return {
    id: record.id,
    upstream_id: null,
    total_cost: record.total_cost,
    usage: record.total_cost,
    cache_discount: null,
    upstream_inference_cost: record.is_byok ? record.total_cost : null,
    created_at: record.created_at,
    model: record.model,
    app_id: null,
    streamed: record.streamed,
    cancelled: record.cancelled,
    provider_name: record.provider_name,
    latency: record.latency,
    moderation_latency: null,
    generation_time: record.generation_time,
    finish_reason: record.finish_reason,
    native_finish_reason: record.finish_reason,
    tokens_prompt: record.tokens_prompt,
    tokens_completion: record.tokens_completion,
    native_tokens_prompt: record.tokens_prompt,
    native_tokens_completion: record.tokens_completion,
    native_tokens_completion_images: null,
    native_tokens_reasoning: 0,
    native_tokens_cached: 0,
    num_media_prompt: null,
    num_input_audio_prompt: null,
    num_media_completion: null,
    num_search_results: null,
    num_fetches: null,
    origin: '',
    is_byok: record.is_byok,
    api_type: 'completions',
    data_region: 'global',
    external_user: record.external_user,
    http_referer: null,
    preset_id: null,
    provider_responses: null,
    router: null,
    service_tier: null,
    user_agent: null,
    web_search_engine: null,
    workspace_id: workspaceId,
  };
}
