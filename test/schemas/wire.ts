import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TSchema } from '@sinclair/typebox';
import type { ChatCompletionChunk, ChatCompletionErrorChunk, ChatCompletionResponse, ChatUsage } from '../../src/schemas/chat.js';
import { SSE_DONE, SSE_PROCESSING_COMMENT } from '../../src/schemas/chat.js';
import type { CreditsResponse } from '../../src/schemas/credits.js';
import type { GenerationResponse } from '../../src/schemas/generation.js';
import { createValidators } from '../../src/schemas/validators.js';

/**
 * Sample answers that satisfy the TypeBox schemas of src/schemas/{chat,credits,generation}.ts, and a
 * tiny HTTP server that answers them, so the official clients can be run against the contract alone
 * (no engine, no routes).
 */

const { body: ajv } = createValidators();

/** The Ajv errors of `value` against `schema` (the validator the routes use: no coercion), or null when valid. */
export function schemaErrors(schema: TSchema, value: unknown): string | null {
  const validate = ajv.compile(schema);
  return validate(value) ? null : ajv.errorsText(validate.errors);
}

export const GEN_ID = 'gen-1768392000-a1B2c3D4e5F6g7H8i9J0';
export const CREATED = 1768392000; // 2026-01-14T12:00:00Z
export const MODEL = 'openai/gpt-4o-mini';
export const REPLY = 'Hello from the mock!';

export const usage: ChatUsage = {
  prompt_tokens: 12,
  completion_tokens: 5,
  total_tokens: 17,
  cost: 0.0000048,
  is_byok: false,
  prompt_tokens_details: { cached_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0 },
  cost_details: { upstream_inference_cost: null, upstream_inference_prompt_cost: 0.0000018, upstream_inference_completions_cost: 0.000003 },
};

export const completion: ChatCompletionResponse = {
  id: GEN_ID,
  provider: 'Mock',
  model: MODEL,
  object: 'chat.completion',
  created: CREATED,
  system_fingerprint: null,
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: REPLY, refusal: null, reasoning: null },
      finish_reason: 'stop',
      native_finish_reason: 'stop',
      logprobs: null,
    },
  ],
  usage,
};

const chunkHead = { id: GEN_ID, provider: 'Mock', model: MODEL, object: 'chat.completion.chunk', created: CREATED } as const;

/** The pieces the reply is streamed in. */
export const PIECES = ['Hello', ' from', ' the', ' mock!'];

export const chunks: ChatCompletionChunk[] = [
  ...PIECES.map((content, i) => ({
    ...chunkHead,
    choices: [{ index: 0, delta: i === 0 ? { role: 'assistant' as const, content } : { content }, finish_reason: null, native_finish_reason: null }],
  })),
  { ...chunkHead, choices: [{ index: 0, delta: { content: '' }, finish_reason: 'stop', native_finish_reason: 'stop' }], usage },
];

export const errorChunk: ChatCompletionErrorChunk = {
  ...chunkHead,
  error: { code: 502, message: 'Upstream error from the provider (mock rule)' },
  choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error', native_finish_reason: 'error' }],
};

/**
 * The usage on a chunk of its own after the finish, with no choices (the schema allows either
 * layout; the clients read both).
 */
export const usageApartChunks: ChatCompletionChunk[] = [
  ...chunks.slice(0, -1),
  { ...chunkHead, choices: [{ index: 0, delta: { content: '' }, finish_reason: 'stop', native_finish_reason: 'stop' }] },
  { ...chunkHead, choices: [], usage },
];

/** Two content chunks, then the error chunk: a stream that failed after its 200. */
export const failingChunks: unknown[] = [chunks[0], chunks[1], errorChunk];

export const credits: CreditsResponse = { data: { total_credits: 100, total_usage: 12.5 } };

export const generation: GenerationResponse = {
  data: {
    id: GEN_ID,
    upstream_id: null,
    total_cost: usage.cost,
    usage: usage.cost,
    cache_discount: null,
    upstream_inference_cost: null,
    created_at: '2026-01-14T12:00:00.000Z',
    model: MODEL,
    app_id: null,
    streamed: false,
    cancelled: false,
    provider_name: 'Mock',
    latency: 40,
    moderation_latency: null,
    generation_time: 120,
    finish_reason: 'stop',
    native_finish_reason: 'stop',
    tokens_prompt: 12,
    tokens_completion: 5,
    native_tokens_prompt: 12,
    native_tokens_completion: 5,
    native_tokens_completion_images: null,
    native_tokens_reasoning: 0,
    native_tokens_cached: 0,
    num_media_prompt: null,
    num_input_audio_prompt: null,
    num_media_completion: null,
    num_search_results: null,
    num_fetches: null,
    origin: '',
    is_byok: false,
    api_type: 'completions',
    data_region: 'global',
    external_user: null,
    http_referer: null,
    preset_id: null,
    provider_responses: null,
    router: null,
    service_tier: null,
    user_agent: null,
    web_search_engine: null,
    workspace_id: '0df9e665-d932-5740-b2c7-b52af166bc11',
  },
};

/** An SSE body as OpenRouter frames it: processing comments first and between events, `data: [DONE]` last. */
export function sseBody(events: unknown[]): string {
  const lines = [`${SSE_PROCESSING_COMMENT}\n\n`, `${SSE_PROCESSING_COMMENT}\n\n`];
  events.forEach((event, i) => {
    lines.push(`data: ${JSON.stringify(event)}\n\n`);
    if (i === 0) lines.push(`${SSE_PROCESSING_COMMENT}\n\n`);
  });
  lines.push(`${SSE_DONE}\n\n`);
  return lines.join('');
}

export interface Captured {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface Wire {
  /** The API base, e.g. http://127.0.0.1:PORT/api/v1. */
  url: string;
  requests: Captured[];
  /** What the next streamed answers are made of (default: `chunks`). */
  streamEvents: unknown[];
  close(): Promise<void>;
}

/**
 * A server that answers the samples: POST /api/v1/chat/completions (JSON, or SSE when the body says
 * `stream: true`), GET /api/v1/credits, GET /api/v1/generation. It records every request.
 */
export async function startWire(): Promise<Wire> {
  const requests: Captured[] = [];
  const wire = { url: '', requests, streamEvents: chunks as unknown[] } as Wire;
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8');
      const body: unknown = text === '' ? undefined : JSON.parse(text);
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '').split('?')[0];
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-generation-id': GEN_ID });
        res.end(JSON.stringify(value));
      };
      if (req.method === 'POST' && path === '/api/v1/chat/completions') {
        if ((body as { stream?: unknown } | undefined)?.stream === true) {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-generation-id': GEN_ID });
          res.end(sseBody(wire.streamEvents));
        } else json(200, completion);
      } else if (req.method === 'GET' && path === '/api/v1/credits') json(200, credits);
      else if (req.method === 'GET' && path === '/api/v1/generation') json(200, generation);
      else json(404, { error: { code: 404, message: 'Not Found' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  wire.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  wire.close = () =>
    new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections(); // the clients keep connections alive
    });
  return wire;
}
