/**
 * `GET /__mock/keys/:hash/admission` (and the admission in each row of the key search): what a
 * chat completion with a key would get now. It must be exactly what `POST /api/v1/chat/completions`
 * answers for the same request — status and envelope — for every state a key can be in, and it
 * must change nothing (no charge, no rule used up, no journal entry).
 */
import { describe, expect, it } from 'vitest';
import { api, buildTestApp, ctl } from '../helpers/build.js';
import type { FastifyInstance } from 'fastify';

const PROMPT = 'Hello';

const chat = (app: FastifyInstance, key: string, body: Record<string, unknown> = {}) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/chat/completions',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ messages: [{ role: 'user', content: PROMPT }], ...body }),
  });

/** The admission, then the chat call it predicts: both must say the same. */
async function agree(app: FastifyInstance, hash: string, key: string, query = '', body: Record<string, unknown> = {}) {
  const before = (await ctl(app, 'GET', '/state')).body;
  const journal = (await ctl(app, 'GET', '/requests')).json().data.length;
  const res = await ctl(app, 'GET', `/keys/${hash}/admission${query}`);
  expect(res.statusCode).toBe(200);
  const admission = res.json().data;
  // An admission changes nothing and is not journalled.
  expect((await ctl(app, 'GET', '/state')).body).toBe(before);
  expect((await ctl(app, 'GET', '/requests')).json().data.length).toBe(journal);
  const answer = await chat(app, key, body);
  expect(admission.status).toBe(answer.statusCode);
  expect(admission.accepted).toBe(answer.statusCode === 200);
  expect(admission.error).toEqual(answer.statusCode === 200 ? null : answer.json().error);
  return admission as { accepted: boolean; status: number; error: { code: number; message: string; metadata?: Record<string, unknown> } | null };
}

async function newKey(app: FastifyInstance, body: Record<string, unknown>) {
  const res = await api(app, 'POST', '/keys', body);
  expect(res.statusCode).toBe(201);
  return res.json() as { data: { hash: string; name: string }; key: string };
}

describe('admission: what a chat completion with a key would get, as POST /chat/completions answers it', () => {
  it('accepted, then spent (403 daily limit), then disabled and expired (401), and credits exhausted (402)', async () => {
    const app = buildTestApp();
    const { data, key } = await newKey(app, { name: 'customer', limit: 0.0101, limit_reset: 'daily' });
    expect((await agree(app, data.hash, key)).accepted).toBe(true);
    // Spend it through chat calls until the chat route refuses; the admission says so first each time.
    let refused: Awaited<ReturnType<typeof agree>> | undefined;
    for (let i = 0; i < 200 && !refused; i++) {
      const admission = await agree(app, data.hash, key);
      if (!admission.accepted) refused = admission;
    }
    expect(refused).toBeDefined();
    expect([402, 403]).toContain(refused!.status);
    expect(refused!.error!.metadata).toEqual({ limit_source: 'openrouter_key_limit' });
    // Used up entirely: the observed 403.
    await ctl(app, 'POST', `/keys/${data.hash}/usage`, { amount: 1 });
    const spent = await agree(app, data.hash, key);
    expect(spent).toMatchObject({ status: 403, error: { message: 'Key limit exceeded (daily limit)' } });

    const other = await newKey(app, { name: 'other' });
    expect((await agree(app, other.data.hash, other.key)).accepted).toBe(true);
    // A request bigger than what the account has left: 402 with what it can afford.
    const account = (await ctl(app, 'GET', '/accounts')).json().data[0].id;
    await ctl(app, 'POST', `/accounts/${account}/credits`, { total_credits: 0.001, total_usage: 0 });
    const big = await agree(app, other.data.hash, other.key, '?max_tokens=1000000', { max_tokens: 1_000_000 });
    expect(big).toMatchObject({ status: 402, error: { metadata: { limit_source: 'openrouter_credits' } } });
    await ctl(app, 'POST', `/accounts/${account}/credits`, { total_credits: 1, total_usage: 1 });
    expect(await agree(app, other.data.hash, other.key)).toMatchObject({ status: 402, error: { metadata: { limit_source: 'openrouter_credits' } } });
    expect((await agree(app, other.data.hash, other.key)).error!.message).toMatch(/^Insufficient credits/);
    await ctl(app, 'POST', `/accounts/${account}/credits`, { total_credits: 100, total_usage: 0 });

    const patched = await api(app, 'PATCH', `/keys/${other.data.hash}`, { disabled: true });
    expect(patched.statusCode).toBe(200);
    expect(await agree(app, other.data.hash, other.key)).toMatchObject({ status: 401, error: { message: 'API key is disabled' } });

    const soon = new Date(Date.parse((await ctl(app, 'GET', '/clock')).json().now) + 60_000).toISOString();
    const expiring = await newKey(app, { name: 'expiring', expires_at: soon });
    expect((await agree(app, expiring.data.hash, expiring.key)).accepted).toBe(true);
    await ctl(app, 'POST', '/clock', { advance: '2m' });
    expect(await agree(app, expiring.data.hash, expiring.key)).toMatchObject({ status: 401, error: { message: 'API key has expired' } });
  });

  it('the documented variant (--limit-errors documented), a model, an unknown model, a free model, and a rule not used up', async () => {
    const app = buildTestApp({ limitErrors: 'documented' });
    const { data, key } = await newKey(app, { name: 'spent', limit: 1 });
    await ctl(app, 'POST', `/keys/${data.hash}/usage`, { amount: 1 });
    expect(await agree(app, data.hash, key)).toMatchObject({ status: 402, error: { message: 'Key limit exceeded (total limit)' } });
    const free = 'meta-llama/llama-3.3-70b-instruct:free';
    expect((await agree(app, data.hash, key, `?model=${encodeURIComponent(free)}`, { model: free })).accepted).toBe(true);
    expect((await agree(app, data.hash, key, '?model=nope%2Fnope', { model: 'nope/nope' })).status).toBe(400);
    // A rule with times: 1 is not used by an admission.
    const rule = (await ctl(app, 'POST', '/completions', { times: 1, content: 'Ruled.', match: { key: data.hash } })).json().data;
    await ctl(app, 'GET', `/keys/${data.hash}/admission`);
    expect((await ctl(app, 'GET', '/completions')).json().data).toEqual([rule]);
  });

  it('an unknown hash is 404; each row of the key search carries the same admission', async () => {
    const app = buildTestApp();
    expect((await ctl(app, 'GET', '/keys/nope/admission')).statusCode).toBe(404);
    const { data } = await newKey(app, { name: 'zz-searched', limit: 1 });
    await ctl(app, 'POST', `/keys/${data.hash}/usage`, { amount: 1 });
    const account = (await ctl(app, 'GET', '/accounts')).json().data[0].id;
    const page = (await ctl(app, 'GET', `/accounts/${account}/keys/search?q=ZZ-sea`)).json().data;
    expect(page.total).toBe(1);
    expect(page.keys[0].hash).toBe(data.hash);
    expect(page.keys[0].admission).toEqual((await ctl(app, 'GET', `/keys/${data.hash}/admission`)).json().data);
    expect(page.keys[0].admission.status).toBe(403);
  });
});
