import { Type } from './typebox.js';
import type { Static } from '@sinclair/typebox';
import { Nullable, NullableEnum, StringEnum } from './common.js';

/**
 * The wire contract of `POST /api/v1/chat/completions` (issue 20): the request body, the answer,
 * and the chunks of `stream: true`. Proven against the official clients in test/schemas/chat.test.ts
 * (the SDK's inbound zod models, `openai`, `@openrouter/ai-sdk-provider` with `ai`, and chat.send).
 *
 * Which source decided the fields that are not obvious:
 * - `messages` is optional here although the API requires it: the real API's 400 for a body without
 *   it is `Input required: specify "prompt" or "messages"` (observed; issue 20), which no schema
 *   error can phrase, so the handler checks for it after validation (an empty array is best treated
 *   the same way). When `messages` is present, every rule of its shape is the schema's.
 * - `content` may be absent or null on an assistant message only (one that carries `tool_calls`):
 *   the SDK's ChatAssistantMessage has `content` nullable and optional, its user, system, developer
 *   and tool messages require it (models/chat*message.js). `type: [string, array]` rather than
 *   anyOf, so a wrong value fails with one error ("must be a string or an array").
 * - Content parts: a `text` part needs its `text`; other part types (image_url, input_audio, file,
 *   video_url…) are accepted as any object with a `type` (the SDK's ChatContentItems lists them).
 * - `max_tokens`, `max_completion_tokens`, `temperature`, `stream` may be null: the SDK's ChatRequest
 *   serializer writes `z.nullable(...)` for the first three and openai's ChatCompletionCreateParams
 *   types all four `| null`; null means "not given".
 * - `usage: {include}` and `stream_options: {include_usage}` are accepted and change nothing: the
 *   usage docs call both deprecated (usage is always sent, on the last chunk of a stream);
 *   @openrouter/ai-sdk-provider still sends `usage` when configured.
 * - Unknown fields are allowed, in strict mode too: the real API ignores them, and the clients send
 *   many (`models`, `provider`, `plugins`, `include_reasoning`, `tools`…).
 * - Answer `id`: `gen-<unix seconds>-<20 letters and digits>`, as GET /generation takes it (observed
 *   ids; src/domain/generations.ts). `provider` and `native_finish_reason` are OpenRouter's own
 *   fields (docs' response format); the SDK strips them, ai-sdk-provider reads `provider` as a string.
 * - `system_fingerprint`: string or null on the answer (SDK ChatResult: required, nullable), but on a
 *   chunk only a string or absent — the SDK's ChatStreamChunk has `z.string().optional()`, so a null
 *   there fails every chunk of the stream in chat.send. openai types both `string | undefined` (not
 *   checked at run time): a string is the one value every client's types accept, if the handler has
 *   no reason to send null.
 * - `refusal: null`, `reasoning: null`, `logprobs: null` on the answer: what the real API sends for a
 *   plain text reply (docs' examples); all optional in the SDK and in openai's types.
 * - `usage.cost` is always a number (issue 20: never null, 0 for a free model); ai-sdk-provider
 *   passes it on as `providerMetadata.openrouter.usage.cost` only when it is a number.
 * - `prompt_tokens_details.cached_tokens` and `completion_tokens_details.reasoning_tokens` are
 *   required inside their objects: ai-sdk-provider's response schema has them as `z.number()` (a
 *   details object without them fails its parse), while the SDK has them optional.
 * - `cost_details` carries `upstream_inference_prompt_cost` and `upstream_inference_completions_cost`
 *   (the SDK's CostDetails requires both numbers, though the usage docs show only
 *   `upstream_inference_cost`), and `upstream_inference_cost` is null except for BYOK (usage docs).
 * - Mid-stream error: a chunk with a top-level `error: {code: integer, message}` (the SDK's
 *   ChatStreamChunkError has `code: z.int()`; docs "Handling errors during streaming") and
 *   `choices[0].finish_reason: "error"`. `error.metadata`, when sent, needs `error_type` (SDK).
 *   openai's Stream throws an APIError at a chunk with `error`; ai-sdk-provider emits an error part
 *   and finishes with reason "error"; chat.send yields the chunk as is.
 * - `finish_reason`: the SDK's ChatFinishReasonEnum (an open enum, so others parse too).
 */

/** The roles a message may have (the SDK's ChatMessages union; openai's ChatCompletionMessageParam). */
export const MESSAGE_ROLES = ['system', 'user', 'assistant', 'tool', 'developer'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

/** The SDK's ChatFinishReasonEnum. */
export const FINISH_REASONS = ['stop', 'length', 'tool_calls', 'content_filter', 'error'] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];

// ---------------------------------------------------------------------------------------------
// The request

