/**
 * Contract: a key's whole lifecycle as the official clients see it, on every door (issue 20):
 *
 * - the server (a real port) with `@openrouter/sdk`;
 * - the fetch handler (`createMockFetch`, no port) with `openai` given `fetch: mock.fetch`;
 * - the MSW handlers (`setupServer`) with `openai` at OpenRouter's own URL, through global fetch.
 *
 * Each: create a key `{limit: 1, limit_reset: "daily"}`; a completion rule `{cost: 0.4}`; spend
 * through chat calls until refused (0.4 + 0.4 spent, 0.2 left: the next 0.4 does not fit — 402,
 * `limit_source: "openrouter_key_limit"`); PATCH the limit to 5 (works again); the clock past
 * midnight UTC (`limit_remaining` back to the whole limit, works again); PATCH `disabled: true`
 * (401 `API key is disabled`). And a stream the client leaves after its first chunks is charged
 * less than the whole answer and more than nothing.
 *
 * What the mock chose for a stream cut off (src/domain/inference.ts `settle`, chat-answer.ts): it
 * makes each chunk only when the client reads it, and charges, when the client goes away, for the
 * completion tokens of the chunks made so far — a rule's fixed `cost` in proportion
 * (cost × tokens sent / tokens of the whole reply). A chunk or two may have been made into the
 * socket's buffers after the last one the client read, so the charge is bounded, not exact.
 */
import { OpenRouter } from '@openrouter/sdk';
import type { ChatStreamChunk } from '@openrouter/sdk/models';
import { OpenRouterError, PaymentRequiredResponseError, UnauthorizedResponseError } from '@openrouter/sdk/models/errors';
import { setupServer } from 'msw/node';
import OpenAI, { APIError, AuthenticationError } from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MockHandle } from '../../src/control/handle.js';
import { createMockFetch } from '../../src/fetch.js';
import { createMswHandlers } from '../../src/msw.js';
import { createMockServer, type MockServer } from '../../src/server.js';
import { TEST_NOW } from '../helpers/build.js';
import { rejection } from '../helpers/promises.js';

/** A refusal as the client raised it: its class, the HTTP status and the envelope the mock sent. */
interface Refusal {
  error: unknown;
  status: number;
  message: string;
  metadata?: Record<string, unknown> | undefined;
}

