/**
 * Contract: the `openai` npm client, unchanged, with `baseURL` set to a real listening mock — what
 * an app that talks to OpenRouter through the OpenAI SDK does. `chat.completions.create` plain and
 * streaming: the text, the usage (OpenRouter's `cost` rides along as an extra field the client
 * passes through), and the key's usage moving by exactly `usage.cost` (GET /api/v1/keys/:hash).
 */
import OpenAI, { APIError, AuthenticationError } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMockServer, type MockServer } from '../../src/server.js';
import { TEST_NOW } from '../helpers/build.js';
import { rejection } from '../helpers/promises.js';

let server: MockServer;

beforeAll(async () => {
  server = await createMockServer({ port: 0, now: TEST_NOW, seed: 99 });
});
afterEach(async () => {
  await server.reset();
});
afterAll(async () => {
  await server?.close();
});

/** OpenRouter's usage: the OpenAI shape plus `cost` (and `is_byok`), which the client keeps as given. */
type RouterUsage = OpenAI.CompletionUsage & { cost: number; is_byok: boolean };

const openai = (apiKey: string) => new OpenAI({ baseURL: server.url, apiKey, maxRetries: 0 });

async function management(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.managementKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.ok).toBe(true);
  return (await response.json()) as Record<string, unknown>;
}

async function newKey(extra: Record<string, unknown> = {}): Promise<{ key: string; hash: string }> {
  const created = (await management('POST', '/keys', { name: 'openai client', ...extra })) as { key: string; data: { hash: string } };
  return { key: created.key, hash: created.data.hash };
}

interface KeyUsage {
  usage: number;
  usage_daily: number;
  usage_weekly: number;
  usage_monthly: number;
  byok_usage: number;
  limit_remaining: number | null;
}
async function usageOf(hash: string): Promise<KeyUsage> {
  return (await management('GET', `/keys/${hash}`)).data as KeyUsage;
}

const messages: OpenAI.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Name three colours.' },
];

