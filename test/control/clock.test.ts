/**
 * The virtual clock (`GET/POST /__mock/clock`) and what follows it: usage windows zeroed as the
 * clock crosses midnight UTC, Monday 00:00 UTC and the 1st of a month; `limit_remaining`; expiry.
 * `buildTestDoor` freezes the clock's real-time source, so only the control plane moves time; every
 * suite but the real-time one runs once per door (the server, the fetch handler).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClockState } from '../../src/control/mock-control.js';
import type { KeyView } from '../../src/domain/types.js';
import { createInProcessMock } from '../../src/in-process-mock.js';
import { createMockServer, type MockServer } from '../../src/server.js';
import { api, buildTestDoor, ctl, DOCS_HASH, DOORS, errorOf, TEST_NOW, type Target } from '../helpers/build.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

async function clock(app: Target, change?: unknown): Promise<ClockState> {
  const res = change === undefined ? await ctl(app, 'GET', '/clock') : await ctl(app, 'POST', '/clock', change);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as ClockState;
}

async function getKey(app: Target, hash: string = DOCS_HASH): Promise<KeyView> {
  const res = await api(app, 'GET', `/keys/${hash}`);
  expect(res.statusCode).toBe(200);
  return (res.json() as { data: KeyView }).data;
}

async function spend(app: Target, hash: string, amount: number, byok = 0): Promise<KeyView> {
  const res = await ctl(app, 'POST', `/keys/${hash}/usage`, { amount, byok });
  expect(res.statusCode).toBe(200);
  return (res.json() as { data: KeyView }).data;
}

const iso = (ms: number) => new Date(ms).toISOString();

describe.each(DOORS)('GET /__mock/clock (%s door)', (door) => {
  it('starts at --now, running', async () => {
    const app = buildTestDoor(door);
    expect(await clock(app)).toEqual({ now: TEST_NOW, frozen: false });
  });
});

describe.each(DOORS)('POST /__mock/clock (%s door)', (door) => {
  it('{now} jumps there; the API stamps writes with the new time', async () => {
    const app = buildTestDoor(door);
    const target = '2027-03-04T05:06:07.089Z';
    expect(await clock(app, { now: target })).toEqual({ now: target, frozen: false });
    expect(await clock(app)).toEqual({ now: target, frozen: false });
    const created = await api(app, 'POST', '/keys', { name: 'stamped' });
    expect((created.json() as { data: KeyView }).data.created_at).toBe(target);
  });

  it('{now} with an offset is the same instant in UTC', async () => {
    const app = buildTestDoor(door);
    const withOffset = '2026-06-01T02:30:00+02:00';
    expect((await clock(app, { now: withOffset })).now).toBe(iso(Date.parse(withOffset)));
  });

  it.each([
    ['milliseconds', 1234, 1234],
    ['"90s"', '90s', 90 * SECOND],
    ['"36h"', '36h', 36 * HOUR],
    ['"1d12h30m"', '1d12h30m', DAY + 12 * HOUR + 30 * MINUTE],
    ['"2d"', '2d', 2 * DAY],
    ['"500ms"', '500ms', 500],
    ['zero', 0, 0],
  ])('{advance: %s} moves forward by exactly that much', async (_label, advance, ms) => {
    const app = buildTestDoor(door);
    const before = Date.parse((await clock(app)).now);
    expect(await clock(app, { advance })).toEqual({ now: iso(before + ms), frozen: false });
    // And again: advances add up.
    expect((await clock(app, { advance })).now).toBe(iso(before + 2 * ms));
  });

  it.each([
    ['now: not a date', { now: 'yesterday' }],
    ['now: an impossible date', { now: '2026-02-30T00:00:00Z' }],
    ['now: a number', { now: 1_700_000_000_000 }],
    ['now: empty', { now: '' }],
    ['advance: negative', { advance: -1000 }],
    ['advance: fractional', { advance: 1.5 }],
    ['advance: unknown unit', { advance: '1y' }],
    ['advance: spaces', { advance: '36 h' }],
    ['advance: parts out of order', { advance: '30m1d' }],
    ['advance: negative string', { advance: '-5m' }],
    ['advance: empty string', { advance: '' }],
    ['advance: a boolean', { advance: true }],
    ['now and advance together', { now: '2027-01-01T00:00:00Z', advance: 1000 }],
    ['frozen: not a boolean', { frozen: 'yes' }],
    ['an unknown field', { rewind: 5 }],
    ['not JSON', '{"advance": '],
    ['not an object', '[1000]'],
  ])('%s → 400 envelope; the clock is unchanged', async (_label, body) => {
    const app = buildTestDoor(door);
    const before = await clock(app);
    const res = await ctl(app, 'POST', '/clock', body);
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).code).toBe(400);
    expect(await clock(app)).toEqual(before);
  });

  it.each([
    ['advance: the largest safe integer', { advance: 9_007_199_254_740_991 }],
    ['advance: past year 9999', { advance: Date.UTC(10_000, 0, 1) - Date.parse(TEST_NOW) }],
    ['advance: a duration past year 9999', { advance: '3000000d' }],
    ['now: year 10000', { now: '+010000-01-01T00:00:00.000Z' }],
    ["now: a Date's last instant", { now: '+275760-09-13T00:00:00.000Z' }],
    ['now: year 0099', { now: '0099-12-31T23:59:59.999Z' }],
    ['now: frozen and out of range', { now: '+010000-01-01T00:00:00.000Z', frozen: true }],
  ])('%s → 400 naming the range; nothing changes, and the API and the journal still answer', async (_label, body) => {
    const app = buildTestDoor(door);
    const before = await clock(app);
    const res = await ctl(app, 'POST', '/clock', body);
    expect(res.statusCode, res.body).toBe(400);
    expect(errorOf(res).message).toContain('0100-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z');
    expect(await clock(app)).toEqual(before);
    expect((await api(app, 'POST', '/keys', { name: 'after' })).statusCode).toBe(201);
    expect((await ctl(app, 'GET', '/requests')).statusCode).toBe(200);
  });

  it('the handle refuses the same instants, with the same 400, and changes nothing', async () => {
    const app = buildTestDoor(door);
    const before = await clock(app);
    await expect(app.handle.clock.set(new Date(8.64e15))).rejects.toMatchObject({ status: 400 });
    await expect(app.handle.clock.set(Date.UTC(10_000, 0, 1))).rejects.toMatchObject({ status: 400 });
    await expect(app.handle.clock.advance(9_007_199_254_740_991)).rejects.toMatchObject({ status: 400 });
    expect(await app.handle.clock.now()).toEqual(before);
  });

  it('the ends of the range are accepted: 0100-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z', async () => {
    const app = buildTestDoor(door);
    for (const now of ['0100-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
      expect(await clock(app, { now, frozen: true })).toEqual({ now, frozen: true });
      const created = await api(app, 'POST', '/keys', { name: `at ${now}` });
      expect((created.json() as { data: KeyView }).data.created_at).toBe(now);
    }
    expect((await ctl(app, 'POST', '/clock', { advance: 1 })).statusCode).toBe(400);
  });

  it('a failed change zeroes no window either', async () => {
    const app = buildTestDoor(door);
    const before = await getKey(app);
    await ctl(app, 'POST', '/clock', { now: '2026-01-15T00:00:01Z', advance: 5 });
    expect(await getKey(app)).toEqual(before);
  });
});

describe('a running clock can be frozen', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await createMockServer({ port: 0, now: TEST_NOW });
  });
  afterAll(() => server.close());

  const read = async (): Promise<ClockState> => (await (await fetch(`${server.origin}/__mock/clock`)).json()) as ClockState;
  const post = async (body: unknown): Promise<Response> =>
    fetch(`${server.origin}/__mock/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('{frozen: true} stops time; advance still moves it; {frozen: false} lets it run again', async () => {
    const running1 = Date.parse((await read()).now);
    await pause(40);
    const running2 = Date.parse((await read()).now);
    expect(running2).toBeGreaterThan(running1);

    const frozen = (await (await post({ frozen: true })).json()) as ClockState;
    expect(frozen.frozen).toBe(true);
    await pause(40);
    const a = await read();
    await pause(40);
    const b = await read();
    expect(b).toEqual(a);
    expect(a).toEqual(frozen);

    const advanced = (await (await post({ advance: '1h' })).json()) as ClockState;
    expect(advanced).toEqual({ now: iso(Date.parse(frozen.now) + HOUR), frozen: true });
    await pause(20);
    expect(await read()).toEqual(advanced);

    expect(((await (await post({ frozen: false })).json()) as ClockState).frozen).toBe(false);
    await pause(40);
    const later = await read();
    expect(Date.parse(later.now)).toBeGreaterThan(Date.parse(advanced.now));
  });

  it('the handle: freeze() / unfreeze() / now() agree with the route', async () => {
    const frozen = await server.clock.freeze();
    expect(frozen.frozen).toBe(true);
    await pause(30);
    expect(await server.clock.now()).toEqual(frozen);
    expect(await read()).toEqual(frozen);
    const running = await server.clock.unfreeze();
    expect(running.frozen).toBe(false);
    expect((await read()).frozen).toBe(false);
  });
});

/** Which windows a crossing must zero. */
interface Crossing {
  label: string;
  /** A minute before the boundary. */
  from: string;
  daily: boolean;
  weekly: boolean;
  monthly: boolean;
}

