/**
 * `GET /keys` order after writes, through HTTP: a key created with the clock set back lands among
 * the older keys, keys dated past 9999 (loaded through `PUT /__mock/state`) list first, and deep
 * pages stay right while keys are created, toggled and deleted in between.
 */
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { KeyView, StoreState } from '../../src/domain/types.js';
import { api, buildTestApp, ctl, TEST_NOW } from '../helpers/build.js';

const DAY = 86_400_000;

async function page(app: FastifyInstance, query: string): Promise<KeyView[]> {
  const res = await api(app, 'GET', `/keys${query}`);
  expect(res.statusCode).toBe(200);
  return (res.json() as { data: KeyView[] }).data;
}

/** Every key the default workspace lists (with disabled keys), page by page. */
async function everyPage(app: FastifyInstance, includeDisabled = true): Promise<KeyView[]> {
  const all: KeyView[] = [];
  for (let offset = 0; ; offset += 100) {
    const keys = await page(app, `?include_disabled=${includeDisabled}&offset=${offset}`);
    all.push(...keys);
    if (keys.length < 100) return all;
  }
}

async function state(app: FastifyInstance): Promise<StoreState> {
  const res = await ctl(app, 'GET', '/state');
  expect(res.statusCode).toBe(200);
  return res.json() as StoreState;
}

/** The promised order, by instants (not by text), computed from the exported state. */
async function expectedOrder(app: FastifyInstance, includeDisabled = true): Promise<string[]> {
  const account = (await state(app)).accounts[0]!;
  return account.keys
    .filter((k) => k.workspace_id === account.default_workspace_id && (includeDisabled || !k.disabled))
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || (a.hash < b.hash ? -1 : 1))
    .map((k) => k.hash);
}

async function create(app: FastifyInstance, name: string): Promise<KeyView> {
  const res = await api(app, 'POST', '/keys', { name });
  expect(res.statusCode).toBe(201);
  return (res.json() as { data: KeyView }).data;
}

describe('GET /keys order after writes', () => {
  it('a key created with the clock set back is listed where its created_at belongs, not first', async () => {
    const app = buildTestApp({ keys: 250 });
    const before = await everyPage(app);
    // An instant between two listed keys, well inside the listing.
    const older = before[120]!;
    const newer = before[119]!;
    const between = (Date.parse(older.created_at) + Date.parse(newer.created_at)) / 2;
    expect(Date.parse(newer.created_at) - Date.parse(older.created_at)).toBeGreaterThan(1);
    const set = await ctl(app, 'POST', '/clock', { now: new Date(Math.floor(between)).toISOString() });
    expect(set.statusCode).toBe(200);

    const backdated = await create(app, 'Backdated');
    const after = await everyPage(app);
    expect(after.map((k) => k.hash)).toEqual(await expectedOrder(app));
    expect(after.findIndex((k) => k.hash === backdated.hash)).toBe(120);
    expect(after[119]!.hash).toBe(newer.hash);
    expect(after[121]!.hash).toBe(older.hash);

    // Back to the present: the next key is the newest again.
    expect((await ctl(app, 'POST', '/clock', { now: TEST_NOW })).statusCode).toBe(200);
    const latest = await create(app, 'Latest');
    expect((await page(app, ''))[0]!.hash).toBe(latest.hash);
  });

  it('keys created in years past 9999, loaded through PUT /__mock/state, list first and in year order', async () => {
    const app = buildTestApp();
    const document = await state(app);
    const account = document.accounts[0]!;
    const template = account.keys.find((k) => k.workspace_id === account.default_workspace_id && !k.disabled)!;
    const dated = (hashDigit: string, created_at: string) => ({ ...template, hash: hashDigit.repeat(64), name: created_at, created_at, updated_at: null });
    account.keys.push(
      dated('a', '+010000-01-01T00:00:00.000Z'),
      dated('b', '+010001-01-01T00:00:00.000Z'),
      dated('c', '9999-12-31T23:59:59.999Z'),
      dated('d', '+010000-01-01T00:00:00.000Z'), // ties with "a": by hash
    );
    const load = await ctl(app, 'PUT', '/state', document);
    expect(load.statusCode).toBe(200);

    const listed = await page(app, '');
    expect(listed.slice(0, 4).map((k) => k.name)).toEqual([
      '+010001-01-01T00:00:00.000Z',
      '+010000-01-01T00:00:00.000Z',
      '+010000-01-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999Z',
    ]);
    expect(listed[1]!.hash).toBe('a'.repeat(64));
    expect(listed.map((k) => k.hash)).toEqual((await expectedOrder(app, false)).slice(0, 100));

    // A key created now goes after them, before every older key.
    const created = await create(app, 'Now');
    expect((await page(app, '')).map((k) => k.hash).indexOf(created.hash)).toBe(4);
    // PATCH on a far-future key: updated_at does not go back before its created_at.
    const patched = await api(app, 'PATCH', `/keys/${'b'.repeat(64)}`, { name: 'Renamed' });
    expect((patched.json() as { data: KeyView }).data.updated_at).toBe('+010001-01-01T00:00:00.000Z');
    // The exported state loads back as it was.
    const exported = await state(app);
    expect((await ctl(app, 'PUT', '/state', exported)).statusCode).toBe(200);
    expect(await state(app)).toEqual(exported);
  });

  it('deep pages stay right while keys are created, toggled and deleted between reads', async () => {
    const app = buildTestApp({ keys: 300 });
    for (let round = 0; round < 6; round++) {
      // The clock moves on, or goes back some days (the new key then lands mid-list).
      const clock = round % 3 === 1 ? { now: new Date(Date.parse(TEST_NOW) - round * DAY).toISOString() } : { advance: 1000 };
      expect((await ctl(app, 'POST', '/clock', clock)).statusCode).toBe(200);
      const listed = await everyPage(app);
      const victim = listed[(round * 37) % listed.length]!;
      const toggled = listed[(round * 53 + 11) % listed.length]!;
      expect((await api(app, 'PATCH', `/keys/${toggled.hash}`, { disabled: !toggled.disabled })).statusCode).toBe(200);
      expect((await api(app, 'DELETE', `/keys/${victim.hash}`)).statusCode).toBe(200);
      await create(app, `Round ${round}`);
      expect((await everyPage(app)).map((k) => k.hash)).toEqual(await expectedOrder(app, true));
      expect((await everyPage(app, false)).map((k) => k.hash)).toEqual(await expectedOrder(app, false));
      expect((await page(app, '?offset=150')).map((k) => k.hash)).toEqual((await expectedOrder(app, false)).slice(150, 250));
    }
  });
});
