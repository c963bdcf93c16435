import { createOpenRouter } from '@openrouter/ai-sdk-provider';
import { OpenRouter } from '@openrouter/sdk';
import { ChatResult$inboundSchema, ChatStreamChunk$inboundSchema } from '@openrouter/sdk/models';
import { generateText, streamText } from 'ai';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ChatCompletionChunk,
  type ChatCompletionResponse,
  type FinishReason,
  ChatCompletionChunkSchema,
  ChatCompletionErrorChunkSchema,
  ChatCompletionResponseSchema,
  ChatUsageSchema,
} from '../../src/schemas/chat.js';
import { chunks, completion, usageApartChunks, errorChunk, failingChunks, GEN_ID, MODEL, PIECES, REPLY, schemaErrors, sseBody, startWire, usage, type Wire } from './wire.js';

/**
 * The chat completion's wire contract (src/schemas/chat.ts) against the official clients: samples
 * that satisfy the TypeBox schemas parse in the SDK's inbound zod models, and `openai`,
 * `@openrouter/ai-sdk-provider` (with `ai`) and the SDK's chat.send read them, plain and streamed
 * (SSE with `: OPENROUTER PROCESSING` comments and `data: [DONE]`), from a tiny local server.
 */

let wire: Wire;
beforeAll(async () => {
  wire = await startWire();
});
afterAll(() => wire.close());
beforeEach(() => {
  wire.requests.length = 0;
  wire.streamEvents = chunks;
});

const API_KEY = 'sk-or-v1-feedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedface';
const messages = [{ role: 'user' as const, content: 'Say hello' }];

