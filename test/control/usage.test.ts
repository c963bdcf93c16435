/**
 * `POST /__mock/keys/:hash/usage {amount, byok?}`: spend recorded on a key in every window and the
 * total, so a test can drive a key to its limit and watch `limit_remaining` reach 0.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CreatedAccount } from '../../src/control/mock-control.js';
import type { KeyView } from '../../src/domain/types.js';
import { api, buildTestDoor, ctl, DOCS_HASH, DOORS, errorOf, LOCAL_DEV_KEY, type Target } from '../helpers/build.js';

async function getKey(app: Target, hash: string = DOCS_HASH, token?: string): Promise<KeyView> {
  const res = await api(app, 'GET', `/keys/${hash}`, undefined, token);
  expect(res.statusCode).toBe(200);
  return (res.json() as { data: KeyView }).data;
}

async function spend(app: Target, hash: string, body: { amount: number; byok?: number }): Promise<KeyView> {
  const res = await ctl(app, 'POST', `/keys/${hash}/usage`, body);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { data: KeyView }).data;
}

async function newKey(app: Target, body: Record<string, unknown>): Promise<KeyView> {
  const res = await api(app, 'POST', '/keys', { name: 'usage test', ...body });
  expect(res.statusCode).toBe(201);
  return (res.json() as { data: KeyView }).data;
}

const CREDIT = ['usage', 'usage_daily', 'usage_weekly', 'usage_monthly'] as const;
const BYOK = ['byok_usage', 'byok_usage_daily', 'byok_usage_weekly', 'byok_usage_monthly'] as const;

describe.each(DOORS)('POST /__mock/keys/:hash/usage (%s door)', (door) => {
  it('adds amount to every credit window and the total, byok to every BYOK window; answers the key', async () => {
    const app = buildTestDoor(door);
    const before = await getKey(app);
    const amount = 1.25;
    const byok = 0.5;
    const res = await ctl(app, 'POST', `/keys/${DOCS_HASH}/usage`, { amount, byok });
    expect(res.statusCode).toBe(200);
    const { data } = res.json() as { data: KeyView };
    for (const field of CREDIT) expect(data[field], field).toBeCloseTo(before[field] + amount, 9);
    for (const field of BYOK) expect(data[field], field).toBeCloseTo(before[field] + byok, 9);
    // Nothing else moves (updated_at included: spend is not an edit).
    const { limit_remaining: _a, ...rest } = data;
    const { limit_remaining: _b, ...restBefore } = before;
    for (const field of [...CREDIT, ...BYOK]) delete (rest as Partial<KeyView>)[field];
    for (const field of [...CREDIT, ...BYOK]) delete (restBefore as Partial<KeyView>)[field];
    expect(rest).toEqual(restBefore);
    // The answer is what the API serves from now on.
    expect(await getKey(app)).toEqual(data);
  });

  it('without byok, the BYOK windows stay as they were', async () => {
    const app = buildTestDoor(door);
    const before = await getKey(app);
    const after = await spend(app, DOCS_HASH, { amount: 2 });
    for (const field of BYOK) expect(after[field]).toBe(before[field]);
    for (const field of CREDIT) expect(after[field]).toBeCloseTo(before[field] + 2, 9);
  });

  it('spend adds up without floating-point noise (0.1 + 0.2)', async () => {
    const app = buildTestDoor(door);
    const key = await newKey(app, {});
    await spend(app, key.hash, { amount: 0.1 });
    const after = await spend(app, key.hash, { amount: 0.2 });
    for (const field of CREDIT) expect(after[field]).toBe(0.3);
  });

  it('drives a key to its limit: limit_remaining falls to 0 and stays 0 beyond', async () => {
    const app = buildTestDoor(door);
    const limit = 5;
    const key = await newKey(app, { limit });
    expect(key.limit_remaining).toBe(limit);
    const steps = [1.5, 2, 1.5, 3];
    let spent = 0;
    for (const amount of steps) {
      spent += amount;
      const after = await spend(app, key.hash, { amount });
      expect(after.usage).toBeCloseTo(spent, 9);
      expect(after.limit_remaining).toBeCloseTo(Math.max(0, limit - spent), 6);
    }
    expect((await getKey(app, key.hash)).limit_remaining).toBe(0);
    // Listed the same way.
    const listed = (await api(app, 'GET', '/keys')).json() as { data: KeyView[] };
    expect(listed.data.find((k) => k.hash === key.hash)!.limit_remaining).toBe(0);
  });

  it.each(['daily', 'weekly', 'monthly'] as const)('a %s limit counts the spend of its window', async (limit_reset) => {
    const app = buildTestDoor(door);
    const key = await newKey(app, { limit: 10, limit_reset });
    expect((await spend(app, key.hash, { amount: 4 })).limit_remaining).toBe(6);
    expect((await spend(app, key.hash, { amount: 6 })).limit_remaining).toBe(0);
  });

  it('include_byok_in_limit makes BYOK spend count against the limit', async () => {
    const app = buildTestDoor(door);
    const key = await newKey(app, { limit: 10, include_byok_in_limit: false });
    expect((await spend(app, key.hash, { amount: 1, byok: 8 })).limit_remaining).toBe(9);
    const patched = await api(app, 'PATCH', `/keys/${key.hash}`, { include_byok_in_limit: true });
    expect((patched.json() as { data: KeyView }).data.limit_remaining).toBe(1);
    expect((await spend(app, key.hash, { amount: 0, byok: 0.4 })).limit_remaining).toBeCloseTo(0.6, 6);
    expect((await spend(app, key.hash, { amount: 0, byok: 5 })).limit_remaining).toBe(0);
  });

  it('GET /api/v1/key shows the spend to the key itself', async () => {
    const app = buildTestDoor(door);
    const hash = createHash('sha256').update(LOCAL_DEV_KEY).digest('hex');
    const before = (await api(app, 'GET', '/key', undefined, LOCAL_DEV_KEY)).json() as { data: KeyView };
    await spend(app, hash, { amount: 0.75 });
    const after = (await api(app, 'GET', '/key', undefined, LOCAL_DEV_KEY)).json() as { data: KeyView };
    expect(after.data.usage).toBeCloseTo(before.data.usage + 0.75, 9);
    expect(after.data.usage_daily).toBeCloseTo(before.data.usage_daily + 0.75, 9);
    if (before.data.limit !== null) expect(after.data.limit_remaining!).toBeCloseTo(Math.max(0, before.data.limit_remaining! - 0.75), 6);
  });

  it("records spend on any account's key (the control plane is not an account)", async () => {
    const app = buildTestDoor(door);
    const account = ((await ctl(app, 'POST', '/accounts', { scenario: 'near-limit' })).json() as { data: CreatedAccount }).data;
    const keys = ((await api(app, 'GET', '/keys', undefined, account.management_key)).json() as { data: KeyView[] }).data;
    const target = keys.find((k) => k.limit !== null && k.limit_remaining! > 0)!;
    const after = await spend(app, target.hash, { amount: target.limit_remaining! + 1 });
    expect(after.limit_remaining).toBe(0);
    expect((await getKey(app, target.hash, account.management_key)).limit_remaining).toBe(0);
  });

  it.each([
    ['a negative amount', { amount: -1 }],
    ['an amount as a string', { amount: '1' }],
    ['no amount', {}],
    ['amount null', { amount: null }],
    ['a negative byok', { amount: 1, byok: -0.5 }],
    ['byok as a string', { amount: 1, byok: 'x' }],
    ['a body that is not JSON', '{"amount": '],
    ['a body that is an array', '[1]'],
  ])('%s → 400 envelope; the key is unchanged', async (_label, body) => {
    const app = buildTestDoor(door);
    const before = await getKey(app);
    const res = await ctl(app, 'POST', `/keys/${DOCS_HASH}/usage`, body);
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).code).toBe(400);
    expect(await getKey(app)).toEqual(before);
  });

  it('an amount that is too large to be finite money → 400; unchanged', async () => {
    const app = buildTestDoor(door);
    const before = await getKey(app);
    // 1e400 parses to Infinity.
    const res = await app.inject({ method: 'POST', url: `/__mock/keys/${DOCS_HASH}/usage`, headers: { 'content-type': 'application/json' }, payload: '{"amount": 1e400}' });
    expect(res.statusCode).toBe(400);
    expect(await getKey(app)).toEqual(before);
  });

  it('an unknown hash → 404 naming it', async () => {
    const app = buildTestDoor(door);
    const hash = createHash('sha256').update('no such key').digest('hex');
    const res = await ctl(app, 'POST', `/keys/${hash}/usage`, { amount: 1 });
    expect(res.statusCode).toBe(404);
    expect(errorOf(res).message).toContain(hash.slice(0, 40));
  });

  it('a deleted key → 404', async () => {
    const app = buildTestDoor(door);
    const key = await newKey(app, {});
    expect((await api(app, 'DELETE', `/keys/${key.hash}`)).statusCode).toBe(200);
    expect((await ctl(app, 'POST', `/keys/${key.hash}/usage`, { amount: 1 })).statusCode).toBe(404);
  });

  it('handle.recordUsage(hash, number | {amount, byok}) has the same effect as the route', async () => {
    const viaRoute = buildTestDoor(door);
    const viaHandle = buildTestDoor(door);
    const handle = viaHandle.handle;
    await spend(viaRoute, DOCS_HASH, { amount: 2 });
    const routeView = await spend(viaRoute, DOCS_HASH, { amount: 1, byok: 3 });
    await handle.recordUsage(DOCS_HASH, 2);
    const handleView = await handle.recordUsage(DOCS_HASH, { amount: 1, byok: 3 });
    expect(handleView).toEqual(routeView);
    expect(await getKey(viaHandle)).toEqual(await getKey(viaRoute));
    await expect(handle.recordUsage(DOCS_HASH, -1)).rejects.toMatchObject({ status: 400 });
    await expect(handle.recordUsage('0'.repeat(64), 1)).rejects.toMatchObject({ status: 404 });
    expect(await getKey(viaHandle)).toEqual(routeView);
  });
});
