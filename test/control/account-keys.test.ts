/**
 * `GET /__mock/accounts/:id/keys`: an account's keys as `GET /api/v1/keys` lists them, read on the
 * control plane (the inspector's reads), so that they never show in the journal, use up a fault
 * rule or pay `--latency`.
 */
import { describe, expect, it } from 'vitest';
import type { KeyView } from '../../src/domain/types.js';
import { api, buildTestDoor, ctl, DOORS, errorOf } from '../helpers/build.js';

const firstAccount = async (app: Parameters<typeof ctl>[0]) => ((await ctl(app, 'GET', '/accounts')).json() as { data: { id: string; workspace_ids: string[] }[] }).data[0]!;

describe.each(DOORS)('GET /__mock/accounts/:id/keys (%s door)', (door) => {
  it('answers what GET /api/v1/keys answers, for the same offset and include_disabled', async () => {
    const app = buildTestDoor(door);
    const account = await firstAccount(app);
    const keys = (await api(app, 'GET', '/keys?include_disabled=true')).json() as { data: KeyView[] };
    expect(keys.data.length).toBeGreaterThan(1);
    // One key disabled, so that include_disabled matters.
    expect((await api(app, 'PATCH', `/keys/${keys.data[0]!.hash}`, { disabled: true })).statusCode).toBe(200);
    for (const query of ['', '?include_disabled=true', '?include_disabled=false', '?offset=1', '?offset=1&include_disabled=true', `?workspace_id=${account.workspace_ids[0]}`]) {
      const expected = await api(app, 'GET', `/keys${query}`);
      const read = await ctl(app, 'GET', `/accounts/${account.id}/keys${query}`);
      expect(read.statusCode, query).toBe(200);
      expect(read.json(), query).toEqual(expected.json());
    }
    expect(await app.handle.accountKeys(account.id, { include_disabled: 'true', offset: 1 })).toEqual(
      (await api(app, 'GET', '/keys?include_disabled=true&offset=1')).json().data,
    );
    await app.close();
  });

  it('is not journalled, not faulted and not delayed', async () => {
    const app = buildTestDoor(door, { latency: '60000' });
    const account = await firstAccount(app);
    const rule = (await ctl(app, 'POST', '/faults', { match: { method: 'GET', path: '/keys' }, status: 503, times: 1 })).json().data as { id: string };
    const read = await ctl(app, 'GET', `/accounts/${account.id}/keys`);
    expect(read.statusCode).toBe(200);
    expect(await app.handle.requests()).toEqual([]);
    expect((await app.handle.faults()).find((r) => r.id === rule.id)).toMatchObject({ remaining: 1, hits: 0 });
    await app.close();
  });

  it('refuses an unknown account and a bad query with the API error envelope', async () => {
    const app = buildTestDoor(door);
    const account = await firstAccount(app);
    const unknown = await ctl(app, 'GET', '/accounts/nope/keys');
    expect(unknown.statusCode).toBe(404);
    expect(errorOf(unknown)).toEqual({ code: 404, message: 'Account not found: "nope"' });
    const badOffset = await ctl(app, 'GET', `/accounts/${account.id}/keys?offset=-1`);
    expect(badOffset.statusCode).toBe(400);
    expect(errorOf(badOffset).code).toBe(400);
    const foreign = await ctl(app, 'GET', `/accounts/${account.id}/keys?workspace_id=00000000-0000-4000-8000-000000000000`);
    expect(foreign.statusCode).toBe(400);
    expect(errorOf(foreign).message).toContain('workspace_id');
    await app.handle.accountKeys('nope').then(
      () => expect.unreachable(),
      (error: { status?: number }) => expect(error.status).toBe(404),
    );
    await app.close();
  });
});