/** One part of a message's content: a text part needs its text; other types are taken as they are. */
export const ContentPartSchema = Type.Object(
  {
    type: Type.String({ minLength: 1, description: 'text, image_url, input_audio, file, video_url…' }),
    text: Type.Optional(Type.String({ description: 'The text of a text part' })),
  },
  {
    additionalProperties: true,
    if: { type: 'object', required: ['type'], properties: { type: { const: 'text' } } },
    then: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
    description: 'A content part',
  },
);
export type ContentPart = Static<typeof ContentPartSchema>;

const contentSchema = Type.Unsafe<string | ContentPart[] | null>({
  type: ['string', 'array', 'null'],
  items: ContentPartSchema,
  description: 'A string, or an array of content parts; null or absent only on an assistant message',
});

export const ChatMessageSchema = Type.Object(
  {
    role: StringEnum(MESSAGE_ROLES, { description: 'Who wrote the message' }),
    content: Type.Optional(contentSchema),
    name: Type.Optional(Type.String({ description: 'A name for the participant' })),
    tool_call_id: Type.Optional(Type.String({ description: 'The tool call a tool message answers' })),
    tool_calls: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }), { description: 'The tool calls an assistant message made' })),
  },
  {
    additionalProperties: true,
    // Every role but assistant must have content, and not null.
    if: { type: 'object', required: ['role'], properties: { role: { const: 'assistant' } } },
    else: { type: 'object', required: ['content'], properties: { content: { type: ['string', 'array'] } } },
    description: 'A chat message',
  },
);
export type ChatMessage = Static<typeof ChatMessageSchema>;

const tokenCount = (description: string) => Type.Optional(Nullable(Type.Integer({ minimum: 1 }), { description }));
const ignoredNumber = (description: string) => Type.Optional(Nullable(Type.Number(), { description: `${description}; accepted and ignored` }));

/**
 * The body of `POST /api/v1/chat/completions`. `messages` is optional *here only*: the handler
 * answers a body without it with the API's own 400 (see the notes at the top of this file).
 */
export const ChatCompletionRequestSchema = Type.Object(
  {
    messages: Type.Optional(Type.Array(ChatMessageSchema, { description: 'The conversation so far (required: checked by the handler)' })),
    model: Type.Optional(Type.String({ minLength: 1, description: 'The model id; the default model when absent' })),
    stream: Type.Optional(Nullable(Type.Boolean(), { description: 'Answer as Server-Sent Events; null or absent: false' })),
    max_tokens: tokenCount('The most completion tokens to generate'),
    max_completion_tokens: tokenCount('The most completion tokens to generate (the newer name of max_tokens)'),
    temperature: ignoredNumber('Sampling temperature'),
    top_p: ignoredNumber('Nucleus sampling'),
    frequency_penalty: ignoredNumber('Frequency penalty'),
    presence_penalty: ignoredNumber('Presence penalty'),
    seed: Type.Optional(Nullable(Type.Integer(), { description: 'Sampling seed; accepted and ignored' })),
    usage: Type.Optional(
      Type.Object({ include: Type.Optional(Type.Boolean()) }, { additionalProperties: true, description: 'Deprecated: usage is always included' }),
    ),
    stream_options: Type.Optional(
      Nullable(Type.Object({ include_usage: Type.Optional(Type.Boolean()) }, { additionalProperties: true }), {
        description: 'Deprecated: usage is always on the last chunk',
      }),
    ),
  },
  { additionalProperties: true, description: 'A chat completion request; unknown fields are ignored, as by the real API' },
);
export type ChatCompletionRequest = Static<typeof ChatCompletionRequestSchema>;

// ---------------------------------------------------------------------------------------------
// The answer

const GENERATION_ID = Type.String({
  pattern: '^gen-[0-9]+-[A-Za-z0-9]{20}$',
  description: 'The generation id (also the X-Generation-Id header), for GET /api/v1/generation',
  examples: ['gen-1768392000-a1B2c3D4e5F6g7H8i9J0'],
});
const tokens = (description: string) => Type.Integer({ minimum: 0, description });
const usd = (description: string) => Type.Number({ minimum: 0, description: `${description} (USD)` });

