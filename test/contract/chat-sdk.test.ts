/**
 * Contract: chat completions as the official SDK (`@openrouter/sdk`, `chat.send`) meets them, against
 * a real listening mock. The SDK parses every answer (JSON and each SSE chunk) with its zod schemas,
 * so a call that resolves proves the shape; the assertions on top prove the values. Then its error
 * classes for each refusal (401, 402, 403, 429), `credits.getCredits` and `generations.getGeneration`.
 */
import { OpenRouter } from '@openrouter/sdk';
import type { ChatResult, ChatStreamChunk } from '@openrouter/sdk/models';
import {
  ForbiddenResponseError,
  NotFoundResponseError,
  OpenRouterError,
  PaymentRequiredResponseError,
  TooManyRequestsResponseError,
  UnauthorizedResponseError,
} from '@openrouter/sdk/models/errors';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMockFetch } from '../../src/fetch.js';
import { createMockServer, type MockServer } from '../../src/server.js';
import { LOCAL_DEV_KEY, TEST_NOW } from '../helpers/build.js';
import { rejection } from '../helpers/promises.js';

let server: MockServer;

beforeAll(async () => {
  server = await createMockServer({ port: 0, now: TEST_NOW, seed: 4242 });
});
afterEach(async () => {
  await server.reset();
});
afterAll(async () => {
  await server?.close();
});

function client(apiKey: string): OpenRouter {
  return new OpenRouter({ apiKey, serverURL: server.url, retryConfig: { strategy: 'none' } });
}
const management = () => client(server.managementKey);

/** A fresh ordinary key of the start-up account, through the SDK: its plaintext and hash. */
async function newKey(extra: { limit?: number; limitReset?: 'daily' | 'weekly' | 'monthly' } = {}): Promise<{ key: string; hash: string }> {
  const created = await management().apiKeys.create({ requestBody: { name: 'chat through the SDK', ...extra } });
  return { key: created.key, hash: created.data.hash };
}

/** The start-up account's id (the management key's). */
async function accountId(): Promise<string> {
  const [first] = await server.accounts();
  return first!.id;
}

const hello = [{ role: 'user' as const, content: 'Say hello in five words.' }];

/** The OpenRouter envelope an SDK error carries in its raw body. */
function envelopeOf(error: OpenRouterError): { code: number; message: string; metadata?: Record<string, unknown> } {
  return (JSON.parse(error.body) as { error: { code: number; message: string; metadata?: Record<string, unknown> } }).error;
}

describe('chat.send', () => {
  it('plain: the answer parses as ChatResult; usage and cost are numbers; the key is charged exactly usage.cost', async () => {
    const { key, hash } = await newKey();
    const result = (await client(key).chat.send({ chatRequest: { model: 'openai/gpt-4o-mini', messages: hello } })) as ChatResult;
    expect(result.id).toMatch(/^gen-/);
    expect(result.model).toBe('openai/gpt-4o-mini');
    expect(result.object).toBe('chat.completion');
    const [choice] = result.choices;
    expect(choice!.message.role).toBe('assistant');
    expect(typeof choice!.message.content).toBe('string');
    expect((choice!.message.content as string).length).toBeGreaterThan(0);
    expect(choice!.finishReason).toBe('stop');
    const usage = result.usage!;
    expect(usage.promptTokens).toBeGreaterThan(0);
    expect(usage.completionTokens).toBeGreaterThan(0);
    expect(usage.totalTokens).toBe(usage.promptTokens + usage.completionTokens);
    expect(usage.cost).toBeGreaterThan(0);
    const { data } = await management().apiKeys.get({ hash });
    expect(data.usage).toBeCloseTo(usage.cost!, 12);
    expect(data.usageDaily).toBeCloseTo(usage.cost!, 12);
  });

  it('plain: a completion rule sets the reply, the tokens and the cost', async () => {
    const { key } = await newKey();
    await server.completion({ content: 'Rule-made reply.', prompt_tokens: 11, completion_tokens: 3, cost: 0.25 });
    const result = (await client(key).chat.send({ chatRequest: { messages: hello } })) as ChatResult;
    expect(result.choices[0]!.message.content).toBe('Rule-made reply.');
    expect(result.usage).toMatchObject({ promptTokens: 11, completionTokens: 3, totalTokens: 14, cost: 0.25 });
  });

  it('streaming: the chunks join to the reply; the last carries the usage and its cost', async () => {
    const { key, hash } = await newKey();
    await server.completion({ content: 'One two three four five six.', completion_tokens: 6, cost: 0.06 });
    const stream = await client(key).chat.send({ chatRequest: { model: 'openai/gpt-4o-mini', messages: hello, stream: true } });
    const chunks: ChatStreamChunk[] = [];
    for await (const chunk of stream as AsyncIterable<ChatStreamChunk>) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(2);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('One two three four five six.');
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const last = chunks.at(-1)!;
    expect(last.choices[0]!.finishReason).toBe('stop');
    expect(last.usage).toMatchObject({ completionTokens: 6, cost: 0.06 });
    // Only the last chunk carries usage.
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === undefined)).toBe(true);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect((await management().apiKeys.get({ hash })).data.usage).toBeCloseTo(0.06, 12);
  });
});

