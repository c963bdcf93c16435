import { describe, expect, it } from 'vitest';
import type { KeyView } from '../../src/domain/types.js';
import { DOCS_WORKSPACE_ID } from '../../src/data/dataset.js';
import { api, buildTestDoor, errorOf, DOORS, type Target } from '../helpers/build.js';

type List = { data: KeyView[] };
const list = async (app: Target, query = '') => {
  const res = await api(app, 'GET', `/keys${query}`);
  expect(res.statusCode).toBe(200);
  return (res.json() as List).data;
};

const isNewestFirst = (keys: KeyView[]) =>
  keys.every((k, i) => i === 0 || keys[i - 1]!.created_at > k.created_at || (keys[i - 1]!.created_at === k.created_at && keys[i - 1]!.hash < k.hash));

describe.each(DOORS)('GET /api/v1/keys (%s door)', (door) => {
  it('lists enabled keys of the default workspace, newest first', async () => {
    const app = buildTestDoor(door);
    const keys = await list(app);
    expect(keys.length).toBeGreaterThan(5);
    expect(keys.every((k) => !k.disabled && k.workspace_id === DOCS_WORKSPACE_ID)).toBe(true);
    expect(isNewestFirst(keys)).toBe(true);
  });

  it('include_disabled=true adds the disabled keys; false is the default', async () => {
    const app = buildTestDoor(door);
    const enabled = await list(app);
    const explicit = await list(app, '?include_disabled=false');
    const all = await list(app, '?include_disabled=true');
    expect(explicit).toEqual(enabled);
    const disabled = all.filter((k) => k.disabled);
    expect(disabled.length).toBeGreaterThan(0);
    expect(all.length).toBe(enabled.length + disabled.length);
    expect(isNewestFirst(all)).toBe(true);
  });

  it('lists expired keys like any other', async () => {
    const app = buildTestDoor(door);
    const now = new Date(app.mock.clock.now()).toISOString();
    expect((await list(app, '?include_disabled=true')).some((k) => k.expires_at !== null && k.expires_at < now)).toBe(true);
  });

  it('pages 100 at a time with offset, without gaps or repeats', async () => {
    const app = buildTestDoor(door, { keys: 250 });
    const all = [];
    for (let offset = 0; ; offset += 100) {
      const page = await list(app, `?include_disabled=true&offset=${offset}`);
      expect(page.length).toBeLessThanOrEqual(100);
      all.push(...page);
      if (page.length < 100) break;
    }
    const hashes = new Set(all.map((k) => k.hash));
    expect(hashes.size).toBe(all.length);
    const owned = [...app.mock.store.listAccounts()[0]!.keys.values()].filter((k) => k.workspace_id === DOCS_WORKSPACE_ID);
    expect(all.length).toBe(owned.length);
    expect(isNewestFirst(all)).toBe(true);
    expect(await list(app, `?offset=${all.length + 10}`)).toEqual([]);
  });

  it('workspace_id selects another workspace of the account', async () => {
    const app = buildTestDoor(door, { keys: 60 });
    const account = app.mock.store.listAccounts()[0]!;
    const other = account.state.workspace_ids.find((w) => w !== DOCS_WORKSPACE_ID)!;
    const keys = await list(app, `?include_disabled=true&workspace_id=${other}`);
    const expected = [...account.keys.values()].filter((k) => k.workspace_id === other).length;
    expect(expected).toBeGreaterThan(0);
    expect(keys.length).toBe(expected);
    expect(keys.every((k) => k.workspace_id === other)).toBe(true);
  });

  it.each([
    ['?offset=abc', 'offset'],
    ['?offset=-1', 'offset'],
    ['?offset=1.5', 'offset'],
    ['?include_disabled=yes', 'include_disabled'],
    ['?include_disabled=TRUE', 'include_disabled'],
    ['?workspace_id=not-a-uuid', 'workspace_id'],
    [`?workspace_id=${'1'.repeat(8)}-1111-1111-1111-${'1'.repeat(12)}`, 'workspace_id'],
  ])('rejects %s with 400 naming the parameter', async (query, name) => {
    const app = buildTestDoor(door);
    const res = await api(app, 'GET', `/keys${query}`);
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toContain(`"${name}"`);
  });

  it('ignores unknown query parameters', async () => {
    const app = buildTestDoor(door);
    expect(await list(app, '?foo=bar')).toEqual(await list(app));
  });
});