describe('the samples', () => {
  it('satisfy the TypeBox schemas (Ajv, as the routes validate)', () => {
    expect(schemaErrors(ChatCompletionResponseSchema, completion)).toBeNull();
    for (const chunk of [...chunks, ...usageApartChunks]) expect(schemaErrors(ChatCompletionChunkSchema, chunk)).toBeNull();
    expect(schemaErrors(ChatCompletionErrorChunkSchema, errorChunk)).toBeNull();
  });

  it('are what the schemas say, not looser: the schemas refuse what a client would choke on', () => {
    expect(schemaErrors(ChatCompletionChunkSchema, { ...chunks[0], system_fingerprint: null })).toMatch(/system_fingerprint/);
    expect(schemaErrors(ChatUsageSchema, { ...usage, cost: null })).toMatch(/cost/);
    expect(schemaErrors(ChatUsageSchema, { ...usage, prompt_tokens_details: {} })).toMatch(/cached_tokens/);
    const { upstream_inference_prompt_cost: _, ...costDetails } = usage.cost_details;
    expect(schemaErrors(ChatUsageSchema, { ...usage, cost_details: costDetails })).toMatch(/upstream_inference_prompt_cost/);
    expect(schemaErrors(ChatCompletionResponseSchema, { ...completion, id: 'chatcmpl-1' })).toMatch(/id/);
    expect(schemaErrors(ChatCompletionErrorChunkSchema, { ...errorChunk, error: { code: '502', message: 'x' } })).toMatch(/code/);
  });

  it("parse in the SDK's inbound models (ChatResult, ChatStreamChunk)", () => {
    const result = ChatResult$inboundSchema.parse(completion);
    expect(result).toMatchObject({ id: GEN_ID, model: MODEL, object: 'chat.completion', systemFingerprint: null });
    expect(result.choices[0]).toMatchObject({ index: 0, finishReason: 'stop', message: { role: 'assistant', content: REPLY } });
    expect(result.usage).toMatchObject({
      promptTokens: 12,
      completionTokens: 5,
      totalTokens: 17,
      cost: usage.cost,
      isByok: false,
      promptTokensDetails: { cachedTokens: 0 },
      completionTokensDetails: { reasoningTokens: 0 },
      costDetails: { upstreamInferenceCost: null, upstreamInferencePromptCost: 0.0000018, upstreamInferenceCompletionsCost: 0.000003 },
    });
    for (const chunk of [...chunks, ...usageApartChunks]) expect(() => ChatStreamChunk$inboundSchema.parse(chunk)).not.toThrow();
    expect(ChatStreamChunk$inboundSchema.parse(errorChunk)).toMatchObject({ error: { code: 502 }, choices: [{ finishReason: 'error' }] });
    // The reason chunks never carry a null fingerprint:
    expect(() => ChatStreamChunk$inboundSchema.parse({ ...chunks[0], system_fingerprint: null })).toThrow();
  });

  it('frame as OpenRouter frames a stream', () => {
    const body = sseBody([chunks[0]]);
    expect(body.startsWith(': OPENROUTER PROCESSING\n\n')).toBe(true);
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});

/**
 * openai's own types, checked by `npm run typecheck`: the answer and the chunks are openai's
 * ChatCompletion and ChatCompletionChunk, but for finish_reason "error", which openai's unions do
 * not have (OpenRouter's addition: the SDK's ChatFinishReasonEnum has it), and for the answer's
 * system_fingerprint null (openai types it `string | undefined`, while the SDK requires the field,
 * nullable: a string is the one value both accept). At run time openai checks neither; a stream's
 * "error" chunk is thrown as an APIError before it is read.
 */
type WithoutError<T extends { finish_reason: FinishReason | null }> = Omit<T, 'finish_reason'> & { finish_reason: Exclude<T['finish_reason'], 'error'> };
type AsOpenAI<T extends { choices: { finish_reason: FinishReason | null }[] }> = Omit<T, 'choices'> & { choices: WithoutError<T['choices'][number]>[] };
type Fingerprinted<T> = Omit<T, 'system_fingerprint'> & { system_fingerprint: string };
const answerIsOpenAI = (answer: Fingerprinted<AsOpenAI<ChatCompletionResponse>>): OpenAI.Chat.Completions.ChatCompletion => answer;
const chunkIsOpenAI = (chunk: AsOpenAI<ChatCompletionChunk>): OpenAI.Chat.Completions.ChatCompletionChunk => chunk;
void answerIsOpenAI;
void chunkIsOpenAI;

describe('openai (npm)', () => {
  const client = () => new OpenAI({ baseURL: wire.url, apiKey: API_KEY, maxRetries: 0 });

  it('chat.completions.create reads the answer', async () => {
    const answer = await client().chat.completions.create({ model: MODEL, messages });
    expect(answer.id).toBe(GEN_ID);
    expect(answer.object).toBe('chat.completion');
    expect(answer.created).toBe(1768392000);
    expect(answer.choices[0]?.message).toMatchObject({ role: 'assistant', content: REPLY, refusal: null });
    expect(answer.choices[0]?.finish_reason).toBe('stop');
    expect(answer.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, cost: usage.cost });
    expect(wire.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('chat.completions.create with stream: true reads every chunk, the usage on the last one, past the comments', async () => {
    const stream = await client().chat.completions.create({ model: MODEL, messages, stream: true });
    const received: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) received.push(chunk);
    expect(received).toHaveLength(chunks.length);
    expect(received.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(REPLY);
    expect(received[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(received.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(received.at(-1)?.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
    expect(received.every((c) => c.object === 'chat.completion.chunk' && c.id === GEN_ID)).toBe(true);
  });

  it('reads the usage from a chunk of its own with no choices', async () => {
    wire.streamEvents = usageApartChunks;
    const stream = await client().chat.completions.create({ model: MODEL, messages, stream: true });
    const received: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) received.push(chunk);
    expect(received.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(REPLY);
    expect(received.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: 17, cost: usage.cost } });
  });

  it('a mid-stream error chunk is thrown as an APIError after the content before it', async () => {
    wire.streamEvents = failingChunks;
    const stream = await client().chat.completions.create({ model: MODEL, messages, stream: true });
    const pieces: string[] = [];
    const read = async () => {
      for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta.content ?? '');
    };
    const error = await read().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('Upstream error from the provider (mock rule)');
    expect(pieces.join('')).toBe(PIECES[0]! + PIECES[1]!);
  });
});

describe('@openrouter/ai-sdk-provider with ai', () => {
  const model = () => createOpenRouter({ baseURL: wire.url, apiKey: API_KEY }).chat(MODEL);

  it('generateText reads the text, the usage and the cost (providerMetadata.openrouter.usage.cost)', async () => {
    const result = await generateText({ model: model(), prompt: 'Say hello', maxRetries: 0 });
    expect(result.text).toBe(REPLY);
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toMatchObject({ inputTokens: 12, outputTokens: 5, totalTokens: 17 });
    expect(result.providerMetadata?.openrouter).toMatchObject({
      provider: 'Mock',
      usage: { promptTokens: 12, completionTokens: 5, totalTokens: 17, cost: usage.cost, promptTokensDetails: { cachedTokens: 0 } },
    });
    expect(result.response.id).toBe(GEN_ID);
  });

  it('streamText reads the text, the usage and the cost of the last chunk', async () => {
    const result = streamText({ model: model(), prompt: 'Say hello', maxRetries: 0 });
    let text = '';
    for await (const piece of result.textStream) text += piece;
    expect(text).toBe(REPLY);
    expect(await result.finishReason).toBe('stop');
    expect(await result.usage).toMatchObject({ inputTokens: 12, outputTokens: 5, totalTokens: 17 });
    expect((await result.providerMetadata)?.openrouter).toMatchObject({ provider: 'Mock', usage: { cost: usage.cost, totalTokens: 17 } });
  });

  it('streamText reads the usage and cost from a chunk of its own with no choices', async () => {
    wire.streamEvents = usageApartChunks;
    const result = streamText({ model: model(), prompt: 'Say hello', maxRetries: 0 });
    expect(await result.text).toBe(REPLY);
    expect(await result.finishReason).toBe('stop');
    expect(await result.usage).toMatchObject({ inputTokens: 12, outputTokens: 5, totalTokens: 17 });
    expect((await result.providerMetadata)?.openrouter).toMatchObject({ usage: { cost: usage.cost } });
  });

  it('streamText turns the mid-stream error chunk into an error part and finish reason "error"', async () => {
    wire.streamEvents = failingChunks;
    const errors: unknown[] = [];
    const result = streamText({ model: model(), prompt: 'Say hello', maxRetries: 0, onError: ({ error }) => void errors.push(error) });
    const parts: { type: string }[] = [];
    for await (const part of result.fullStream) parts.push(part);
    expect(parts.some((p) => p.type === 'error')).toBe(true);
    expect(JSON.stringify(errors)).toContain('Upstream error from the provider (mock rule)');
    expect(await result.finishReason).toBe('error');
  });
});

describe("the SDK's chat.send", () => {
  const client = () => new OpenRouter({ apiKey: API_KEY, serverURL: wire.url, retryConfig: { strategy: 'none' } });

  it('plain: the answer, every field the SDK models', async () => {
    const answer = await client().chat.send({ chatRequest: { model: MODEL, messages } });
    if (!('choices' in answer)) throw new Error('expected a ChatResult');
    expect(answer).toMatchObject({ id: GEN_ID, object: 'chat.completion', created: 1768392000, systemFingerprint: null });
    expect(answer.choices[0]).toMatchObject({ finishReason: 'stop', message: { content: REPLY } });
    expect(answer.usage).toMatchObject({ cost: usage.cost, isByok: false, costDetails: { upstreamInferenceCost: null } });
  });

  it('streaming: every chunk, past the comments, and the usage on the last', async () => {
    const stream = await client().chat.send({ chatRequest: { model: MODEL, messages, stream: true } });
    if ('choices' in stream) throw new Error('expected a stream');
    const received = [];
    for await (const chunk of stream) received.push(chunk);
    expect(received).toHaveLength(chunks.length);
    expect(received.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(REPLY);
    expect(received.at(-1)?.usage).toMatchObject({ promptTokens: 12, completionTokens: 5, totalTokens: 17, cost: usage.cost });
  });

  it('streaming: the usage on a chunk of its own with no choices', async () => {
    wire.streamEvents = usageApartChunks;
    const stream = await client().chat.send({ chatRequest: { model: MODEL, messages, stream: true } });
    if ('choices' in stream) throw new Error('expected a stream');
    const received = [];
    for await (const chunk of stream) received.push(chunk);
    expect(received.at(-1)).toMatchObject({ choices: [], usage: { totalTokens: 17, cost: usage.cost } });
  });

  it('streaming: the mid-stream error chunk arrives as a chunk with error and finish reason "error"', async () => {
    wire.streamEvents = failingChunks;
    const stream = await client().chat.send({ chatRequest: { model: MODEL, messages, stream: true } });
    if ('choices' in stream) throw new Error('expected a stream');
    const received = [];
    for await (const chunk of stream) received.push(chunk);
    expect(received).toHaveLength(3);
    expect(received.at(-1)).toMatchObject({ error: { code: 502, message: 'Upstream error from the provider (mock rule)' }, choices: [{ finishReason: 'error' }] });
  });
});