/** One door and the client a user meets it with. */
interface Door {
  handle: MockHandle;
  /** A management call, raw, through the same door. */
  manage(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** One plain chat completion with `key`: its usage.cost. */
  chat(key: string): Promise<number>;
  /** The refusal of one chat completion with `key` (the client's error, unpacked). */
  refused(key: string): Promise<Refusal>;
  /** Streams with `key`, leaves after `chunks` chunks with content; the content read and the generation id. */
  streamAndLeave(key: string, chunks: number): Promise<{ text: string; id: string }>;
  /** The error classes this client raises for 401 and 402 (for `toBeInstanceOf`). */
  unauthorized: abstract new (...args: never[]) => unknown;
  paymentRequired: abstract new (...args: never[]) => unknown;
}

const messages = [{ role: 'user' as const, content: 'Count to ten.' }];

/** A raw management call through any fetch. */
function manager(fetchImpl: typeof fetch, base: string, managementKey: string): Door['manage'] {
  return async (method, path, body, token = managementKey) => {
    const response = await fetchImpl(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
}

/** The official SDK against a base URL (the server door). */
function sdkDoor(handle: MockHandle, base: string, managementKey: string): Door {
  const client = (apiKey: string) => new OpenRouter({ apiKey, serverURL: base, retryConfig: { strategy: 'none' } });
  return {
    handle,
    manage: manager(fetch, base, managementKey),
    unauthorized: UnauthorizedResponseError,
    paymentRequired: PaymentRequiredResponseError,
    async chat(key) {
      const result = await client(key).chat.send({ chatRequest: { messages } });
      return (result as { usage?: { cost?: number | null } }).usage!.cost!;
    },
    async refused(key) {
      const error = await rejection(() => client(key).chat.send({ chatRequest: { messages } }));
      expect(error).toBeInstanceOf(OpenRouterError);
      const sdkError = error as OpenRouterError;
      const envelope = (JSON.parse(sdkError.body) as { error: { code: number; message: string; metadata?: Record<string, unknown> } }).error;
      expect(envelope.code).toBe(sdkError.statusCode);
      expect(sdkError.message).toBe(envelope.message);
      return { error, status: sdkError.statusCode, message: envelope.message, metadata: envelope.metadata };
    },
    async streamAndLeave(key, chunks) {
      const stream = await client(key).chat.send({ chatRequest: { messages, stream: true } });
      let text = '';
      let id = '';
      let seen = 0;
      // Leaving the loop cancels the SDK's event stream, which cancels the response body.
      for await (const chunk of stream as AsyncIterable<ChatStreamChunk>) {
        id = chunk.id;
        const content = chunk.choices[0]?.delta.content ?? '';
        text += content;
        if (content !== '' && ++seen === chunks) break;
      }
      return { text, id };
    },
  };
}

/** `openai` with a base URL and, for the fetch handler, that handler as its fetch. */
function openaiDoor(handle: MockHandle, base: string, managementKey: string, fetchImpl?: typeof fetch): Door {
  const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: base, maxRetries: 0, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  return {
    handle,
    manage: manager(fetchImpl ?? fetch, base, managementKey),
    unauthorized: AuthenticationError,
    // openai has no class of its own for 402: the base APIError, its status 402.
    paymentRequired: APIError,
    async chat(key) {
      const completion = await client(key).chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
      return (completion.usage as OpenAI.CompletionUsage & { cost: number }).cost;
    },
    async refused(key) {
      const error = await rejection(() => client(key).chat.completions.create({ model: 'openai/gpt-4o-mini', messages }));
      expect(error).toBeInstanceOf(APIError);
      const apiError = error as APIError;
      const envelope = apiError.error as { code: number; message: string; metadata?: Record<string, unknown> };
      expect(envelope.code).toBe(apiError.status);
      expect(apiError.message).toBe(`${apiError.status} ${envelope.message}`);
      return { error, status: apiError.status!, message: envelope.message, metadata: envelope.metadata };
    },
    async streamAndLeave(key, chunks) {
      const stream = await client(key).chat.completions.create({ model: 'openai/gpt-4o-mini', messages, stream: true });
      let text = '';
      let id = '';
      let seen = 0;
      // Leaving the loop aborts the request (the openai Stream's controller).
      for await (const chunk of stream) {
        id = chunk.id;
        const content = chunk.choices[0]?.delta.content ?? '';
        text += content;
        if (content !== '' && ++seen === chunks) break;
      }
      return { text, id };
    },
  };
}

/** A reply of 40 words; with a delay between chunks, so that the client leaves while most are unmade. */
const LONG_REPLY = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');

function lifecycle(name: string, open: () => Promise<Door>): void {
  describe(name, () => {
    let door: Door;
    beforeAll(async () => {
      door = await open();
    });

    const keyView = async (hash: string) => {
      const { status, body } = await door.manage('GET', `/keys/${hash}`);
      expect(status).toBe(200);
      return body.data as { usage: number; usage_daily: number; limit: number | null; limit_remaining: number | null; disabled: boolean };
    };

    it('limit 1 daily: spent until refused, raised, refilled at midnight UTC, disabled', async () => {
      await door.handle.reset();
      const created = await door.manage('POST', '/keys', { name: `lifecycle ${name}`, limit: 1, limit_reset: 'daily' });
      expect(created.status).toBe(201);
      const key = created.body.key as string;
      const hash = (created.body.data as { hash: string }).hash;
      await door.handle.completion({ match: { key: hash }, content: 'Spent.', cost: 0.4 });

      // 0.4 and 0.4 fit; 0.2 is left and the next 0.4 does not fit.
      expect(await door.chat(key)).toBe(0.4);
      expect(await door.chat(key)).toBe(0.4);
      expect((await keyView(hash)).limit_remaining).toBeCloseTo(0.2, 9);
      const tooDear = await door.refused(key);
      expect(tooDear.error).toBeInstanceOf(door.paymentRequired);
      expect(tooDear.status).toBe(402);
      expect(tooDear.message).toMatch(
        /^This request requires more credits, or fewer max_tokens\. You requested up to \d+ tokens, but can only afford \d+\. To increase, visit https:\/\/openrouter\.ai\/settings\/keys and create a key with a higher total limit$/,
      );
      expect(tooDear.metadata).toEqual({ limit_source: 'openrouter_key_limit' });
      // Nothing charged by the refusal.
      expect((await keyView(hash)).usage).toBeCloseTo(0.8, 9);

      // The limit raised: works again.
      const raised = await door.manage('PATCH', `/keys/${hash}`, { limit: 5 });
      expect(raised.status).toBe(200);
      expect((raised.body.data as { limit_remaining: number }).limit_remaining).toBeCloseTo(4.2, 9);
      expect(await door.chat(key)).toBe(0.4);
      expect((await keyView(hash)).limit_remaining).toBeCloseTo(3.8, 9);

      // Past midnight UTC (TEST_NOW is 12:00): the daily window refills; the total stays.
      await door.handle.clock.advance('12h1m');
      const refilled = await keyView(hash);
      expect(refilled.limit_remaining).toBe(5);
      expect(refilled.usage_daily).toBe(0);
      expect(refilled.usage).toBeCloseTo(1.2, 9);
      expect(await door.chat(key)).toBe(0.4);
      expect((await keyView(hash)).limit_remaining).toBeCloseTo(4.6, 9);

      // Disabled: refused, 401.
      expect((await door.manage('PATCH', `/keys/${hash}`, { disabled: true })).status).toBe(200);
      const disabled = await door.refused(key);
      expect(disabled.error).toBeInstanceOf(door.unauthorized);
      expect(disabled.status).toBe(401);
      expect(disabled.message).toBe('API key is disabled');
      expect((await keyView(hash)).usage).toBeCloseTo(1.6, 9);
    });

    it('a stream the client leaves after 3 chunks is charged more than nothing and less than the whole answer', async () => {
      await door.handle.reset();
      const created = await door.manage('POST', '/keys', { name: `stream ${name}` });
      const key = created.body.key as string;
      const hash = (created.body.data as { hash: string }).hash;
      await door.handle.completion({ match: { key: hash }, content: LONG_REPLY, cost: 1, chunk_delay_ms: 15 });
      const read = await door.streamAndLeave(key, 3);
      expect(read.text).toBe('word0 word1 word2 ');
      // The charge is made when the mock sees the client gone (a moment after the abort, on a port).
      await vi.waitFor(async () => expect((await keyView(hash)).usage).toBeGreaterThan(0), { timeout: 2_000, interval: 10 });
      const charged = (await keyView(hash)).usage;
      expect(charged).toBeLessThan(1);
      // 3 chunks read; a few more may have been made into buffers, not the 40.
      expect(charged).toBeLessThan(0.5);
      // The generation says so: cancelled, its cost what the key was charged.
      const generation = await door.manage('GET', `/generation?id=${read.id}`, undefined, key);
      expect(generation.status).toBe(200);
      expect(generation.body.data).toMatchObject({ id: read.id, streamed: true, cancelled: true });
      // Exactly what the key was charged (both rounded as usage keeps USD).
      expect((generation.body.data as { total_cost: number }).total_cost).toBe(charged);
    });
  });
}

// --- the three doors ---

let server: MockServer;
lifecycle('server + @openrouter/sdk', async () => {
  server = await createMockServer({ port: 0, now: TEST_NOW });
  return sdkDoor(server, server.url, server.managementKey);
});

lifecycle('createMockFetch + openai (fetch: mock.fetch)', async () => {
  const mock = await createMockFetch({ now: TEST_NOW });
  return openaiDoor(mock, 'https://openrouter.ai/api/v1', mock.managementKey, mock.fetch);
});

// The openai client would take its base URL from OPENAI_BASE_URL; the test names it itself.
vi.stubEnv('OPENAI_BASE_URL', undefined);
const msw = await createMswHandlers({ now: TEST_NOW });
const mswServer = setupServer(...msw.handlers);
lifecycle('MSW setupServer + openai through global fetch', async () => {
  mswServer.listen({ onUnhandledRequest: 'error' });
  return openaiDoor(msw.mock, 'https://openrouter.ai/api/v1', msw.mock.managementKey);
});

afterAll(async () => {
  mswServer.close();
  await server?.close();
});