const CROSSINGS: Crossing[] = [
  { label: 'end of an ordinary day (Wednesday → Thursday)', from: '2026-01-14T23:59:00Z', daily: true, weekly: false, monthly: false },
  { label: 'Sunday → Monday', from: '2026-01-18T23:59:00Z', daily: true, weekly: true, monthly: false },
  { label: 'end of a month on a weekday (31 March → 1 April)', from: '2026-03-31T23:59:00Z', daily: true, weekly: false, monthly: true },
  { label: 'end of a month that is also Sunday → Monday (31 May → 1 June)', from: '2026-05-31T23:59:00Z', daily: true, weekly: true, monthly: true },
  { label: 'leap year: 28 February → 29 February (a day only)', from: '2028-02-28T23:59:00Z', daily: true, weekly: false, monthly: false },
  { label: 'leap year: 29 February → 1 March (a month)', from: '2028-02-29T23:59:00Z', daily: true, weekly: false, monthly: true },
  { label: 'non-leap year: 28 February → 1 March (a month)', from: '2026-02-28T23:59:00Z', daily: true, weekly: false, monthly: true },
];

describe.each(DOORS)('usage windows roll as the clock crosses their boundaries (%s door)', (door) => {
  it('the crossings are what their labels say (calendar check of the table itself)', () => {
    for (const c of CROSSINGS) {
      const before = new Date(c.from);
      const after = new Date(Date.parse(c.from) + 2 * MINUTE);
      expect(after.getUTCDate(), c.label).not.toBe(before.getUTCDate());
      expect(after.getUTCDay() === 1, c.label).toBe(c.weekly);
      expect(after.getUTCDate() === 1, c.label).toBe(c.monthly);
    }
    expect(new Date(Date.parse('2028-02-28T23:59:00Z') + 2 * MINUTE).getUTCDate()).toBe(29);
  });

  it.each(CROSSINGS.map((c) => [c.label, c] as const))('%s', async (_label, c) => {
    const app = buildTestDoor(door);
    // A second account's key rolls too: the clock is global.
    const other = (await ctl(app, 'POST', '/accounts', { scenario: 'byok-heavy' })).json() as { data: { management_key: string } };
    const otherHash = ((await api(app, 'GET', '/keys', undefined, other.data.management_key)).json() as { data: KeyView[] }).data[0]!.hash;

    await clock(app, { now: c.from });
    await spend(app, DOCS_HASH, 3.25, 1.5);
    await spend(app, otherHash, 2, 0.75);
    const before = await getKey(app);
    const otherBefore = (await ctl(app, 'GET', '/state')).json() as { accounts: { keys: KeyView[] }[] };
    // Every window holds spend now, so a zero afterwards can only come from the crossing.
    for (const field of ['usage_daily', 'usage_weekly', 'usage_monthly', 'byok_usage_daily', 'byok_usage_weekly', 'byok_usage_monthly'] as const) {
      expect(before[field]).toBeGreaterThan(0);
    }

    // Right before the boundary nothing rolls.
    await clock(app, { advance: '59s' });
    expect(await getKey(app)).toEqual(before);

    await clock(app, { advance: '2m' });
    const after = await getKey(app);
    const expected: KeyView = {
      ...before,
      usage_daily: c.daily ? 0 : before.usage_daily,
      byok_usage_daily: c.daily ? 0 : before.byok_usage_daily,
      usage_weekly: c.weekly ? 0 : before.usage_weekly,
      byok_usage_weekly: c.weekly ? 0 : before.byok_usage_weekly,
      usage_monthly: c.monthly ? 0 : before.usage_monthly,
      byok_usage_monthly: c.monthly ? 0 : before.byok_usage_monthly,
    };
    expect({ ...after, limit_remaining: null }).toEqual({ ...expected, limit_remaining: null });
    // Totals never reset.
    expect(after.usage).toBe(before.usage);
    expect(after.byok_usage).toBe(before.byok_usage);

    const otherKey = (await api(app, 'GET', `/keys/${otherHash}`, undefined, other.data.management_key)).json() as { data: KeyView };
    const otherPrev = otherBefore.accounts[1]!.keys.find((k) => k.hash === otherHash)!;
    expect(otherKey.data.usage_daily).toBe(0);
    expect(otherKey.data.byok_usage_daily).toBe(0);
    expect(otherKey.data.usage_weekly).toBe(c.weekly ? 0 : otherPrev.usage_weekly);
    expect(otherKey.data.usage_monthly).toBe(c.monthly ? 0 : otherPrev.usage_monthly);
    expect(otherKey.data.usage).toBe(otherPrev.usage);
  });

  it('the export shows the rolled windows too (no API read needed first)', async () => {
    const app = buildTestDoor(door);
    await clock(app, { now: '2026-01-14T23:00:00Z' });
    await spend(app, DOCS_HASH, 1);
    await clock(app, { now: '2026-01-15T01:00:00Z' });
    const state = (await ctl(app, 'GET', '/state')).json() as { accounts: { keys: KeyView[] }[] };
    expect(state.accounts[0]!.keys.find((k) => k.hash === DOCS_HASH)!.usage_daily).toBe(0);
  });

  it.each([
    ['daily', '2026-01-14T23:00:00Z', '2h'],
    ['weekly', '2026-01-18T23:00:00Z', '2h'],
    ['monthly', '2026-01-31T23:00:00Z', '2h'],
  ] as const)('limit_remaining follows: a %s-limited key is back to its full limit after its reset', async (reset, from, advance) => {
    const app = buildTestDoor(door);
    await clock(app, { now: from });
    const limit = 10;
    const created = await api(app, 'POST', '/keys', { name: `${reset} limited`, limit, limit_reset: reset });
    const hash = (created.json() as { data: KeyView }).data.hash;
    expect((await getKey(app, hash)).limit_remaining).toBe(limit);
    expect((await spend(app, hash, limit)).limit_remaining).toBe(0);
    expect((await spend(app, hash, 1)).limit_remaining).toBe(0);

    // An hour on, still the same window.
    await clock(app, { advance: '30m' });
    expect((await getKey(app, hash)).limit_remaining).toBe(0);
    await clock(app, { advance });
    const after = await getKey(app, hash);
    expect(after.limit_remaining).toBe(limit);
    expect(after.usage).toBe(limit + 1);
  });

  it('a key limited per day with BYOK counted is back to full after midnight', async () => {
    const app = buildTestDoor(door);
    await clock(app, { now: '2026-01-14T22:00:00Z' });
    await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { limit: 20, limit_reset: 'daily', include_byok_in_limit: true });
    // The dataset's usage of today counts, then our spend on top.
    const start = await getKey(app);
    const expected = Math.max(0, 20 - start.usage_daily - start.byok_usage_daily - 1 - 2);
    expect((await spend(app, DOCS_HASH, 1, 2)).limit_remaining).toBeCloseTo(expected, 6);
    await clock(app, { advance: '3h' });
    expect((await getKey(app)).limit_remaining).toBe(20);
  });

  it('totals never reset, however far the clock goes', async () => {
    const app = buildTestDoor(door);
    const before = await spend(app, DOCS_HASH, 5, 4);
    await clock(app, { advance: '400d' });
    const after = await getKey(app);
    expect(after).toMatchObject({
      usage: before.usage,
      byok_usage: before.byok_usage,
      usage_daily: 0,
      usage_weekly: 0,
      usage_monthly: 0,
      byok_usage_daily: 0,
      byok_usage_weekly: 0,
      byok_usage_monthly: 0,
    });
  });

  it('setting the clock backwards zeroes nothing, even across day, week and month starts', async () => {
    const app = buildTestDoor(door);
    const before = await spend(app, DOCS_HASH, 2, 1);
    await clock(app, { now: '2025-11-30T12:00:00Z' });
    expect(await getKey(app)).toEqual(before);
    await clock(app, { now: '2026-01-14T12:00:00Z' });
    // Back where it was, and no boundary lies between the last forward position and here.
    const back = await getKey(app);
    expect(back.usage).toBe(before.usage);
    expect(back.byok_usage).toBe(before.byok_usage);
  });

  it('jumping with {now} across midnight rolls like advancing does', async () => {
    const app = buildTestDoor(door);
    await clock(app, { now: '2026-01-14T23:30:00Z' });
    const before = await spend(app, DOCS_HASH, 1);
    await clock(app, { now: '2026-01-15T00:30:00Z' });
    const after = await getKey(app);
    expect(after.usage_daily).toBe(0);
    expect(after.usage_weekly).toBe(before.usage_weekly);
    expect(after.usage_monthly).toBe(before.usage_monthly);
  });
});

