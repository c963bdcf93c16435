/**
 * `waitForRequest(filter, { timeout })` on the test handle, on both doors that have one: the first
 * matching journal entry, already recorded (the oldest) or the next to arrive.
 */
import { describe, expect, it } from 'vitest';
import { buildTestDoor, DOCS_HASH, DOORS } from '../helpers/build.js';

describe.each(DOORS)('waitForRequest (%s)', (door) => {
  it('resolves at once with the oldest matching entry already recorded', async () => {
    const mock = buildTestDoor(door);
    await mock.request('PATCH', `/api/v1/keys/${DOCS_HASH}`, { headers: { authorization: `Bearer ${mock.managementKey}`, 'content-type': 'application/json' }, body: '{"name":"first"}' });
    await mock.request('PATCH', `/api/v1/keys/${DOCS_HASH}`, { headers: { authorization: `Bearer ${mock.managementKey}`, 'content-type': 'application/json' }, body: '{"name":"second"}' });
    const entry = await mock.handle.waitForRequest({ method: 'patch' });
    expect(entry.body).toEqual({ name: 'first' });
  });

  it('waits for the next matching request when none is recorded, ignoring the ones that do not match', async () => {
    const mock = buildTestDoor(door);
    const auth = { authorization: `Bearer ${mock.managementKey}`, 'content-type': 'application/json' };
    const waiting = mock.handle.waitForRequest({ method: 'DELETE', hash: DOCS_HASH }, { timeout: 10_000 });
    let settled = false;
    void waiting.then(() => (settled = true));
    await mock.request('GET', '/api/v1/keys', { headers: auth });
    await mock.request('PATCH', `/api/v1/keys/${DOCS_HASH}`, { headers: auth, body: '{"name":"not this one"}' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(settled).toBe(false);
    await mock.request('DELETE', `/api/v1/keys/${DOCS_HASH}`, { headers: auth });
    const entry = await waiting;
    expect(entry).toMatchObject({ method: 'DELETE', hash: DOCS_HASH, status: 200 });
  });

  it('rejects after its timeout saying what it waited for, and refuses a bad filter or timeout as requests() would', async () => {
    const mock = buildTestDoor(door);
    await expect(mock.handle.waitForRequest({ method: 'POST' }, { timeout: 20 })).rejects.toThrow(/waitForRequest\(\{"method":"POST"\}\): no such request within 20 ms/);
    await expect(mock.handle.waitForRequest({ status: 'x' as never })).rejects.toMatchObject({ status: 400 });
    await expect(mock.handle.waitForRequest({}, { timeout: -1 })).rejects.toMatchObject({ status: 400 });
  });

  it('rejects at once when the journal is off', async () => {
    const mock = buildTestDoor(door, { journalSize: 0 });
    await expect(mock.handle.waitForRequest({}, { timeout: 60_000 })).rejects.toThrow(/journal is off/);
  });
});
