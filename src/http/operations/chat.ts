import { apiError } from '../../domain/errors.js';
import type { KeyPrincipal } from '../../domain/inference.js';
import type { Principal } from '../../domain/key-store.js';
import { ChatCompletionRequestSchema, ChatCompletionResponseSchema } from '../../schemas/chat.js';
import { errorResponses } from '../../schemas/common.js';
import { chatCompletion, chatStream } from '../chat-answer.js';
import { api, apiOperationFile, Reply } from '../operation.js';

/** The caller of an inference route: an ordinary key (authorization refused every other, 401). */
function keyPrincipal(principal: Principal | null): KeyPrincipal {
  if (principal?.kind !== 'key') throw apiError('userNotFound');
  return principal;
}

/**
 * `POST /api/v1/chat/completions`, with an ordinary key's plaintext: the reply (deterministic per
 * seed, or a completion rule's), refused before anything is charged when the key or the account
 * cannot pay (src/domain/inference.ts), charged to every window of the key when answered. Plain
 * JSON, or Server-Sent Events with `stream: true` (src/http/chat-answer.ts), charged at the end of
 * the stream — or, cut off by the client, for what was sent.
 */
export const chatOperations = apiOperationFile({
  table: () => ({
    chatCompletions: api('POST', '/chat/completions', {
      status: 200,
      access: 'inference',
      streams: true,
      schema: {
        operationId: 'sendChatCompletionRequest',
        summary: 'Create a chat completion',
        description: 'With stream: true, Server-Sent Events: chunks, the usage on the last, then data: [DONE].',
        body: ChatCompletionRequestSchema,
        response: { 200: ChatCompletionResponseSchema, ...errorResponses([400, 401, 402, 403, 404, 429, 500]) },
      },
    }),
  }),
  handlers: ({ inference }) => ({
    chatCompletions: (call) => {
      const { messages, model, stream, max_tokens, max_completion_tokens } = call.body;
      const planned = inference.begin(keyPrincipal(call.principal), {
        model,
        messages: messages ?? [],
        maxTokens: max_tokens ?? max_completion_tokens ?? undefined,
        stream: stream === true,
      });
      const headers = { 'x-generation-id': planned.id };
      // The journal entry's charge: the key, and (a stream's once it ends) what was charged.
      const charged = { key: planned.principal.key.hash, usd: 0, byok: planned.byok };
      call.charged = charged;
      if (planned.stream) {
        const started = performance.now();
        return chatStream(
          planned,
          {
            settle: (completionTokens, how) => {
              const settled = inference.settle(planned, { completionTokens, ...how, latencyMs: 0, generationMs: Math.round(performance.now() - started) });
              charged.usd = settled.cost;
              return settled;
            },
            wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          },
          headers,
        );
      }
      // A rule's failure on a plain answer: the error itself, nothing charged.
      if (planned.failure) {
        call.charged = undefined;
        throw apiError('injected', planned.failure.code, planned.failure.message);
      }
      const settled = inference.settle(planned);
      charged.usd = settled.cost;
      return new Reply(chatCompletion(planned, settled), headers);
    },
  }),
});
