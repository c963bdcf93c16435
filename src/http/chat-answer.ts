import type { PlannedCompletion, Settled } from '../domain/inference.js';
import { countTextTokens } from '../domain/tokens.js';
import type { ChatCompletionChunk, ChatCompletionErrorChunk, ChatCompletionResponse, ChatUsage } from '../schemas/chat.js';
import { SSE_DONE, SSE_PROCESSING_COMMENT } from '../schemas/chat.js';
import { SSE_HEADERS, StreamedAnswer } from './streamed.js';

/**
 * A planned chat completion as the wire carries it: one JSON answer, or a stream of Server-Sent
 * Events — `: OPENROUTER PROCESSING` first, then `data: <chunk>` events (the reply a word at a
 * time, the role on the first), the last with `finish_reason` and `usage`, then `data: [DONE]`.
 * A rule's mid-stream failure is one chunk with a top-level `error` and `finish_reason: "error"`.
 * Objects are written in their schemas' field order (the server's serializer writes the plain
 * answer; the in-process doors write `JSON.stringify` of it).
 */

/** The most chunks one write carries when no delay is set between them. */
const BATCH = 16;

/** Every answer says which model a request got, the mock's fingerprint: a string (the SDK refuses null on chunks). */
const SYSTEM_FINGERPRINT = 'fp_openrouter_keys_mock';

export function usageOf(planned: PlannedCompletion, settled: Settled): ChatUsage {
  const { promptCost } = planned;
  return {
    prompt_tokens: planned.promptTokens,
    completion_tokens: settled.completionTokens,
    total_tokens: planned.promptTokens + settled.completionTokens,
    cost: settled.cost,
    is_byok: planned.byok,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
    cost_details: {
      upstream_inference_cost: planned.byok ? settled.cost : null,
      upstream_inference_prompt_cost: Math.min(promptCost, settled.cost),
      upstream_inference_completions_cost: Math.max(0, settled.cost - Math.min(promptCost, settled.cost)),
    },
  };
}

/**
 * What every chunk of a stream starts with, in the chunk schemas' order, as JSON without its
 * closing brace: made once a stream, each chunk's own fields written after it.
 */
const chunkHeadJson = (planned: PlannedCompletion): string =>
  JSON.stringify({ id: planned.id, provider: planned.provider, model: planned.model.id, created: planned.created, object: 'chat.completion.chunk', system_fingerprint: SYSTEM_FINGERPRINT }).slice(0, -1);

/**
 * The non-streaming answer of a settled completion. One literal, no spread of a shared head: a
 * spread object's later fields are defined one at a time by the runtime (V8's DefineNamedOwnIC,
 * missing on every request: ~20,000 instructions a completion), and its map is not the same from
 * one answer to the next, which made every read of the server's serializer megamorphic.
 */
export function chatCompletion(planned: PlannedCompletion, settled: Settled): ChatCompletionResponse {
  const finish = settled.completionTokens < planned.completionTokens ? 'length' : 'stop';
  return {
    id: planned.id,
    provider: planned.provider,
    model: planned.model.id,
    created: planned.created,
    object: 'chat.completion',
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: planned.text, refusal: null, reasoning: null },
        finish_reason: finish,
        native_finish_reason: finish,
        logprobs: null,
      },
    ],
    usage: usageOf(planned, settled),
  };
}

/** The reply's pieces, a word (and the space after it) each; one empty piece for an empty reply. */
export function pieces(text: string): string[] {
  const words = text.match(/\S+\s*/g) ?? [];
  return words.length === 0 ? [''] : words;
}

/** The fields of a chunk written by its head. */
type ChunkHead = Pick<ChatCompletionChunk, 'id' | 'provider' | 'model' | 'created' | 'object' | 'system_fingerprint'>;

export interface StreamHooks {
  /** Settles the completion for the completion tokens sent (once). */
  settle(completionTokens: number, how: { cancelled: boolean; finishReason: string }): Settled;
  /** Waits between chunks (a rule's delay). */
  wait(ms: number): Promise<void>;
}

/**
 * The streamed answer of a planned completion. Chunks are made as the client reads them (the
 * stream's pull: back-pressure reaches the generator; without a delay between chunks, up to 16
 * go out as one write); the completion is settled when the last chunk is made, or — cut off by
 * the client — for what was sent.
 */
export function chatStream(planned: PlannedCompletion, hooks: StreamHooks, headers: Record<string, string>): StreamedAnswer {
  const encoder = new TextEncoder();
  // Every event is `data: <chunk's JSON>`; the head is the same for all of a stream's chunks, so
  // its JSON is made once and each chunk writes only what follows it (the bytes JSON.stringify
  // of the whole chunk would give: the same fields in the same order).
  const head = `data: ${chunkHeadJson(planned)}`;
  const event = (rest: Record<string, unknown>) => `${head},${JSON.stringify(rest).slice(1)}\n\n`;
  const parts = pieces(planned.text);
  let next = 0;
  let sent = '';
  let settled = false;
  let done = false;
  const settleOnce = (how: { cancelled: boolean; finishReason: string }): Settled | undefined => {
    if (settled) return undefined;
    settled = true;
    return hooks.settle(Math.min(planned.completionTokens, countTextTokens(sent)), how);
  };
  /** A content chunk's event: the head, then its choice (the role on the first). */
  const contentEvent = (content: string, first: boolean): string =>
    `${head},"choices":[{"index":0,"delta":{${first ? '"role":"assistant",' : ''}"content":${JSON.stringify(content)}},"finish_reason":null,"native_finish_reason":null}]}\n\n`;
  /** The next event's text (a content chunk, the last chunk and [DONE], or the error chunk and [DONE]). */
  const nextEvent = (): string => {
    const failure = planned.failure;
    if (failure && next >= failure.afterChunks) {
      done = true;
      const result = settleOnce({ cancelled: false, finishReason: 'error' })!;
      const error: Omit<ChatCompletionErrorChunk, keyof ChunkHead> = {
        error: { code: failure.code, message: failure.message },
        choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error', native_finish_reason: null }],
        usage: usageOf(planned, result),
      };
      return `${event(error)}${SSE_DONE}\n\n`;
    }
    if (next < parts.length) {
      const content = parts[next]!;
      sent += content;
      return contentEvent(content, next++ === 0);
    }
    done = true;
    const result = settleOnce({ cancelled: false, finishReason: 'stop' })!;
    const last: Omit<ChatCompletionChunk, keyof ChunkHead> = {
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'stop', native_finish_reason: 'stop' }],
      usage: usageOf(planned, result),
    };
    return `${event(last)}${SSE_DONE}\n\n`;
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(`${SSE_PROCESSING_COMMENT}\n\n`));
      },
      async pull(controller) {
        if (done) return;
        if (next > 0 && planned.chunkDelayMs > 0) await hooks.wait(planned.chunkDelayMs);
        if (settled) return;
        // Without a delay between chunks, the events of up to BATCH chunks go out as one write:
        // a write is most of a chunk's cost. With a delay, one chunk at a time.
        let text = '';
        const batch = planned.chunkDelayMs > 0 ? 1 : BATCH;
        for (let made = 0; made < batch && !done; made++) text += nextEvent();
        controller.enqueue(encoder.encode(text));
        if (done) controller.close();
      },
      cancel() {
        settleOnce({ cancelled: true, finishReason: 'cancelled' });
      },
    },
    // No chunk is made before the client asks for it.
    { highWaterMark: 0 },
  );
  return new StreamedAnswer(stream, { ...SSE_HEADERS, ...headers }, () => {
    settleOnce({ cancelled: true, finishReason: 'cancelled' });
  });
}