describe('refusals as the SDK’s error classes', () => {
  it('401 UnauthorizedResponseError "User not found." for an unknown key and for a management key', async () => {
    for (const apiKey of [`sk-or-v1-${'0'.repeat(64)}`, server.managementKey]) {
      const error = await rejection(() => client(apiKey).chat.send({ chatRequest: { messages: hello } }));
      expect(error).toBeInstanceOf(UnauthorizedResponseError);
      const unauthorized = error as UnauthorizedResponseError;
      expect(unauthorized.statusCode).toBe(401);
      expect(unauthorized.message).toBe('User not found.');
      expect(envelopeOf(unauthorized)).toMatchObject({ code: 401, message: 'User not found.' });
    }
  });

  it('402 PaymentRequiredResponseError when a rule’s cost does not fit what is left of the key’s limit (openrouter_key_limit)', async () => {
    const { key, hash } = await newKey({ limit: 1 });
    await server.completion({ cost: 2 });
    const error = await rejection(() => client(key).chat.send({ chatRequest: { messages: hello } }));
    expect(error).toBeInstanceOf(PaymentRequiredResponseError);
    const payment = error as PaymentRequiredResponseError;
    expect(payment.statusCode).toBe(402);
    expect(payment.message).toMatch(/^This request requires more credits, or fewer max_tokens\. You requested up to \d+ tokens, but can only afford \d+\. /);
    expect(envelopeOf(payment)).toMatchObject({ code: 402, metadata: { limit_source: 'openrouter_key_limit' } });
    // Refused before anything is charged; the rule is not used up by a refusal.
    expect((await management().apiKeys.get({ hash })).data.usage).toBe(0);
    expect((await server.completions()).length).toBe(1);
  });

  // With a rule's fixed `cost` the price has no per-token part: it can afford all of it or none
  // (the cost is 2, 1 is left: none). This was a bug once (it said "can only afford 16384").
  it('402 for a rule’s cost that does not fit says it can afford fewer tokens than requested (0)', async () => {
    const { key } = await newKey({ limit: 1 });
    await server.completion({ cost: 2 });
    const error = (await rejection(() => client(key).chat.send({ chatRequest: { messages: hello } }))) as PaymentRequiredResponseError;
    expect(error.statusCode).toBe(402);
    const [, requested, affordable] = /You requested up to (\d+) tokens, but can only afford (\d+)\./.exec(error.message)!;
    expect(Number(affordable)).toBeLessThan(Number(requested));
    expect(Number(affordable)).toBe(0);
  });

  it('402 PaymentRequiredResponseError "Insufficient credits…" when the account has none left (openrouter_credits)', async () => {
    const { key } = await newKey();
    await server.setCredits(await accountId(), { total_credits: 0 });
    const error = await rejection(() => client(key).chat.send({ chatRequest: { messages: hello } }));
    expect(error).toBeInstanceOf(PaymentRequiredResponseError);
    const payment = error as PaymentRequiredResponseError;
    expect(payment.statusCode).toBe(402);
    expect(payment.message).toBe('Insufficient credits. Add more using https://openrouter.ai/settings/credits');
    expect(envelopeOf(payment)).toMatchObject({ code: 402, metadata: { limit_source: 'openrouter_credits' } });
  });

  it('403 ForbiddenResponseError "Key limit exceeded (daily limit)" once a daily key is spent', async () => {
    const { key } = await newKey({ limit: 1, limitReset: 'daily' });
    await server.completion({ cost: 1, times: 1 });
    await client(key).chat.send({ chatRequest: { messages: hello } });
    const error = await rejection(() => client(key).chat.send({ chatRequest: { messages: hello } }));
    expect(error).toBeInstanceOf(ForbiddenResponseError);
    const forbidden = error as ForbiddenResponseError;
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.message).toBe('Key limit exceeded (daily limit)');
    expect(envelopeOf(forbidden)).toMatchObject({ code: 403, metadata: { limit_source: 'openrouter_key_limit' } });
  });

  it('429 TooManyRequestsResponseError for a free model past its daily count (1000 requests a day)', async () => {
    const { key } = await newKey();
    const model = 'meta-llama/llama-3.3-70b-instruct:free';
    // The 1000 allowed requests, raw (8 at a time), then the refused one through the SDK.
    const body = JSON.stringify({ model, messages: hello });
    const one = () =>
      fetch(`${server.url}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body }).then(async (response) => {
        await response.arrayBuffer();
        return response.status;
      });
    for (let sent = 0; sent < 1000; sent += 8) {
      const statuses = await Promise.all(Array.from({ length: Math.min(8, 1000 - sent) }, one));
      expect(statuses.every((status) => status === 200)).toBe(true);
    }
    const error = await rejection(() => client(key).chat.send({ chatRequest: { model, messages: hello } }));
    expect(error).toBeInstanceOf(TooManyRequestsResponseError);
    const limited = error as TooManyRequestsResponseError;
    expect(limited.statusCode).toBe(429);
    expect(limited.message).toBe('Rate limit exceeded: free-models-per-day. 1000 free model requests a day; the count resets at midnight UTC');
    expect(envelopeOf(limited).code).toBe(429);
    // A free model costs nothing; GET /key counts the requests.
    const { data } = await client(key).apiKeys.getCurrentKeyMetadata();
    expect(data.usage).toBe(0);
    const raw = (await (await fetch(`${server.url}/key`, { headers: { authorization: `Bearer ${key}` } })).json()) as { data: { free_model_daily_requests: unknown } };
    expect(raw.data.free_model_daily_requests).toEqual({ limit: 1000, remaining: 0, used: 1000 });
    // The count resets at midnight UTC on the virtual clock.
    await server.clock.advance('12h');
    await client(key).chat.send({ chatRequest: { model, messages: hello } });
    const next = (await (await fetch(`${server.url}/key`, { headers: { authorization: `Bearer ${key}` } })).json()) as { data: { free_model_daily_requests: unknown } };
    expect(next.data.free_model_daily_requests).toEqual({ limit: 1000, remaining: 999, used: 1 });
  }, 30_000);

  // Issue 20: "a 429 with X-RateLimit-* headers past the daily limit" (missing once: a bug this test found).
  // Self-contained on the fetch handler (same engine, in process: the 1000 requests take little time).
  it('the free-model 429 carries X-RateLimit-Limit, -Remaining and -Reset', async () => {
    const mock = await createMockFetch({ now: TEST_NOW });
    const created = (await (
      await mock.fetch('https://openrouter.ai/api/v1/keys', { method: 'POST', headers: { authorization: `Bearer ${mock.managementKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'free' }) })
    ).json()) as { key: string };
    const send = () =>
      mock.fetch('https://openrouter.ai/api/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${created.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'meta-llama/llama-3.3-70b-instruct:free', messages: hello }),
      });
    for (let i = 0; i < 1000; i++) await (await send()).arrayBuffer();
    const refused = await send();
    // What the mock does answer: the 429 itself (this much passes) ...
    if (refused.status !== 429) throw new Error(`setup: expected the 1001st free request to be refused, got ${refused.status}`);
    // ... with its rate-limit headers.
    expect(refused.headers.get('x-ratelimit-limit')).toBe('1000');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('x-ratelimit-reset')).not.toBeNull();
  });
});