describe('chat.completions.create through the openai client', () => {
  it('plain: text, usage with cost; the key is charged exactly usage.cost in every window', async () => {
    const { key, hash } = await newKey();
    const completion = await openai(key).chat.completions.create({ model: 'anthropic/claude-3.5-haiku', messages });
    expect(completion.id).toMatch(/^gen-/);
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('anthropic/claude-3.5-haiku');
    const text = completion.choices[0]!.message.content!;
    expect(text.length).toBeGreaterThan(0);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    const usage = completion.usage as RouterUsage;
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.cost).toBeGreaterThan(0);
    expect(usage.is_byok).toBe(false);
    const after = await usageOf(hash);
    for (const window of ['usage', 'usage_daily', 'usage_weekly', 'usage_monthly'] as const) expect(after[window]).toBeCloseTo(usage.cost, 12);
  });

  it('plain: the same request on the same seed gets the same reply (deterministic text)', async () => {
    const { key } = await newKey();
    const first = await openai(key).chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
    const second = await openai(key).chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
    expect(second.choices[0]!.message.content).toBe(first.choices[0]!.message.content);
    expect(second.usage).toEqual(first.usage);
  });

  it('plain: the X-Generation-Id header names the answer (withResponse)', async () => {
    const { key } = await newKey();
    const { data, response } = await openai(key).chat.completions.create({ model: 'openai/gpt-4o-mini', messages }).withResponse();
    expect(response.headers.get('x-generation-id')).toBe(data.id);
  });

  it('stream: true — the deltas join to the reply, usage (with cost) on the last chunk; charged exactly that', async () => {
    const { key, hash } = await newKey();
    await server.completion({ content: 'Red, green and blue.' });
    const stream = await openai(key).chat.completions.create({ model: 'openai/gpt-4o', messages, stream: true });
    let text = '';
    let usage: RouterUsage | undefined;
    let finish: string | null = null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage as RouterUsage;
    }
    expect(text).toBe('Red, green and blue.');
    expect(chunks).toBeGreaterThan(2);
    expect(finish).toBe('stop');
    expect(usage).toBeDefined();
    expect(usage!.completion_tokens).toBeGreaterThan(0);
    expect(usage!.cost).toBeGreaterThan(0);
    expect((await usageOf(hash)).usage).toBeCloseTo(usage!.cost, 12);
  });

  it('stream: the plain and streamed answers to one rule cost the same', async () => {
    const { key } = await newKey();
    await server.completion({ content: 'Same answer twice.', times: 2 });
    const plain = await openai(key).chat.completions.create({ model: 'openai/gpt-4o', messages });
    let streamed: RouterUsage | undefined;
    for await (const chunk of await openai(key).chat.completions.create({ model: 'openai/gpt-4o', messages, stream: true })) {
      if (chunk.usage) streamed = chunk.usage as RouterUsage;
    }
    expect(streamed).toEqual(plain.usage);
  });

  it('refusals reach the client as its APIError classes with the mock’s status and message', async () => {
    const unknown = await rejection(() => openai(`sk-or-v1-${'1'.repeat(64)}`).chat.completions.create({ model: 'openai/gpt-4o', messages }));
    expect(unknown).toBeInstanceOf(AuthenticationError);
    expect((unknown as APIError).status).toBe(401);
    expect((unknown as APIError).message).toBe('401 User not found.');

    const { key } = await newKey();
    await server.setCredits((await server.accounts())[0]!.id, { total_credits: 0 });
    const broke = await rejection(() => openai(key).chat.completions.create({ model: 'openai/gpt-4o', messages }));
    expect(broke).toBeInstanceOf(APIError);
    expect((broke as APIError).status).toBe(402);
    expect((broke as APIError).message).toBe('402 Insufficient credits. Add more using https://openrouter.ai/settings/credits');
  });

  it('priced at its worst case: without max_tokens gpt-4o (16384 × $0.00001) does not fit 0.1 left — 402; with max_tokens 200 it does', async () => {
    const { key, hash } = await newKey({ limit: 0.1 });
    const refused = await rejection(() => openai(key).chat.completions.create({ model: 'openai/gpt-4o', messages }));
    expect(refused).toBeInstanceOf(APIError);
    const error = refused as APIError;
    expect(error.status).toBe(402);
    const [, requested, affordable] = /You requested up to (\d+) tokens, but can only afford (\d+)\./.exec(error.message)!;
    expect(Number(requested)).toBe(16384);
    expect(Number(affordable)).toBeGreaterThan(9_000);
    expect(Number(affordable)).toBeLessThan(10_000);
    expect((error.error as { metadata?: unknown }).metadata).toEqual({ limit_source: 'openrouter_key_limit' });

    const fits = await openai(key).chat.completions.create({ model: 'openai/gpt-4o', messages, max_tokens: 200 });
    const cost = (fits.usage as RouterUsage).cost;
    expect(cost).toBeGreaterThan(0);
    // limit_remaining is rounded to 6 decimal places (README).
    expect(Math.abs((await usageOf(hash)).limit_remaining! - (0.1 - cost))).toBeLessThanOrEqual(5e-7 + 1e-12);
  });

  it('a BYOK model (anthropic/claude-3.5-sonnet in the catalogue): is_byok, charged to byok_usage, not to usage, the limit or the credits', async () => {
    const { key, hash } = await newKey({ limit: 1 });
    const before = (await management('GET', '/credits')).data as { total_usage: number };
    const completion = await openai(key).chat.completions.create({ model: 'anthropic/claude-3.5-sonnet', messages });
    const usage = completion.usage as RouterUsage;
    expect(usage.is_byok).toBe(true);
    expect(usage.cost).toBeGreaterThan(0);
    const after = await usageOf(hash);
    expect(after.usage).toBe(0);
    expect(after.byok_usage).toBeCloseTo(usage.cost, 12);
    expect(after.limit_remaining).toBe(1);
    expect(((await management('GET', '/credits')).data as { total_usage: number }).total_usage).toBe(before.total_usage);
  });
});
