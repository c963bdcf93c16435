import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, buildTestApp, buildTestDoor, ctl, DOORS } from '../helpers/build.js';

/**
 * Secrets come from a seeded stream, so a mock that starts again from the same seed draws the
 * secrets it drew last time. A state that already holds them (an export imported after a reset, a
 * state file after a restart) must not make `POST /keys` fail on a repeated hash.
 */
describe.each(DOORS)('POST /keys after the state came back (%s door)', (door) => {
  it('an export imported after a reset: every create is a 201 with a secret the state does not hold', async () => {
    const mock = buildTestDoor(door);
    const first: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await api(mock, 'POST', '/keys', { name: `before ${i}` });
      expect(created.statusCode).toBe(201);
      first.push(created.json<{ key: string }>().key);
    }
    const exported = (await ctl(mock, 'GET', '/state')).body;
    expect((await ctl(mock, 'POST', '/reset')).statusCode).toBe(200);
    expect((await ctl(mock, 'PUT', '/state', exported)).statusCode).toBe(200);

    const again: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await api(mock, 'POST', '/keys', { name: `after ${i}` });
      expect(created.statusCode, created.body).toBe(201);
      again.push(created.json<{ key: string }>().key);
    }
    expect(again.filter((key) => first.includes(key))).toEqual([]);
    expect(new Set(again).size).toBe(5);
    // Each new key opens the API as the key it is.
    const current = await api(mock, 'GET', '/key', undefined, again[0]);
    expect(current.statusCode).toBe(200);
  });

  it('a fresh start is deterministic: the same seed gives the same secrets', async () => {
    const secrets = async () => {
      const mock = buildTestDoor(door, { seed: 7 });
      const out: string[] = [];
      for (let i = 0; i < 3; i++) out.push((await api(mock, 'POST', '/keys', { name: `k${i}` })).json<{ key: string }>().key);
      return out;
    };
    expect(await secrets()).toEqual(await secrets());
  });
});

describe('POST /keys after a restart on a state file', () => {
  it('keys created before the restart do not make creates after it fail', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'orkm-create-')), 'state.json');
    const first = buildTestApp({ stateFile: path });
    await first.ready();
    for (let i = 0; i < 3; i++) expect((await api(first, 'POST', '/keys', { name: `before ${i}` })).statusCode).toBe(201);
    await first.close();

    const second = buildTestApp({ stateFile: path });
    for (let i = 0; i < 4; i++) {
      const created = await api(second, 'POST', '/keys', { name: `after ${i}` });
      expect(created.statusCode, created.body).toBe(201);
    }
  });
});
