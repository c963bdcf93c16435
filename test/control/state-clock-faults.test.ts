/**
 * The state document carries the clock and the fault rules when asked (`GET /__mock/state?include=clock,faults`),
 * and an import applies them when present: issue 21's "an export that includes clock and faults".
 * A document without them, every older one, imports as before and leaves them as they are.
 */
import { describe, expect, it } from 'vitest';
import { api, buildTestDoor, ctl, DOORS, errorOf } from '../helpers/build.js';
import { addFault, faultsOf } from '../helpers/faults.js';

const AT = '2026-05-01T08:30:00.000Z';

describe.each(DOORS)('state document with clock and faults (%s door)', (door) => {
  it('a plain export is as before: accounts only', async () => {
    const app = buildTestDoor(door);
    await addFault(app, { status: 500 });
    const doc = (await ctl(app, 'GET', '/state')).json();
    expect(Object.keys(doc)).toEqual(['accounts']);
  });

  it('?include=clock,faults exports both; importing that document brings them back (disabled rules included)', async () => {
    const app = buildTestDoor(door);
    await ctl(app, 'POST', '/clock', { now: AT, frozen: true });
    const slow = await addFault(app, { match: { method: 'GET', path: '/keys' }, status: 503, times: 3 });
    await addFault(app, { match: { path: '/keys/*' }, delay_ms: 5, enabled: false });
    const exported = (await ctl(app, 'GET', '/state?include=clock,faults')).json();
    expect(exported.clock).toEqual({ now: AT, frozen: true });
    expect(exported.faults).toEqual([
      { match: { path: '/keys/*' }, delay_ms: 5, enabled: false },
      { match: { method: 'GET', path: '/keys' }, status: 503, times: 3 },
    ]);

    // Everything changes, then the document is imported.
    await ctl(app, 'POST', '/clock', { advance: '3d', frozen: false });
    await ctl(app, 'DELETE', '/faults');
    await addFault(app, { status: 418 });
    const put = await ctl(app, 'PUT', '/state', exported);
    expect(put.statusCode).toBe(200);

    expect((await ctl(app, 'GET', '/clock')).json()).toEqual({ now: AT, frozen: true });
    const rules = await faultsOf(app);
    expect(rules.map((r) => [r.match, r.enabled, r.hits])).toEqual([
      [{ path: '/keys/*' }, false, 0],
      [{ method: 'GET', path: '/keys' }, true, 0],
    ]);
    expect(rules.map((r) => r.id)).not.toContain(slow.id);
    expect((await api(app, 'GET', '/keys')).statusCode).toBe(503);
    expect((await ctl(app, 'GET', '/state?include=clock,faults')).json()).toEqual(exported);
  });

  it('a document without clock and faults (an older one) leaves both as they are', async () => {
    const app = buildTestDoor(door);
    await ctl(app, 'POST', '/clock', { now: AT, frozen: true });
    await addFault(app, { match: { path: '/keys' }, status: 500 });
    const doc = (await ctl(app, 'GET', '/state')).json();
    expect((await ctl(app, 'PUT', '/state', doc)).statusCode).toBe(200);
    expect((await ctl(app, 'GET', '/clock')).json()).toEqual({ now: AT, frozen: true });
    expect(await faultsOf(app)).toHaveLength(1);
  });

  it('a bad clock or fault rule in the document is a 400 naming it, and nothing changes (keys, clock, rules)', async () => {
    const app = buildTestDoor(door);
    await ctl(app, 'POST', '/clock', { now: AT, frozen: true });
    await addFault(app, { match: { path: '/keys' }, status: 500 });
    const full = (await ctl(app, 'GET', '/state?include=clock,faults')).json();
    const before = (await ctl(app, 'GET', '/state?include=clock,faults')).body;
    const emptied = { ...full, accounts: full.accounts.map((a: { keys: unknown[] }) => ({ ...a, keys: [] })) };

    const badFault = await ctl(app, 'PUT', '/state', { ...emptied, clock: { now: '2027-01-01T00:00:00Z', frozen: false }, faults: [{ match: { path: '/__mock/x' } }] });
    expect(badFault.statusCode).toBe(400);
    expect(errorOf(badFault).message).toMatch(/faults\[0\].*match.*path/);
    const badClock = await ctl(app, 'PUT', '/state', { ...emptied, clock: { now: 'yesterday', frozen: false }, faults: [] });
    expect(badClock.statusCode).toBe(400);
    expect(errorOf(badClock).message).toMatch(/clock.*now/);
    const badShape = await ctl(app, 'PUT', '/state', { ...emptied, faults: [{ status: 200 }] });
    expect(badShape.statusCode).toBe(400);

    expect((await ctl(app, 'GET', '/state?include=clock,faults')).body).toBe(before);
  });

  it('?include takes clock, faults or both; anything else is a 400', async () => {
    const app = buildTestDoor(door);
    expect(Object.keys((await ctl(app, 'GET', '/state?include=clock')).json())).toEqual(['accounts', 'clock']);
    expect(Object.keys((await ctl(app, 'GET', '/state?include=faults')).json())).toEqual(['accounts', 'faults']);
    expect((await ctl(app, 'GET', '/state?include=keys')).statusCode).toBe(400);
  });

  it('the handle: state({include}) is the route\'s export, and load() of it round-trips', async () => {
    const app = buildTestDoor(door);
    await ctl(app, 'POST', '/clock', { now: AT, frozen: true });
    await addFault(app, { match: { path: '/keys' }, status: 500 });
    const doc = await app.handle.state({ include: ['clock', 'faults'] });
    expect(doc).toEqual((await ctl(app, 'GET', '/state?include=clock,faults')).json());
    await app.handle.clearFaults();
    await app.handle.load(doc);
    expect(await app.handle.state({ include: ['clock', 'faults'] })).toEqual(doc);
    await expect(app.handle.state({ include: ['keys' as 'clock'] })).rejects.toMatchObject({ status: 400 });
  });
});
