/**
 * Concurrent PATCHes to one key over real HTTP: no lost or torn updates, every response echoes
 * its own request, and the final state is the last write of each field.
 *
 * What "last write wins" can be asserted robustly: the server applies each PATCH atomically and
 * stamps `updated_at` with its clock at that moment, so the order in which writes were applied is
 * consistent with `updated_at` (non-decreasing). `updated_at` has millisecond resolution, so
 * several writes can share one stamp and their relative order is then unknown. The assertions
 * below therefore say: the final value of a field was written by one of the writes with the latest
 * stamp for that field; and every response's *other* field shows a value that some write (or the
 * initial state) could have left there at that moment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockServer, type MockServer } from '../../src/server.js';
import { DOCS_HASH, MANAGEMENT_KEY, TEST_NOW } from '../helpers/build.js';
import type { KeyView } from '../../src/domain/types.js';

/** A key as the API returns it (the domain's view type). */
type KeyJson = KeyView;

/** Every field a name/limit PATCH must leave alone (all but name, limit, limit_remaining, updated_at). */
const UNTOUCHED = [
  'hash',
  'label',
  'disabled',
  'limit_reset',
  'include_byok_in_limit',
  'usage',
  'usage_daily',
  'usage_weekly',
  'usage_monthly',
  'byok_usage',
  'byok_usage_daily',
  'byok_usage_weekly',
  'byok_usage_monthly',
  'created_at',
  'expires_at',
  'creator_user_id',
  'workspace_id',
  'external_user',
] as const satisfies readonly (keyof KeyJson)[];

const untouchedOf = (key: KeyJson) => JSON.stringify(UNTOUCHED.map((field) => [field, key[field]]));

/** limit_remaining from the key's own fields: max(0, limit − usage of its window [+ BYOK]). */
function expectedRemaining(key: KeyJson): number | null {
  if (key.limit === null) return null;
  const [credits, byok] =
    key.limit_reset === 'daily'
      ? [key.usage_daily, key.byok_usage_daily]
      : key.limit_reset === 'weekly'
        ? [key.usage_weekly, key.byok_usage_weekly]
        : key.limit_reset === 'monthly'
          ? [key.usage_monthly, key.byok_usage_monthly]
          : [key.usage, key.byok_usage];
  return Math.max(0, key.limit - credits - (key.include_byok_in_limit ? byok : 0));
}

function expectRemainingConsistent(key: KeyJson): void {
  const expected = expectedRemaining(key);
  if (expected === null) expect(key.limit_remaining).toBeNull();
  else expect(Math.abs(key.limit_remaining! - expected)).toBeLessThanOrEqual(1e-6);
}

let server: MockServer;

beforeAll(async () => {
  server = await createMockServer({ port: 0, now: TEST_NOW, seed: 99 });
});

afterAll(async () => {
  await server?.close();
});

async function request(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${MANAGEMENT_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, text: await response.text() };
}

async function getKey(hash: string): Promise<{ text: string; key: KeyJson }> {
  const { status, text } = await request('GET', `/keys/${hash}`);
  expect(status).toBe(200);
  return { text, key: (JSON.parse(text) as { data: KeyJson }).data };
}

type Field = 'name' | 'limit';
interface Write {
  field: Field;
  value: string | number;
  response: KeyJson;
  stamp: number;
}

/**
 * For every response, the value it shows for `field` (which it did not write itself) must be one
 * that was current at its moment: the initial value if no write of `field` is stamped strictly
 * earlier, or the value of a write of `field` stamped no later than it and no earlier than the
 * latest write of `field` stamped strictly before it.
 */
function expectReadsConsistent(writes: Write[], field: Field, initial: string | number | null): void {
  const writers = writes.filter((w) => w.field === field);
  for (const reader of writes.filter((w) => w.field !== field)) {
    const earlier = writers.filter((w) => w.stamp < reader.stamp).map((w) => w.stamp);
    const floor = earlier.length === 0 ? -Infinity : Math.max(...earlier);
    const allowed = writers.filter((w) => w.stamp <= reader.stamp && w.stamp >= floor).map((w) => w.value);
    if (earlier.length === 0) allowed.push(initial as string | number);
    expect(allowed, `${field} seen by the write of ${reader.field}=${JSON.stringify(reader.value)}`).toContain(reader.response[field]);
  }
}

