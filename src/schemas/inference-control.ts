import { Type } from './typebox.js';
import { Nullable } from './common.js';

/** The test-control plane's wire contract for the inference surface (`/__mock`). */

export const CreditsBody = Type.Object(
  {
    total_credits: Type.Optional(Type.Number({ minimum: 0, description: 'Credits bought or granted (USD)' })),
    total_usage: Type.Optional(Type.Number({ minimum: 0, description: 'Credits used so far (USD)' })),
  },
  { additionalProperties: false, minProperties: 1, description: "Sets either figure of an account's credits, or both" },
);

export const CreditsSchema = Type.Object({ total_credits: Type.Number(), total_usage: Type.Number() });

const CompletionMatchSchema = Type.Object(
  {
    model: Type.Optional(Type.String({ minLength: 1, description: 'The model id, exactly' })),
    key: Type.Optional(Type.String({ minLength: 1, description: 'The hash of the key' })),
    account: Type.Optional(Type.String({ minLength: 1, description: 'The account id' })),
  },
  { additionalProperties: false },
);

export const CompletionSpecBody = Type.Object(
  {
    match: Type.Optional(CompletionMatchSchema),
    content: Type.Optional(Type.String({ maxLength: 1_000_000, description: 'The reply text' })),
    prompt_tokens: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
    completion_tokens: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
    cost: Type.Optional(Type.Number({ minimum: 0, maximum: 1_000_000, description: 'USD charged, instead of tokens × prices' })),
    chunk_delay_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000, description: 'Milliseconds between streamed chunks' })),
    error_after_chunks: Type.Optional(Type.Integer({ minimum: 0, description: 'A stream fails after this many chunks (a plain answer is the error)' })),
    error: Type.Optional(
      Type.Object(
        { code: Type.Integer({ minimum: 400, maximum: 599 }), message: Type.String({ minLength: 1, maxLength: 10_000 }) },
        { additionalProperties: false },
      ),
    ),
    byok: Type.Optional(Type.Boolean({ description: 'Billed as BYOK usage' })),
    times: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

/** A rule as the control plane lists it: the fields a copy has (src/domain/completion-rules.ts), in that order. */
const { match: _match, ...specFields } = CompletionSpecBody.properties;
export const CompletionRuleSchema = Type.Object({
  match: CompletionMatchSchema,
  id: Type.String(),
  remaining: Nullable(Type.Integer()),
  hits: Type.Integer(),
  ...specFields,
});

/** What a chat completion with a key would get (`GET /__mock/keys/:hash/admission`): the request it stands for. */
export const AdmissionQuery = Type.Object({
  model: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: "The model (default: the catalogue's default)" })),
  max_tokens: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'max_tokens, if the request would send it' })),
  prompt: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'The one user message (default "Hello")' })),
});

export const AdmissionSchema = Type.Object({
  accepted: Type.Boolean(),
  /** 200, or the refusal's status. */
  status: Type.Integer(),
  /** The refusal's envelope, `{code, message, metadata?}`, exactly as POST /api/v1/chat/completions answers it; null when accepted. */
  error: Nullable(
    Type.Object({ code: Type.Integer(), message: Type.String(), metadata: Type.Optional(Type.Object({}, { additionalProperties: true })) }),
  ),
});
