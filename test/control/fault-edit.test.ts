/**
 * Fault rules turned off and on, edited, and their history (hits, last hit, used up): issue 21's
 * "Fault rules". Through the routes on both doors, and the test handle.
 */
import { describe, expect, it } from 'vitest';
import { createMockServer } from '../../src/index.js';
import { MAX_FAULT_RULES } from '../../src/domain/faults.js';
import { api, buildTestDoor, ctl, DOCS_HASH, DOORS, errorOf } from '../helpers/build.js';
import { addFault, expectEnvelope, faultsOf } from '../helpers/faults.js';

const FROZEN_AT = '2026-03-01T12:00:00.000Z';

describe.each(DOORS)('fault rules: enable, edit, history (%s door)', (door) => {
  it('a disabled rule never fires and is listed as disabled; enabled again, it fires', async () => {
    const app = buildTestDoor(door);
    const rule = await addFault(app, { match: { path: '/keys' }, status: 503, enabled: false });
    expect(rule).toMatchObject({ enabled: false, state: 'disabled', hits: 0, last_hit: null });
    expect((await api(app, 'GET', '/keys')).statusCode).toBe(200);

    const on = await ctl(app, 'PATCH', `/faults/${rule.id}`, { enabled: true });
    expect(on.statusCode).toBe(200);
    expect(on.json().data).toMatchObject({ id: rule.id, enabled: true, state: 'active' });
    expectEnvelope(await api(app, 'GET', '/keys'), 503);

    await ctl(app, 'PATCH', `/faults/${rule.id}`, { enabled: false });
    expect((await api(app, 'GET', '/keys')).statusCode).toBe(200);
    expect(await faultsOf(app)).toMatchObject([{ id: rule.id, enabled: false, state: 'disabled', hits: 1 }]);
  });

  it('hits and last_hit count the requests a rule answered, by the virtual clock', async () => {
    const app = buildTestDoor(door);
    await ctl(app, 'POST', '/clock', { now: FROZEN_AT, frozen: true });
    const rule = await addFault(app, { match: { method: 'GET', path: '/keys' }, status: 500 });
    expectEnvelope(await api(app, 'GET', '/keys'), 500);
    await ctl(app, 'POST', '/clock', { advance: '1h' });
    expectEnvelope(await api(app, 'GET', '/keys'), 500);
    expect(await faultsOf(app)).toMatchObject([{ id: rule.id, hits: 2, last_hit: '2026-03-01T13:00:00.000Z' }]);
    // The journal entry of that request has the same time.
    const journal = (await ctl(app, 'GET', '/requests?method=GET')).json().data as { time: string }[];
    expect(journal[0]!.time).toBe('2026-03-01T13:00:00.000Z');
  });

  it('a times: 1 rule used up stays listed as used up, never fires again, and an edit of times arms it anew', async () => {
    const app = buildTestDoor(door);
    const rule = await addFault(app, { match: { path: '/keys' }, status: 429, times: 1 });
    expectEnvelope(await api(app, 'GET', '/keys'), 429);
    expect((await api(app, 'GET', '/keys')).statusCode).toBe(200);
    expect(await faultsOf(app)).toMatchObject([{ id: rule.id, remaining: 0, hits: 1, state: 'used_up', times: 1 }]);

    const again = await ctl(app, 'PATCH', `/faults/${rule.id}`, { times: 2 });
    expect(again.json().data).toMatchObject({ remaining: 2, hits: 1, state: 'active' });
    expectEnvelope(await api(app, 'GET', '/keys'), 429);
    expect(await faultsOf(app)).toMatchObject([{ remaining: 1, hits: 2 }]);
  });

  it('an edit replaces the fields given, clears those sent as null, and keeps the rest', async () => {
    const app = buildTestDoor(door);
    const rule = await addFault(app, { match: { path: '/keys' }, status: 500, delay_ms: 5, retry_after: 3 });
    const res = await ctl(app, 'PATCH', `/faults/${rule.id}`, { match: { method: 'DELETE', path: '/keys/*' }, status: 502, delay_ms: null });
    expect(res.statusCode).toBe(200);
    const edited = res.json().data;
    expect(edited).toMatchObject({ id: rule.id, match: { method: 'DELETE', path: '/keys/*' }, status: 502, retry_after: 3 });
    expect(edited).not.toHaveProperty('delay_ms');
    // The new match applies, the old one no longer does.
    expect((await api(app, 'GET', '/keys')).statusCode).toBe(200);
    expectEnvelope(await api(app, 'DELETE', `/keys/${DOCS_HASH}`), 502);
  });

  it('a refused edit (a match that can never meet a request, a bad field, an unknown id) changes nothing', async () => {
    const app = buildTestDoor(door);
    const rule = await addFault(app, { match: { path: '/keys' }, status: 500 });
    const before = await faultsOf(app);

    const never = await ctl(app, 'PATCH', `/faults/${rule.id}`, { match: { path: '/__mock/faults' }, enabled: false });
    expect(never.statusCode).toBe(400);
    expect(errorOf(never).message).toContain('match.path');
    const bad = await ctl(app, 'PATCH', `/faults/${rule.id}`, { status: 200 });
    expect(bad.statusCode).toBe(400);
    const unknown = await ctl(app, 'PATCH', `/faults/${rule.id}`, { colour: 'red' });
    expect(unknown.statusCode).toBe(400);
    const missing = await ctl(app, 'PATCH', '/faults/fault_999', { enabled: false });
    expect(missing.statusCode).toBe(404);
    expect(errorOf(missing).message).toContain('fault_999');

    expect(await faultsOf(app)).toEqual(before);
    expectEnvelope(await api(app, 'GET', '/keys'), 500);
  });

  it('a rule re-enabled keeps its place: an older rule re-enabled does not override a newer one', async () => {
    const app = buildTestDoor(door);
    const older = await addFault(app, { match: { path: '/keys' }, status: 503 });
    await addFault(app, { match: { path: '/keys' }, status: 418 });
    await ctl(app, 'PATCH', `/faults/${older.id}`, { enabled: false });
    await ctl(app, 'PATCH', `/faults/${older.id}`, { enabled: true });
    expectEnvelope(await api(app, 'GET', '/keys'), 418);
  });

  it('at the cap, the oldest used-up rule makes way for a new one; with none used up, a 400', async () => {
    const app = buildTestDoor(door);
    const first = await addFault(app, { match: { path: '/keys' }, status: 500, times: 1 });
    expectEnvelope(await api(app, 'GET', '/keys'), 500);
    for (let i = 1; i < MAX_FAULT_RULES; i++) await addFault(app, { match: { path: '/keys/*' }, status: 500 });
    expect((await faultsOf(app)).length).toBe(MAX_FAULT_RULES);
    await addFault(app, { match: { method: 'POST', path: '/keys' }, status: 500 });
    const listed = await faultsOf(app);
    expect(listed.length).toBe(MAX_FAULT_RULES);
    expect(listed.some((r) => r.id === first.id)).toBe(false);
    const refused = await ctl(app, 'POST', '/faults', { status: 500 });
    expect(refused.statusCode).toBe(400);
  });
});

describe('the test handle', () => {
  it('editFault enables, disables and edits as PATCH /__mock/faults/:id does; a bad edit rejects with its 400', async () => {
    const server = await createMockServer({ port: 0 });
    try {
      const rule = await server.fault({ match: { path: '/keys' }, status: 500 });
      expect(await server.editFault(rule.id, { enabled: false })).toMatchObject({ state: 'disabled' });
      const res = await fetch(`${server.url}/keys`, { headers: { authorization: `Bearer ${server.managementKey}` } });
      expect(res.status).toBe(200);
      expect(await server.editFault(rule.id, { enabled: true, status: 503 })).toMatchObject({ state: 'active', status: 503 });
      await expect(server.editFault(rule.id, { status: 99 })).rejects.toMatchObject({ status: 400 });
      await expect(server.editFault('nope', { enabled: true })).rejects.toMatchObject({ status: 404 });
      expect(await server.faults()).toMatchObject([{ id: rule.id, status: 503, enabled: true }]);
    } finally {
      await server.close();
    }
  });
});
