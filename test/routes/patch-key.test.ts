import { describe, expect, it } from 'vitest';
import type { KeyView } from '../../src/domain/types.js';
import { api, buildTestDoor, DOCS_HASH, errorOf, TEST_NOW, DOORS, type Target } from '../helpers/build.js';

const getKey = async (app: Target, hash = DOCS_HASH) => {
  const res = await api(app, 'GET', `/keys/${hash}`);
  expect(res.statusCode).toBe(200);
  return (res.json() as { data: KeyView }).data;
};

/** The usage the limit counts, computed here from the rule (not from the server's code). */
function expectedRemaining(k: KeyView): number | null {
  if (k.limit === null) return null;
  const windows = {
    daily: [k.usage_daily, k.byok_usage_daily],
    weekly: [k.usage_weekly, k.byok_usage_weekly],
    monthly: [k.usage_monthly, k.byok_usage_monthly],
  } as const;
  const [used, byok] = k.limit_reset ? windows[k.limit_reset] : [k.usage, k.byok_usage];
  return Math.max(0, k.limit - used - (k.include_byok_in_limit ? byok : 0));
}

describe.each(DOORS)('PATCH /api/v1/keys/:hash (%s door)', (door) => {
  it('applies the documentation example body and answers 200 {data: key}', async () => {
    const app = buildTestDoor(door);
    const before = await getKey(app);
    const body = { name: 'Updated API Key Name', disabled: false, limit: 75, limit_reset: 'daily', include_byok_in_limit: true };
    const res = await api(app, 'PATCH', `/keys/${DOCS_HASH}`, body);
    expect(res.statusCode).toBe(200);
    const { data } = res.json() as { data: KeyView };
    expect(data).toMatchObject(body);
    expect(data.limit_remaining).toBeCloseTo(75 - before.usage_daily - before.byok_usage_daily, 6);
    expect(data.updated_at).toBe(TEST_NOW);
    for (const field of ['hash', 'label', 'created_at', 'usage', 'usage_daily', 'byok_usage', 'expires_at', 'workspace_id', 'creator_user_id'] as const) {
      expect(data[field]).toEqual(before[field]);
    }
    expect(await getKey(app)).toEqual(data);
  });

  it.each([
    ['name', 'Renamed'],
    ['disabled', true],
    ['limit', 12.5],
    ['limit', null],
    ['limit', 0],
    ['limit_reset', 'weekly'],
    ['limit_reset', null],
    ['include_byok_in_limit', true],
  ] as const)('changes only %s (to %j)', async (field, value) => {
    const app = buildTestDoor(door);
    const before = await getKey(app);
    const res = await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { [field]: value });
    expect(res.statusCode).toBe(200);
    const after = (res.json() as { data: KeyView }).data;
    const expected: KeyView = { ...before, [field]: value, updated_at: TEST_NOW };
    expected.limit_remaining = expectedRemaining(expected);
    expect(after.limit_remaining ?? null).toBeCloseTo(expected.limit_remaining ?? 0, 6);
    expect({ ...after, limit_remaining: 0 }).toEqual({ ...expected, limit_remaining: 0 });
  });

  it('{} answers 200 and changes nothing, not even updated_at', async () => {
    const app = buildTestDoor(door);
    const before = await api(app, 'GET', `/keys/${DOCS_HASH}`);
    const res = await api(app, 'PATCH', `/keys/${DOCS_HASH}`, {});
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(before.json());
    expect((await api(app, 'GET', `/keys/${DOCS_HASH}`)).body).toBe(before.body);
  });

  it('moves updated_at on a PATCH that repeats current values', async () => {
    const app = buildTestDoor(door, { now: '2026-03-03T10:00:00Z' });
    const before = await getKey(app);
    expect(before.updated_at).not.toBe('2026-03-03T10:00:00.000Z');
    const res = await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: before.name });
    expect((res.json() as { data: KeyView }).data.updated_at).toBe('2026-03-03T10:00:00.000Z');
  });

  it('sets updated_at on a key that never had one', async () => {
    const app = buildTestDoor(door);
    const list = (await api(app, 'GET', '/keys?include_disabled=true')).json() as { data: KeyView[] };
    const fresh = list.data.find((k) => k.updated_at === null)!;
    expect(fresh).toBeDefined();
    const res = await api(app, 'PATCH', `/keys/${fresh.hash}`, { disabled: false });
    const after = (res.json() as { data: KeyView }).data;
    expect(after.updated_at).toBe(TEST_NOW);
    expect(after.created_at <= after.updated_at!).toBe(true);
  });

  it('ignores fields the endpoint does not take, like the real API', async () => {
    const app = buildTestDoor(door);
    const before = await getKey(app);
    const res = await api(app, 'PATCH', `/keys/${DOCS_HASH}`, {
      usage: 0,
      hash: 'f'.repeat(64),
      limitReset: 'weekly',
      label: 'x',
      created_at: '2020-01-01T00:00:00Z',
      name: 'Only this changes',
    });
    expect(res.statusCode).toBe(200);
    const after = (res.json() as { data: KeyView }).data;
    expect(after).toEqual({ ...before, name: 'Only this changes', updated_at: TEST_NOW });
  });

  it('a body of unknown fields only is a no-op, like {}', async () => {
    const app = buildTestDoor(door);
    const before = await api(app, 'GET', `/keys/${DOCS_HASH}`);
    const res = await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { usage: 1, foo: 'bar' });
    expect(res.statusCode).toBe(200);
    expect((await api(app, 'GET', `/keys/${DOCS_HASH}`)).body).toBe(before.body);
  });

  it('with --strict, rejects unknown fields with 400 naming the field and changes nothing', async () => {
    const app = buildTestDoor(door, { strict: true });
    const before = await api(app, 'GET', `/keys/${DOCS_HASH}`);
    for (const field of ['usage', 'hash', 'limitReset']) {
      const res = await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'x', [field]: 1 });
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).message).toContain(`"${field}"`);
    }
    expect((await api(app, 'GET', `/keys/${DOCS_HASH}`)).body).toBe(before.body);
    expect((await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'strict ok' })).statusCode).toBe(200);
  });

  describe('rejects bad values with 400 naming the field, and changes nothing', () => {
    const cases: [string, unknown, string][] = [
      ['name', 42, 'name'],
      ['name', '', 'name'],
      ['name', '   \t', 'name'],
      ['name', null, 'name'],
      ['disabled', 'true', 'disabled'],
      ['disabled', 1, 'disabled'],
      ['limit', '75', 'limit'],
      ['limit', -1, 'limit'],
      ['limit', true, 'limit'],
      ['limit', [75], 'limit'],
      ['limit_reset', 'Daily', 'limit_reset'],
      ['limit_reset', 'yearly', 'limit_reset'],
      ['limit_reset', 1, 'limit_reset'],
      ['include_byok_in_limit', 1, 'include_byok_in_limit'],
      ['include_byok_in_limit', 'false', 'include_byok_in_limit'],
      ['include_byok_in_limit', null, 'include_byok_in_limit'],
    ];
    it.each(cases)('%s = %j', async (field, value, named) => {
      const app = buildTestDoor(door);
      const before = await api(app, 'GET', `/keys/${DOCS_HASH}`);
      const res = await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { [field]: value });
      expect(res.statusCode).toBe(400);
      const error = errorOf(res);
      expect(error.code).toBe(400);
      expect(error.message).toContain(`"${named}"`);
      expect((await api(app, 'GET', `/keys/${DOCS_HASH}`)).body).toBe(before.body);
    });

    it('a huge exponent (1e400 parses to Infinity) is not a finite limit', async () => {
      const app = buildTestDoor(door);
      const res = await api(app, 'PATCH', `/keys/${DOCS_HASH}`, '{"limit":1e400}');
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).message).toContain('"limit"');
    });

    it('one bad field rejects the whole body, good fields included', async () => {
      const app = buildTestDoor(door);
      const before = await api(app, 'GET', `/keys/${DOCS_HASH}`);
      const res = await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'fine', limit: -5 });
      expect(res.statusCode).toBe(400);
      expect((await api(app, 'GET', `/keys/${DOCS_HASH}`)).body).toBe(before.body);
    });

    it.each(['null', '[]', '"name"', '42', 'true'])('a body that is not an object (%s)', async (payload) => {
      const app = buildTestDoor(door);
      const res = await api(app, 'PATCH', `/keys/${DOCS_HASH}`, payload);
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).message).toMatch(/JSON object/);
    });
  });

  it('disabling hides a key from the default listing; re-enabling brings it back', async () => {
    const app = buildTestDoor(door);
    const listed = async () => ((await api(app, 'GET', '/keys')).json() as { data: KeyView[] }).data.map((k) => k.hash);
    expect(await listed()).toContain(DOCS_HASH);
    expect((await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { disabled: true })).statusCode).toBe(200);
    expect(await listed()).not.toContain(DOCS_HASH);
    const all = ((await api(app, 'GET', '/keys?include_disabled=true')).json() as { data: KeyView[] }).data;
    expect(all.find((k) => k.hash === DOCS_HASH)?.disabled).toBe(true);
    expect((await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { disabled: false })).statusCode).toBe(200);
    expect(await listed()).toContain(DOCS_HASH);
  });

  it('PATCH works on disabled and expired keys (e.g. to re-enable them)', async () => {
    const app = buildTestDoor(door);
    const all = ((await api(app, 'GET', '/keys?include_disabled=true')).json() as { data: KeyView[] }).data;
    const disabled = all.find((k) => k.disabled)!;
    const expired = all.find((k) => k.expires_at !== null && k.expires_at < TEST_NOW)!;
    expect(disabled && expired).toBeTruthy();
    const reenabled = await api(app, 'PATCH', `/keys/${disabled.hash}`, { disabled: false });
    expect(reenabled.statusCode).toBe(200);
    expect((reenabled.json() as { data: KeyView }).data.disabled).toBe(false);
    const renamed = await api(app, 'PATCH', `/keys/${expired.hash}`, { name: 'Still here' });
    expect(renamed.statusCode).toBe(200);
    expect((renamed.json() as { data: KeyView }).data.expires_at).toBe(expired.expires_at);
  });

  it('answers 404 for an unknown hash, after validating the body', async () => {
    const app = buildTestDoor(door);
    const unknown = 'a'.repeat(64);
    const res = await api(app, 'PATCH', `/keys/${unknown}`, { name: 'x' });
    expect(res.statusCode).toBe(404);
    expect(errorOf(res).message).toContain(unknown);
    // Body errors come before the lookup.
    expect((await api(app, 'PATCH', `/keys/${unknown}`, { name: 5 })).statusCode).toBe(400);
  });
});