export const ChatUsageSchema = Type.Object(
  {
    prompt_tokens: tokens('Tokens of the prompt'),
    completion_tokens: tokens('Tokens of the reply'),
    total_tokens: tokens('prompt_tokens + completion_tokens'),
    cost: usd('What the request was charged; 0 for a free model'),
    is_byok: Type.Boolean({ description: 'Whether the request was billed as BYOK' }),
    prompt_tokens_details: Type.Object({ cached_tokens: tokens('Prompt tokens read from the cache: always 0') }),
    completion_tokens_details: Type.Object({ reasoning_tokens: tokens('Reasoning tokens: always 0') }),
    cost_details: Type.Object({
      upstream_inference_cost: Nullable(Type.Number({ minimum: 0 }), { description: "The provider's charge for a BYOK request, else null (USD)" }),
      upstream_inference_prompt_cost: usd('The upstream cost of the prompt'),
      upstream_inference_completions_cost: usd('The upstream cost of the reply'),
    }),
  },
  { description: 'Token counts and cost' },
);
export type ChatUsage = Static<typeof ChatUsageSchema>;

const answerHead = {
  id: GENERATION_ID,
  provider: Type.String({ description: 'The provider that served the request' }),
  model: Type.String({ description: 'The model that answered' }),
  created: Type.Integer({ minimum: 0, description: 'Unix seconds' }),
};
const finishReason = StringEnum(FINISH_REASONS, { description: 'Why the reply ended (normalized)' });
const nativeFinishReason = Nullable(Type.String(), { description: "The provider's own finish reason" });

export const ChatCompletionChoiceSchema = Type.Object({
  index: Type.Integer({ minimum: 0 }),
  message: Type.Object({
    role: Type.Literal('assistant'),
    content: Type.String({ description: 'The reply' }),
    refusal: Type.Null(),
    reasoning: Type.Null(),
  }),
  finish_reason: finishReason,
  native_finish_reason: nativeFinishReason,
  logprobs: Type.Null(),
});

/** The answer of a non-streaming chat completion. */
export const ChatCompletionResponseSchema = Type.Object(
  {
    ...answerHead,
    object: Type.Literal('chat.completion'),
    system_fingerprint: Nullable(Type.String(), { description: 'The backend configuration, or null' }),
    choices: Type.Array(ChatCompletionChoiceSchema, { minItems: 1 }),
    usage: ChatUsageSchema,
  },
  { description: 'A chat completion' },
);
export type ChatCompletionResponse = Static<typeof ChatCompletionResponseSchema>;

const chunkHead = {
  ...answerHead,
  object: Type.Literal('chat.completion.chunk'),
  system_fingerprint: Type.Optional(Type.String({ description: 'A string or absent, never null (the SDK refuses a null here)' })),
};

export const ChatCompletionChunkChoiceSchema = Type.Object({
  index: Type.Integer({ minimum: 0 }),
  delta: Type.Object({
    role: Type.Optional(Type.Literal('assistant', { description: 'On the first chunk' })),
    content: Type.String({ description: 'The next piece of the reply (empty on the last chunk)' }),
  }),
  finish_reason: NullableEnum(FINISH_REASONS, { description: 'Why the reply ended (normalized); null until the last chunk' }),
  native_finish_reason: nativeFinishReason,
});

/** One `data:` event of a stream; the last one before `data: [DONE]` carries `usage`. */
export const ChatCompletionChunkSchema = Type.Object(
  {
    ...chunkHead,
    choices: Type.Array(ChatCompletionChunkChoiceSchema),
    usage: Type.Optional(ChatUsageSchema),
  },
  { description: 'A chunk of a streamed chat completion' },
);
export type ChatCompletionChunk = Static<typeof ChatCompletionChunkSchema>;

/**
 * A failure after the 200 was sent: one chunk with a top-level `error` (its `code` an HTTP-style
 * integer) and `finish_reason: "error"`, then `data: [DONE]`.
 */
export const ChatCompletionErrorChunkSchema = Type.Object(
  {
    ...chunkHead,
    error: Type.Object({
      code: Type.Integer({ description: 'An HTTP status code, e.g. 502' }),
      message: Type.String(),
      metadata: Type.Optional(
        Type.Object(
          { error_type: Type.String({ description: 'One of the SDK\'s ApiErrorType values, e.g. "provider_unavailable"' }) },
          { additionalProperties: true },
        ),
      ),
    }),
    choices: Type.Array(
      Type.Object({
        index: Type.Integer({ minimum: 0 }),
        delta: Type.Object({ content: Type.String() }),
        finish_reason: Type.Literal('error'),
        native_finish_reason: nativeFinishReason,
      }),
      { minItems: 1 },
    ),
    usage: Type.Optional(ChatUsageSchema),
  },
  { description: 'The chunk that ends a stream that failed' },
);
export type ChatCompletionErrorChunk = Static<typeof ChatCompletionErrorChunkSchema>;

/** The comment line OpenRouter sends while a stream waits (ignored by SSE parsers). */
export const SSE_PROCESSING_COMMENT = ': OPENROUTER PROCESSING';
/** The last event of every stream. */
export const SSE_DONE = 'data: [DONE]';
