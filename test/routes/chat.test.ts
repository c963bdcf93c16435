/**
 * The inference surface's rules, on every door: what a chat completion costs and where it is
 * charged, every refusal (checked before anything is charged, and changing nothing), the windows
 * resetting on the virtual clock, BYOK, free models, streams (framing, charge at the end, a
 * mid-stream error) and completion rules.
 */
import { describe, expect, it } from 'vitest';
import { embeddedCatalogue } from '../../src/model-catalogue.js';
import { api, buildTestDoor, ctl, DOORS, errorOf, MANAGEMENT_KEY, type TestDoor } from '../helpers/build.js';

const USER = [{ role: 'user', content: 'Hello there, how are you?' }];

async function keyOf(app: TestDoor, body: Record<string, unknown> = { name: 'customer' }) {
  const res = await api(app, 'POST', '/keys', body);
  expect(res.statusCode).toBe(201);
  return res.json() as { data: { hash: string }; key: string };
}

const chat = (app: TestDoor, key: string, body: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/api/v1/chat/completions', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });

const keyView = async (app: TestDoor, hash: string) => (await api(app, 'GET', `/keys/${hash}`)).json().data;
const credits = async (app: TestDoor) => (await api(app, 'GET', '/credits')).json().data as { total_credits: number; total_usage: number };
/** Everything a refusal must leave as it was. */
const snapshot = async (app: TestDoor) => JSON.stringify([(await ctl(app, 'GET', '/state')).body, await credits(app), (await ctl(app, 'GET', '/completions')).body]);

describe.each(DOORS)('chat completions (%s door)', (door) => {
  it('an answer is charged exactly its usage.cost, prompt × price + completion × price, to every window and the account', async () => {
    const app = buildTestDoor(door);
    const { data, key } = await keyOf(app);
    const before = await credits(app);
    const res = await chat(app, key, { messages: USER });
    expect(res.statusCode).toBe(200);
    const answer = res.json();
    expect(res.headers['x-generation-id']).toBe(answer.id);
    expect(answer).toMatchObject({ object: 'chat.completion', model: 'openai/gpt-4o-mini', provider: 'OpenAI' });
    const { prompt_tokens, completion_tokens, cost } = answer.usage;
    const model = embeddedCatalogue().find('openai/gpt-4o-mini')!;
    expect(cost).toBe(model.cost(prompt_tokens, completion_tokens));
    expect(cost).toBeCloseTo(prompt_tokens * Number(model.model.pricing.prompt) + completion_tokens * Number(model.model.pricing.completion), 15);
    const after = await keyView(app, data.hash);
    expect([after.usage, after.usage_daily, after.usage_weekly, after.usage_monthly]).toEqual([cost, cost, cost, cost]);
    expect(after.byok_usage).toBe(0);
    expect((await credits(app)).total_usage).toBeCloseTo(before.total_usage + cost, 12);
    // The generation says the same.
    const generation = (await api(app, 'GET', `/generation?id=${answer.id}`, undefined, key)).json().data;
    expect(generation).toMatchObject({ id: answer.id, total_cost: cost, tokens_prompt: prompt_tokens, tokens_completion: completion_tokens, streamed: false });
    expect((await api(app, 'GET', '/generation?id=gen-1-nothing')).statusCode).toBe(404);
    expect(errorOf(await api(app, 'GET', '/generation?id=gen-1-nothing')).message).toBe('Generation gen-1-nothing not found');
  });

  it('the journal says which key was charged and how much; a refusal was charged nothing', async () => {
    const app = buildTestDoor(door);
    const { data, key } = await keyOf(app, { name: 'journalled', limit: 2 });
    await app.handle.completion({ cost: 0.75, times: 3 });
    const plain = (await chat(app, key, { messages: USER })).json();
    await chat(app, key, { stream: true, messages: USER });
    await chat(app, key, { messages: USER });
    const entries = await app.handle.requests({ path: '/api/v1/chat/completions' });
    // Newest first: $0.50 left does not pay for the third (402), the stream, the plain answer.
    expect(entries.map((entry) => [entry.status, entry.charged])).toEqual([
      [402, undefined],
      [200, { key: data.hash, usd: 0.75, byok: false }],
      [200, { key: data.hash, usd: 0.75, byok: false }],
    ]);
    expect(plain.usage.cost).toBe(0.75);
  });

  it('the reply is the same for the same seed and prompt, and another for another seed', async () => {
    const text = async (seed: number) => {
      const app = buildTestDoor(door, { seed });
      const { key } = await keyOf(app);
      return (await chat(app, key, { messages: USER })).json().choices[0].message.content as string;
    };
    expect(await text(7)).toBe(await text(7));
    expect(await text(7)).not.toBe(await text(8));
  });

  it.each([
    ['no credential', 401, 'Missing Authentication header', undefined],
    ['an unknown key', 401, 'User not found.', `sk-or-v1-${'0'.repeat(64)}`],
    ['a management key', 401, 'User not found.', MANAGEMENT_KEY],
  ])('refuses %s: %i %s, and changes nothing', async (_name, status, message, key) => {
    const app = buildTestDoor(door);
    const before = await snapshot(app);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/chat/completions',
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json' },
      payload: JSON.stringify({ messages: USER }),
    });
    expect([res.statusCode, errorOf(res).message]).toEqual([status, message]);
    expect(await snapshot(app)).toBe(before);
  });

  it('refuses a deleted, a disabled and an expired key; the bad input of a good key is a 400', async () => {
    const app = buildTestDoor(door);
    const gone = await keyOf(app);
    await api(app, 'DELETE', `/keys/${gone.data.hash}`);
    expect(errorOf(await chat(app, gone.key, { messages: USER }))).toEqual({ code: 401, message: 'User not found.' });
    const off = await keyOf(app);
    await api(app, 'PATCH', `/keys/${off.data.hash}`, { disabled: true });
    expect(errorOf(await chat(app, off.key, { messages: USER }))).toEqual({ code: 401, message: 'API key is disabled' });
    const soon = await keyOf(app, { name: 'soon', expires_at: '2026-01-15T00:00:00Z' });
    await app.handle.clock.advance('1d');
    expect(errorOf(await chat(app, soon.key, { messages: USER }))).toEqual({ code: 401, message: 'API key has expired' });
    const good = await keyOf(app);
    expect(errorOf(await chat(app, good.key, {}))).toEqual({ code: 400, message: 'Input required: specify "prompt" or "messages"' });
    expect(errorOf(await chat(app, good.key, { model: 'no/such', messages: USER })).message).toBe('no/such is not a valid model ID');
    expect((await chat(app, good.key, { messages: 'hi' })).statusCode).toBe(400);
    expect((await keyView(app, good.data.hash)).usage).toBe(0);
  });

  it('a spent daily key is 403 "Key limit exceeded (daily limit)" until midnight UTC, then works again', async () => {
    const app = buildTestDoor(door);
    const { data, key } = await keyOf(app, { name: 'daily', limit: 1, limit_reset: 'daily' });
    await app.handle.completion({ cost: 1, times: 1 });
    expect((await chat(app, key, { messages: USER })).statusCode).toBe(200);
    expect((await keyView(app, data.hash)).limit_remaining).toBe(0);
    const before = await snapshot(app);
    const refused = await chat(app, key, { messages: USER });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ error: { code: 403, message: 'Key limit exceeded (daily limit)', metadata: { limit_source: 'openrouter_key_limit' } } });
    expect(await snapshot(app)).toBe(before);
    // Midnight UTC on the virtual clock: the daily window starts from zero.
    await app.handle.clock.set('2026-01-15T00:00:01Z');
    expect((await keyView(app, data.hash)).limit_remaining).toBe(1);
    expect((await chat(app, key, { messages: USER })).statusCode).toBe(200);
  });

  it('the documented variant answers a spent key with 402, same words', async () => {
    const app = buildTestDoor(door, { limitErrors: 'documented' });
    const { key } = await keyOf(app, { name: 'total', limit: 0 });
    const res = await chat(app, key, { messages: USER });
    expect([res.statusCode, errorOf(res).message]).toEqual([402, 'Key limit exceeded (total limit)']);
  });

  it('a request whose most expensive answer does not fit what is left: 402 with the tokens it can afford; nothing charged', async () => {
    const app = buildTestDoor(door);
    const { data, key } = await keyOf(app, { name: 'small', limit: 0.001 });
    const before = await snapshot(app);
    const res = await chat(app, key, { max_tokens: 1_000_000, messages: USER });
    expect(res.statusCode).toBe(402);
    const { error } = res.json();
    expect(error.metadata).toEqual({ limit_source: 'openrouter_key_limit' });
    expect(error.message).toMatch(/^This request requires more credits, or fewer max_tokens\. You requested up to 1000000 tokens, but can only afford \d+\./);
    expect(await snapshot(app)).toBe(before);
    // What it says it can afford, it can.
    const affordable = Number(/can only afford (\d+)/.exec(error.message)![1]);
    expect((await chat(app, key, { max_tokens: affordable, messages: USER })).statusCode).toBe(200);
    expect((await keyView(app, data.hash)).usage).toBeLessThanOrEqual(0.001);
  });

  it('an account without credits: 402 "Insufficient credits" (limit_source openrouter_credits) until credits are set', async () => {
    const app = buildTestDoor(door);
    const { key } = await keyOf(app);
    const account = (await ctl(app, 'GET', '/accounts')).json().data[0].id as string;
    await app.handle.setCredits(account, { total_credits: 0 });
    const res = await chat(app, key, { messages: USER });
    expect(res.json()).toEqual({
      error: { code: 402, message: 'Insufficient credits. Add more using https://openrouter.ai/settings/credits', metadata: { limit_source: 'openrouter_credits' } },
    });
    expect((await ctl(app, 'POST', `/accounts/${account}/credits`, { total_credits: 10 })).json().data).toEqual({ total_credits: 10, total_usage: 0 });
    expect((await chat(app, key, { messages: USER })).statusCode).toBe(200);
  });

  it('BYOK goes to byok_usage*, not the account, and counts toward the limit only with include_byok_in_limit', async () => {
    const app = buildTestDoor(door);
    const apart = await keyOf(app, { name: 'apart', limit: 1 });
    const counted = await keyOf(app, { name: 'counted', limit: 1, include_byok_in_limit: true });
    const before = await credits(app);
    await app.handle.completion({ byok: true, cost: 1, times: 2 });
    expect((await chat(app, apart.key, { messages: USER })).json().usage).toMatchObject({ is_byok: true, cost: 1 });
    expect((await chat(app, counted.key, { messages: USER })).statusCode).toBe(200);
    expect(await keyView(app, apart.data.hash)).toMatchObject({ usage: 0, byok_usage: 1, byok_usage_daily: 1, limit_remaining: 1 });
    expect((await keyView(app, counted.data.hash)).limit_remaining).toBe(0);
    expect(await credits(app)).toEqual(before);
    // The model marked BYOK in the catalogue is billed so without a rule.
    expect((await chat(app, apart.key, { model: 'anthropic/claude-3.5-sonnet', messages: USER })).json().usage.is_byok).toBe(true);
    expect((await chat(app, counted.key, { messages: USER })).statusCode).toBe(403);
  });

  it('a :free model costs nothing and counts free_model_daily_requests on GET /key', async () => {
    const app = buildTestDoor(door);
    const { data, key } = await keyOf(app, { name: 'free', limit: 0 });
    const res = await chat(app, key, { model: 'meta-llama/llama-3.3-70b-instruct:free', messages: USER });
    expect(res.json().usage.cost).toBe(0);
    expect((await keyView(app, data.hash)).usage).toBe(0);
    expect((await api(app, 'GET', '/key', undefined, key)).json().data.free_model_daily_requests).toEqual({ limit: 1000, remaining: 999, used: 1 });
  });

  it('streams: a processing comment, a chunk a word, the usage on the last, [DONE]; charged at the end', async () => {
    const app = buildTestDoor(door);
    const { data, key } = await keyOf(app);
    await app.handle.completion({ content: 'One two three four.', cost: 0.5, times: 1 });
    const res = await chat(app, key, { stream: true, messages: USER });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const events = res.body.split('\n\n').filter((event) => event !== '');
    expect(events[0]).toBe(': OPENROUTER PROCESSING');
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(1, -1).map((event) => JSON.parse(event.slice('data: '.length)));
    expect(chunks.map((c) => c.choices[0].delta.content).join('')).toBe('One two three four.');
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.at(-1)).toMatchObject({ id: res.headers['x-generation-id'], choices: [{ finish_reason: 'stop' }], usage: { cost: 0.5, completion_tokens: 5 } });
    expect((await keyView(app, data.hash)).usage).toBe(0.5);
    expect((await api(app, 'GET', `/generation?id=${chunks[0].id}`)).json().data).toMatchObject({ streamed: true, total_cost: 0.5, cancelled: false });
  });

  it("a rule's mid-stream error: one chunk with a top-level error and finish_reason error, charged for what was sent", async () => {
    const app = buildTestDoor(door);
    const { data, key } = await keyOf(app);
    await app.handle.completion({ content: 'aaa bbb ccc dddd', cost: 0.4, error_after_chunks: 2, error: { code: 502, message: 'Provider fell over' }, times: 2 });
    const events = (await chat(app, key, { stream: true, messages: USER })).body.split('\n\n').filter(Boolean);
    const last = JSON.parse(events.at(-2)!.slice('data: '.length));
    expect(last).toMatchObject({ error: { code: 502, message: 'Provider fell over' }, choices: [{ finish_reason: 'error' }] });
    expect(events.slice(1, -2)).toHaveLength(2);
    // 2 of the 4 tokens sent ("aaa bbb ", 8 characters): half the rule's cost.
    expect((await keyView(app, data.hash)).usage).toBeCloseTo(0.2, 10);
    // A plain answer with such a rule is the error itself, nothing charged.
    const plain = await chat(app, key, { messages: USER });
    expect(errorOf(plain)).toEqual({ code: 502, message: 'Provider fell over' });
    expect((await keyView(app, data.hash)).usage).toBeCloseTo(0.2, 10);
  });

  it('completion rules match by model, key and account, N times, newest first; a refused request does not use one up', async () => {
    const app = buildTestDoor(door);
    const a = await keyOf(app, { name: 'a', limit: 0 });
    const b = await keyOf(app, { name: 'b' });
    await app.handle.completion({ match: { key: b.data.hash }, content: 'For b.', times: 1 });
    await app.handle.completion({ match: { key: a.data.hash }, content: 'For a.', times: 1 });
    await app.handle.completion({ match: { model: 'openai/gpt-4o' }, content: 'For gpt-4o.' });
    expect((await chat(app, a.key, { messages: USER })).statusCode).toBe(403);
    expect((await app.handle.completions()).map((rule) => rule.content)).toEqual(['For gpt-4o.', 'For a.', 'For b.']);
    expect((await chat(app, b.key, { messages: USER })).json().choices[0].message.content).toBe('For b.');
    expect((await chat(app, b.key, { model: 'openai/gpt-4o', messages: USER })).json().choices[0].message.content).toBe('For gpt-4o.');
    expect((await chat(app, b.key, { messages: USER })).json().choices[0].message.content).not.toBe('For b.');
    expect((await app.handle.completions()).map((rule) => [rule.content, rule.hits])).toEqual([
      ['For gpt-4o.', 1],
      ['For a.', 0],
    ]);
    expect(await app.handle.clearCompletions()).toEqual({ deleted: 2 });
  });
});

