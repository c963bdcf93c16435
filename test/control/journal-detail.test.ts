/**
 * Journal entries that explain their answer (issue 21): the answer's headers and body, the
 * request's headers with Authorization masked, which key authenticated, both clocks, the fault
 * rule that answered (kept after a one-shot rule is gone) and a refusal's message — on every door,
 * through GET /__mock/requests.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/domain/journal.js';
import { api, buildTestDoor, ctl, DOCS_HASH, DOORS, LOCAL_DEV_KEY, MANAGEMENT_KEY, TEST_NOW, type Target } from '../helpers/build.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const label = (key: string) => `sk-or-v1-${key.slice(9, 12)}...${key.slice(-4)}`;

async function entries(app: Target): Promise<JournalEntry[]> {
  const res = await ctl(app, 'GET', '/requests');
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { data: JournalEntry[] }).data;
}

describe.each(DOORS)('journal entries that explain (%s door)', (door) => {
  it('a PATCH: the answer (headers, body), the request headers masked, the management key that authenticated, both clocks', async () => {
    const app = buildTestDoor(door);
    const before = Date.now();
    const res = await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { limit: 42 });
    expect(res.statusCode).toBe(200);
    const [entry] = await entries(app);
    expect(entry!.response.headers).toEqual({ 'content-type': 'application/json; charset=utf-8' });
    expect(entry!.response.body).toEqual(res.json());
    expect(entry!.request_headers).toMatchObject({ authorization: `Bearer ${label(MANAGEMENT_KEY)}`, 'content-type': 'application/json' });
    expect(entry!.key_type).toBe('management');
    expect(entry!.key_hash).toBe(sha256(MANAGEMENT_KEY));
    expect(entry!.error).toBeUndefined();
    expect(entry!.fault).toBeUndefined();
    // The virtual clock (frozen at TEST_NOW) and the wall clock, side by side.
    expect(entry!.time).toBe(TEST_NOW);
    const wall = Date.parse(entry!.wall_time);
    expect(wall).toBeGreaterThanOrEqual(before - 5);
    expect(wall).toBeLessThanOrEqual(Date.now() + 5);
  });

  it('an ordinary key: GET /key names the key that authenticated, not only the account', async () => {
    const app = buildTestDoor(door);
    await api(app, 'GET', '/key', undefined, LOCAL_DEV_KEY);
    const [entry] = await entries(app);
    expect(entry).toMatchObject({ status: 200, key_type: 'key', key_hash: sha256(LOCAL_DEV_KEY), hash: null });
    expect(entry!.account_id).toMatch(/^acct_/);
  });

  it('a validation error: the message in words, the envelope as the answer body; the state as it was', async () => {
    const app = buildTestDoor(door);
    const res = await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { limit: 'lots' });
    expect(res.statusCode).toBe(400);
    const [entry] = await entries(app);
    const message = (res.json() as { error: { message: string } }).error.message;
    expect(message).toMatch(/limit/);
    expect(entry!.error).toBe(message);
    expect(entry!.response.body).toEqual(res.json());
  });

  it('a 401: no key authenticated; a bearer that is not a key is redacted whole, secret-named headers too', async () => {
    const app = buildTestDoor(door);
    await app.inject({ method: 'GET', url: '/api/v1/keys', headers: { authorization: 'Bearer hunter2-not-a-key', 'x-api-key': 'abc', cookie: 'sid=1', 'x-trace': 'ok' } });
    const [entry] = await entries(app);
    expect(entry).toMatchObject({ status: 401, key_hash: null, key_type: null, account_id: null });
    expect(entry!.request_headers).toMatchObject({ authorization: 'Bearer [redacted]', 'x-api-key': '[redacted]', cookie: '[redacted]', 'x-trace': 'ok' });
    expect(JSON.stringify(entry)).not.toContain('hunter2');
    expect(entry!.error).toMatch(/credentials|key/i);
  });

  it('a times: 1 fault rule that answered stays named in its entry after it is used up and removed', async () => {
    const app = buildTestDoor(door);
    const added = await ctl(app, 'POST', '/faults', { match: { method: 'PATCH', path: '/keys/*' }, status: 429, times: 1 });
    expect(added.statusCode).toBe(201);
    const id = (added.json() as { data: { id: string } }).data.id;
    expect(id).toMatch(/./);
    const res = await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { limit: 1 });
    expect(res.statusCode).toBe(429);
    // Used up, it stays listed as such (it fires no more); removed, the entry still names it.
    expect(((await ctl(app, 'GET', '/faults')).json() as { data: unknown[] }).data).toMatchObject([{ id, state: 'used_up', remaining: 0 }]);
    expect((await ctl(app, 'DELETE', `/faults/${id}`)).statusCode).toBe(200);
    expect(((await ctl(app, 'GET', '/faults')).json() as { data: unknown[] }).data).toEqual([]);
    const [entry] = await entries(app);
    expect(entry!.fault).toEqual({ id, source: 'rule', match: { method: 'PATCH', path: '/keys/*' }, status: 429, times: 1 });
    expect(entry!.response.headers).toMatchObject({ 'retry-after': '1' });
    expect(entry!.error).toBe((res.json() as { error: { message: string } }).error.message);
  });

  it('an X-Mock-Response header is named as the fault, with no rule id', async () => {
    const app = buildTestDoor(door);
    await app.inject({ method: 'GET', url: '/api/v1/keys', headers: { authorization: `Bearer ${MANAGEMENT_KEY}`, 'x-mock-response': 'status=503' } });
    const [entry] = await entries(app);
    expect(entry).toMatchObject({ status: 503, fault: { id: null, source: 'header', status: 503 } });
    expect(entry!.request_headers['x-mock-response']).toBe('status=503');
  });

  it('a delay-only rule is named too, and the real answer is the body', async () => {
    const app = buildTestDoor(door);
    await ctl(app, 'POST', '/faults', { match: { path: '/key' }, delay_ms: 5 });
    const res = await api(app, 'GET', '/key', undefined, LOCAL_DEV_KEY);
    const [entry] = await entries(app);
    expect(entry).toMatchObject({ status: 200, fault: { source: 'rule', delay_ms: 5 } });
    expect(entry!.response.body).toEqual(res.json());
  });

  it('a chat completion: the answer keeps its X-Generation-Id header', async () => {
    const app = buildTestDoor(door);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/chat/completions',
      headers: { authorization: `Bearer ${LOCAL_DEV_KEY}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] }),
    });
    expect(res.statusCode, res.body).toBe(200);
    const [entry] = await entries(app);
    const generation = res.headers['x-generation-id'];
    expect(typeof generation).toBe('string');
    expect(entry!.response.headers['x-generation-id']).toBe(generation);
    expect(entry!.key_hash).toBe(sha256(LOCAL_DEV_KEY));
  });

  it('the test handle sees the same entry as the route', async () => {
    const app = buildTestDoor(door);
    await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'seen' });
    const [routed] = await entries(app);
    const waited = await app.handle.waitForRequest({ method: 'PATCH' });
    expect(waited).toEqual(routed);
  });
});