describe('more refusals and a stream that fails', () => {
  it('401 "User not found." for a deleted key; 401 "API key has expired" past expires_at', async () => {
    const deleted = await newKey();
    await management().apiKeys.delete({ hash: deleted.hash });
    const gone = await rejection(() => client(deleted.key).chat.send({ chatRequest: { messages: hello } }));
    expect(gone).toBeInstanceOf(UnauthorizedResponseError);
    expect((gone as UnauthorizedResponseError).message).toBe('User not found.');

    const created = await management().apiKeys.create({ requestBody: { name: 'expiring', expiresAt: new Date(Date.parse(TEST_NOW) + 3_600_000) } });
    await client(created.key).chat.send({ chatRequest: { messages: hello } });
    await server.clock.advance('2h');
    const expired = await rejection(() => client(created.key).chat.send({ chatRequest: { messages: hello } }));
    expect(expired).toBeInstanceOf(UnauthorizedResponseError);
    expect((expired as UnauthorizedResponseError).statusCode).toBe(401);
    expect((expired as UnauthorizedResponseError).message).toBe('API key has expired');
  });

  it('--limit-errors documented: a spent key is a 402 PaymentRequiredResponseError, same message', async () => {
    const documented = await createMockServer({ port: 0, now: TEST_NOW, limitErrors: 'documented' });
    try {
      const sdk = (apiKey: string) => new OpenRouter({ apiKey, serverURL: documented.url, retryConfig: { strategy: 'none' } });
      const { key } = await sdk(documented.managementKey).apiKeys.create({ requestBody: { name: 'documented', limit: 1, limitReset: 'weekly' } });
      await documented.completion({ cost: 1, times: 1 });
      await sdk(key).chat.send({ chatRequest: { messages: hello } });
      const error = await rejection(() => sdk(key).chat.send({ chatRequest: { messages: hello } }));
      expect(error).toBeInstanceOf(PaymentRequiredResponseError);
      expect((error as PaymentRequiredResponseError).statusCode).toBe(402);
      expect((error as PaymentRequiredResponseError).message).toBe('Key limit exceeded (weekly limit)');
    } finally {
      await documented.close();
    }
  });

  it('a rule’s mid-stream error: the SDK yields a chunk with a top-level error and finish_reason "error"; charged for what was sent', async () => {
    const { key, hash } = await newKey();
    await server.completion({ content: 'one two three four five six seven eight', cost: 0.8, error_after_chunks: 2, error: { code: 502, message: 'Provider fell over' } });
    const stream = await client(key).chat.send({ chatRequest: { messages: hello, stream: true } });
    const chunks: ChatStreamChunk[] = [];
    for await (const chunk of stream as AsyncIterable<ChatStreamChunk>) chunks.push(chunk);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('one two ');
    const last = chunks.at(-1)!;
    expect(last.error).toMatchObject({ code: 502, message: 'Provider fell over' });
    expect(last.choices[0]!.finishReason).toBe('error');
    const cost = last.usage!.cost!;
    expect(cost).toBeGreaterThan(0);
    expect(cost).toBeLessThan(0.8);
    expect((await management().apiKeys.get({ hash })).data.usage).toBeCloseTo(cost, 12);
  });

  // A proportional charge (a rule's fixed cost for part of the reply) is reported as it is
  // charged, rounded to 1e-10 as usage keeps USD (it was once reported unrounded: a bug this found).
  it('a stream cut by a rule is charged exactly the usage.cost it reports', async () => {
    const { key, hash } = await newKey();
    await server.completion({ content: 'alpha beta gamma', completion_tokens: 3, cost: 1, error_after_chunks: 1 });
    const stream = await client(key).chat.send({ chatRequest: { messages: hello, stream: true } });
    const chunks: ChatStreamChunk[] = [];
    for await (const chunk of stream as AsyncIterable<ChatStreamChunk>) chunks.push(chunk);
    const cost = chunks.at(-1)!.usage!.cost!;
    expect(cost).toBeGreaterThan(0);
    expect(cost).toBeLessThan(1);
    expect((await management().apiKeys.get({ hash })).data.usage).toBe(cost);
  });

  it('a plain request under a mid-stream rule gets the error itself, nothing charged', async () => {
    const { key, hash } = await newKey();
    await server.completion({ error_after_chunks: 0, error: { code: 503, message: 'No capacity' } });
    const error = await rejection(() => client(key).chat.send({ chatRequest: { messages: hello } }));
    expect(error).toBeInstanceOf(OpenRouterError);
    expect((error as OpenRouterError).statusCode).toBe(503);
    expect((error as OpenRouterError).message).toBe('No capacity');
    expect((await management().apiKeys.get({ hash })).data.usage).toBe(0);
  });
});