describe('a stream the client cuts off', () => {
  it('is charged for what was sent (the fetch handler: the reader cancelled after the first chunks)', async () => {
    const { createMockFetch } = await import('../../src/fetch.js');
    const mock = await createMockFetch({ now: '2026-01-14T12:00:00.000Z' });
    const created = (await (
      await mock.fetch('/api/v1/keys', { method: 'POST', headers: { authorization: `Bearer ${MANAGEMENT_KEY}`, 'content-type': 'application/json' }, body: '{"name":"cut"}' })
    ).json()) as { data: { hash: string }; key: string };
    // A delay between chunks: one chunk a write (without one, up to 16 go out together).
    await mock.completion({ content: 'aaa bbb ccc ddd eee fff ggg hhh', cost: 0.8, chunk_delay_ms: 1, times: 1 });
    const res = await mock.fetch('/api/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${created.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ stream: true, messages: USER }),
    });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while ((text.match(/"content":"[a-h]{3} "/g) ?? []).length < 2) text += decoder.decode((await reader.read()).value);
    await reader.cancel();
    const key = (await (await mock.fetch(`/api/v1/keys/${created.data.hash}`, { headers: { authorization: `Bearer ${MANAGEMENT_KEY}` } })).json()) as {
      data: { usage: number };
    };
    // Two words of eight sent ("aaa bbb ", 2 of 8 tokens): a quarter of the rule's cost.
    expect(key.data.usage).toBeCloseTo(0.2, 10);
    const generation = (await mock.requests({ path: '/api/v1/chat/completions' })).length;
    expect(generation).toBe(1);
  });
});