describe('concurrent PATCH /keys/:hash', () => {
  it('50 simultaneous name and limit updates: all 200, each echoes itself, last write of each field wins', async () => {
    const before = await getKey(DOCS_HASH);
    const initial = before.key;
    const requestedAt = server.store.now();

    const COUNT = 50;
    const sends = Array.from({ length: COUNT }, (_, i) =>
      i % 2 === 0
        ? { field: 'name' as const, value: `concurrent name #${i}` }
        : // distinct limits, none equal to the initial one, with cents so rounding matters
          { field: 'limit' as const, value: (initial.limit ?? 0) + 1 + i * 1.37 },
    );
    expect(new Set(sends.map((s) => s.value)).size).toBe(COUNT);

    const results = await Promise.all(
      sends.map(async (send) => ({ send, ...(await request('PATCH', `/keys/${DOCS_HASH}`, { [send.field]: send.value })) })),
    );
    const answeredBy = server.store.now();

    const writes: Write[] = results.map(({ send, status, text }) => {
      expect(status, text).toBe(200);
      const response = (JSON.parse(text) as { data: KeyJson }).data;
      // Each response echoes what its own request sent.
      expect(response[send.field]).toBe(send.value);
      // … leaves everything else alone …
      expect(untouchedOf(response)).toBe(untouchedOf(initial));
      // … and derives limit_remaining from the limit it reports.
      expectRemainingConsistent(response);
      expect(response.updated_at).not.toBeNull();
      const stamp = Date.parse(response.updated_at!);
      expect(stamp).toBeGreaterThanOrEqual(requestedAt);
      expect(stamp).toBeLessThanOrEqual(answeredBy);
      return { ...send, response, stamp };
    });

    // What each response shows of the field it did not write is a value current at its moment.
    expectReadsConsistent(writes, 'limit', initial.limit);
    expectReadsConsistent(writes, 'name', initial.name);

    const after = (await getKey(DOCS_HASH)).key;
    const sentNames = writes.filter((w) => w.field === 'name');
    const sentLimits = writes.filter((w) => w.field === 'limit');
    expect(sentNames.map((w) => w.value)).toContain(after.name);
    expect(sentLimits.map((w) => w.value)).toContain(after.limit);

    // Last write wins: the final value comes from a write with the latest stamp for its field.
    const lastNameStamp = Math.max(...sentNames.map((w) => w.stamp));
    const lastLimitStamp = Math.max(...sentLimits.map((w) => w.stamp));
    expect(sentNames.filter((w) => w.stamp === lastNameStamp).map((w) => w.value)).toContain(after.name);
    expect(sentLimits.filter((w) => w.stamp === lastLimitStamp).map((w) => w.value)).toContain(after.limit);

    // updated_at is the latest stamp any response reported.
    const latest = writes.reduce((max, w) => (w.response.updated_at! > max ? w.response.updated_at! : max), '');
    expect(after.updated_at).toBe(latest);
    expect(Date.parse(after.updated_at!)).toBe(Math.max(...writes.map((w) => w.stamp)));

    // The responses carrying the latest stamp agree with the final state on the field they did not write
    // unless another write shares that stamp (then their order is unknown).
    const lastWrites = writes.filter((w) => w.stamp === Math.max(...writes.map((x) => x.stamp)));
    if (lastWrites.length === 1) {
      const [last] = lastWrites;
      expect({ name: last!.response.name, limit: last!.response.limit }).toEqual({ name: after.name, limit: after.limit });
    }

    // Untouched fields are byte-identical, and limit_remaining follows the final limit.
    expect(untouchedOf(after)).toBe(untouchedOf(initial));
    expectRemainingConsistent(after);

    // The listing agrees with GET.
    const listed = JSON.parse((await request('GET', '/keys')).text) as { data: KeyJson[] };
    expect(listed.data.find((k) => k.hash === DOCS_HASH)).toEqual(after);
  });

  it('concurrent PATCHes to different keys do not interfere', async () => {
    const listed = JSON.parse((await request('GET', '/keys')).text) as { data: KeyJson[] };
    const targets = listed.data.filter((k) => k.hash !== DOCS_HASH).slice(0, 10);
    expect(targets.length).toBe(10);
    const befores = await Promise.all(targets.map((k) => getKey(k.hash)));

    // Three writes per key, each to a different field, all at once.
    const sends = targets.flatMap((k, i) => [
      { hash: k.hash, body: { name: `parallel ${i}` } },
      { hash: k.hash, body: { limit: 100 + i } },
      { hash: k.hash, body: { limit_reset: 'monthly' as const } },
    ]);
    const responses = await Promise.all(sends.map((s) => request('PATCH', `/keys/${s.hash}`, s.body)));
    for (const response of responses) expect(response.status, response.text).toBe(200);

    for (const [i, target] of targets.entries()) {
      const after = (await getKey(target.hash)).key;
      const initial = befores[i]!.key;
      // All three fields land: no write overwrote another field with a stale value.
      expect(after).toEqual({
        ...initial,
        name: `parallel ${i}`,
        limit: 100 + i,
        limit_reset: 'monthly',
        limit_remaining: after.limit_remaining,
        updated_at: after.updated_at,
      });
      expectRemainingConsistent(after);
    }
  });
});