describe('windows and credits', () => {
  it('weekly: a spent key is refused until Monday 00:00 UTC, then works again', async () => {
    const { key, hash } = await newKey({ limit: 1, limitReset: 'weekly' });
    await server.completion({ match: { key: hash }, cost: 1, times: 1 });
    await client(key).chat.send({ chatRequest: { messages: hello } });
    // TEST_NOW is a Wednesday: Sunday 23:59 is still the same week.
    await server.clock.set('2026-01-18T23:59:00.000Z');
    const error = await rejection(() => client(key).chat.send({ chatRequest: { messages: hello } }));
    expect(error).toBeInstanceOf(ForbiddenResponseError);
    expect((error as ForbiddenResponseError).message).toBe('Key limit exceeded (weekly limit)');
    await server.clock.set('2026-01-19T00:00:01.000Z');
    expect((await management().apiKeys.get({ hash })).data.limitRemaining).toBe(1);
    await client(key).chat.send({ chatRequest: { messages: hello } });
  });

  it('402 openrouter_credits when the worst case does not fit the account’s credits (not none left: too few)', async () => {
    const { key } = await newKey();
    const id = await accountId();
    const { total_usage } = await server.credits(id);
    await server.setCredits(id, { total_credits: total_usage + 0.1 });
    const error = await rejection(() => client(key).chat.send({ chatRequest: { model: 'openai/gpt-4o', messages: hello } }));
    expect(error).toBeInstanceOf(PaymentRequiredResponseError);
    const payment = error as PaymentRequiredResponseError;
    expect(payment.message).toMatch(/^This request requires more credits, or fewer max_tokens\. You requested up to 16384 tokens, but can only afford \d+\. To increase, visit https:\/\/openrouter\.ai\/settings\/credits and add more credits$/);
    expect(envelopeOf(payment).metadata).toEqual({ limit_source: 'openrouter_credits' });
    // Fewer max_tokens: it fits.
    await client(key).chat.send({ chatRequest: { model: 'openai/gpt-4o', messages: hello, maxTokens: 100 } });
  });

  it('GET /credits with an ordinary key is refused (management keys only)', async () => {
    const { key } = await newKey();
    const error = await rejection(() => client(key).credits.getCredits());
    expect(error).toBeInstanceOf(ForbiddenResponseError);
    expect((error as ForbiddenResponseError).statusCode).toBe(403);
    expect((error as ForbiddenResponseError).message).toBe('Only management keys can perform this operation');
  });
});