describe.each(DOORS)('expiry follows the clock (%s door)', (door) => {
  it('a key past its expires_at gets 401 as a bearer token, and stays listed', async () => {
    const app = buildTestDoor(door);
    const expiresAt = iso(Date.parse(TEST_NOW) + HOUR);
    const created = await api(app, 'POST', '/keys', { name: 'short-lived', expires_at: expiresAt });
    expect(created.statusCode).toBe(201);
    const { data, key } = created.json() as { data: KeyView; key: string };

    expect((await api(app, 'GET', '/key', undefined, key)).statusCode).toBe(200);
    await clock(app, { advance: '59m' });
    expect((await api(app, 'GET', '/key', undefined, key)).statusCode).toBe(200);
    await clock(app, { advance: '2m' });
    const expired = await api(app, 'GET', '/key', undefined, key);
    expect(expired.statusCode).toBe(401);
    expect(errorOf(expired).message).toMatch(/expired/i);
    const listed = (await api(app, 'GET', '/keys')).json() as { data: KeyView[] };
    expect(listed.data.map((k) => k.hash)).toContain(data.hash);
  });
});

describe('POST /__mock/clock with "now" and "frozen" together', () => {
  it('stands at exactly the instant given, even when real time moves between the two steps', async () => {
    // A real-time source that moves 1 ms every time it is read: setting first and freezing second
    // would stop the clock 1 ms past the instant asked for.
    let real = Date.UTC(2026, 0, 1);
    const { mock } = createInProcessMock({ now: TEST_NOW }, 'test', { realNow: () => (real += 1) });
    const at = '2026-01-14T12:00:00.000Z';
    const res = await mock.fetch('/__mock/clock', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ now: at, frozen: true }) });
    expect(await res.json()).toEqual({ now: at, frozen: true });
    expect((await mock.clock.now()).now).toBe(at);
  });
});