describe('credits and generations', () => {
  it('credits.getCredits with the management key: the account’s total_usage grows by usage.cost', async () => {
    const before = (await management().credits.getCredits()).data;
    expect(before.totalCredits).toBeGreaterThan(0);
    const { key } = await newKey();
    const result = (await client(key).chat.send({ chatRequest: { messages: hello } })) as ChatResult;
    const after = (await management().credits.getCredits()).data;
    expect(after.totalCredits).toBe(before.totalCredits);
    expect(after.totalUsage - before.totalUsage).toBeCloseTo(result.usage!.cost!, 12);
  });

  it('generations.getGeneration for a completion’s id, with the key that made it or another of the account: totalCost equals usage.cost', async () => {
    const { key } = await newKey();
    const result = (await client(key).chat.send({ chatRequest: { model: 'openai/gpt-4o', messages: hello } })) as ChatResult;
    for (const apiKey of [key, LOCAL_DEV_KEY]) {
      const { data } = await client(apiKey).generations.getGeneration({ id: result.id });
      expect(data.id).toBe(result.id);
      expect(data.model).toBe('openai/gpt-4o');
      expect(data.totalCost).toBe(result.usage!.cost);
      expect(data.tokensPrompt).toBe(result.usage!.promptTokens);
      expect(data.tokensCompletion).toBe(result.usage!.completionTokens);
      expect(data.streamed).toBe(false);
    }
  });

  it('getGeneration of an unknown id: NotFoundResponseError "Generation <id> not found"', async () => {
    const error = await rejection(() => client(LOCAL_DEV_KEY).generations.getGeneration({ id: 'gen-nope' }));
    expect(error).toBeInstanceOf(NotFoundResponseError);
    expect((error as NotFoundResponseError).statusCode).toBe(404);
    expect((error as NotFoundResponseError).message).toBe('Generation gen-nope not found');
  });
});
