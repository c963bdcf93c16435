/**
 * The request journal (`GET/DELETE /__mock/requests`): a bounded ring buffer of API requests,
 * newest first, filterable, never holding a secret.
 */
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/domain/journal.js';
import type { KeyView } from '../../src/domain/types.js';
import { api, buildTestDoor, ctl, DOCS_HASH, DOORS, errorOf, LOCAL_DEV_KEY, MANAGEMENT_KEY, TEST_NOW, type DoorRequest, type Target } from '../helpers/build.js';

interface JournalPage {
  data: JournalEntry[];
  meta: { total: number; capacity: number; enabled: boolean; next_before: number | null };
}

async function journal(app: Target, query = ''): Promise<JournalPage> {
  const res = await ctl(app, 'GET', `/requests${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as JournalPage;
}

const firstAccountId = async (app: Target) => ((await ctl(app, 'GET', '/accounts')).json() as { data: { id: string }[] }).data[0]!.id;

describe.each(DOORS)('the request journal (%s door)', (door) => {
  describe('GET /__mock/requests', () => {
    it('records method, path, query, body, status, duration, account and hash', async () => {
      const app = buildTestDoor(door);
      const body = { name: 'Journalled', limit: 12.5 };
      const res = await api(app, 'PATCH', `/keys/${DOCS_HASH}?trace=abc`, body);
      expect(res.statusCode).toBe(200);

      const page = await journal(app);
      expect(page.meta).toEqual({ total: 1, capacity: 1000, enabled: true, next_before: null });
      const [entry] = page.data;
      expect(entry).toMatchObject({
        method: 'PATCH',
        path: `/api/v1/keys/${DOCS_HASH}`,
        query: { trace: 'abc' },
        body,
        status: 200,
        account_id: await firstAccountId(app),
        hash: DOCS_HASH,
      });
      expect(typeof entry!.id).toBe('number');
      expect(entry!.duration_ms).toBeGreaterThanOrEqual(0);
      expect(entry!.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      // The time is the virtual clock's (within the request's own duration).
      expect(Math.abs(Date.parse(entry!.time) - Date.parse(TEST_NOW))).toBeLessThanOrEqual(entry!.duration_ms + 1);
    });

    it('records failed requests too: 401 without an account, 404, 400', async () => {
      const app = buildTestDoor(door);
      await app.inject({ method: 'GET', url: '/api/v1/keys' });
      await api(app, 'GET', `/keys/${'0'.repeat(64)}`);
      await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { limit: 'lots' });
      const { data } = await journal(app);
      expect(data.map((e) => [e.method, e.status])).toEqual([
        ['PATCH', 400],
        ['GET', 404],
        ['GET', 401],
      ]);
      expect(data[2]!.account_id).toBeNull();
      expect(data[1]!.account_id).toBe(await firstAccountId(app));
    });

    it('records every answer once, with the status the client got, whichever part of the mock gave it', async () => {
      const app = buildTestDoor(door, { bodyLimit: 1024 });
      const auth = { authorization: `Bearer ${MANAGEMENT_KEY}` };
      const json = { ...auth, 'content-type': 'application/json' };
      const patch = `/api/v1/keys/${DOCS_HASH}`;
      await ctl(app, 'POST', '/faults', { match: { method: 'DELETE' }, status: 503, times: 1 });
      const requests: DoorRequest[] = [
        { method: 'GET', url: '/api/v1/keys' }, // 401: the auth hook
        { method: 'GET', url: '/api/v1/keys', headers: { authorization: `Bearer ${LOCAL_DEV_KEY}` } }, // 403
        { method: 'PATCH', url: patch, headers: { ...auth, 'content-type': 'text/plain' }, payload: 'x' }, // 415: the parser
        { method: 'PATCH', url: patch, headers: json, payload: JSON.stringify({ name: 'x'.repeat(2000) }) }, // 413
        { method: 'PATCH', url: patch, headers: json, payload: '{"name":' }, // 400: malformed JSON
        { method: 'PATCH', url: patch, headers: json, payload: JSON.stringify({ limit: -1 }) }, // 400: validation
        { method: 'PATCH', url: patch, headers: { ...json, 'x-mock-response': 'status=9' }, payload: '{}' }, // 400: bad header
        { method: 'PATCH', url: `/api/v1/keys/${'0'.repeat(64)}`, headers: json, payload: '{}' }, // 404: the store
        { method: 'DELETE', url: patch, headers: auth }, // 503: a rule
        { method: 'PATCH', url: patch, headers: { ...json, 'x-mock-response': 'status=429' }, payload: '{}' }, // 429: the header
        { method: 'POST', url: '/api/v1/keys', headers: json, payload: JSON.stringify({ name: 'journalled' }) }, // 201
        { method: 'GET', url: '/api/v1/key', headers: auth }, // 200
        { method: 'HEAD', url: '/api/v1/keys', headers: auth }, // 200
      ];
      const statuses: number[] = [];
      for (const request of requests) statuses.push((await app.inject(request)).statusCode);
      expect(statuses).toEqual([401, 403, 415, 413, 400, 400, 400, 404, 503, 429, 201, 200, 200]);
      const { data } = await journal(app);
      expect(data.map((e) => [e.method, e.status]).reverse()).toEqual(requests.map((r, i) => [r.method, statuses[i]]));
      for (const entry of data) expect(entry.duration_ms).toBeGreaterThanOrEqual(0);
    });

    it('past the newest 100 entries, an entry says trimmed: its request headers and success body gone, its request and an error kept', async () => {
      const app = buildTestDoor(door);
      await api(app, 'PATCH', `/keys/${'0'.repeat(64)}`, { name: 'missing' }); // 404: its error stays
      await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'first' }); // 200: its body goes
      for (let i = 0; i < 100; i++) await api(app, 'GET', '/key');
      const { data } = await journal(app);
      expect(data).toHaveLength(102);
      expect(data.slice(0, 100).every((e) => e.trimmed === undefined && e.request_headers.authorization !== undefined && e.response.body !== null)).toBe(true);
      const [success, refused] = data.slice(100);
      expect(success).toMatchObject({ status: 200, body: { name: 'first' }, request_headers: {}, response: { body: null }, trimmed: true });
      expect(refused).toMatchObject({ status: 404, body: { name: 'missing' }, request_headers: {}, trimmed: true });
      expect(refused!.error).toMatch(/not found/i);
      expect(refused!.response.body).toMatchObject({ error: { code: 404 } });
    });

    it('is newest first, with increasing ids', async () => {
      const app = buildTestDoor(door);
      const sent: [string, Record<string, unknown>][] = [
        ['/api/v1/keys', {}],
        [`/api/v1/keys/${DOCS_HASH}`, {}],
        ['/api/v1/key', {}],
        ['/api/v1/keys', { offset: 1 }],
      ];
      for (const [path, query] of sent) {
        const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
        await api(app, 'GET', `${path.slice('/api/v1'.length)}${qs ? `?${qs}` : ''}`);
      }
      const { data } = await journal(app);
      expect(data.map((e) => [e.path, Object.fromEntries(Object.entries(e.query).map(([k, v]) => [k, Number(v)]))])).toEqual([...sent].reverse());
      const ids = data.map((e) => e.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
    });

    it('never records control requests', async () => {
      const app = buildTestDoor(door);
      await api(app, 'GET', '/keys');
      await ctl(app, 'GET', '/state');
      await ctl(app, 'POST', '/clock', { advance: 1 });
      await ctl(app, 'POST', `/keys/${DOCS_HASH}/usage`, { amount: 1 });
      await ctl(app, 'GET', '/health');
      const { data, meta } = await journal(app);
      expect(meta.total).toBe(1);
      expect(data.map((e) => e.path)).toEqual(['/api/v1/keys']);
    });

    it('filters: method, exact path, path prefix, hash, status, since, limit — and their combination', async () => {
      const app = buildTestDoor(door);
      const other = ((await api(app, 'GET', '/keys')).json() as { data: KeyView[] }).data.find((k) => k.hash !== DOCS_HASH)!.hash;
      await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'one' });
      await api(app, 'PATCH', `/keys/${other}`, { limit: 'bad' });
      const mid = Date.parse(TEST_NOW) + 3_600_000;
      await ctl(app, 'POST', '/clock', { now: new Date(mid).toISOString() });
      await api(app, 'GET', `/keys/${DOCS_HASH}`);
      await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'two' });
      await api(app, 'GET', '/key');

      const all = (await journal(app)).data;
      expect(all).toHaveLength(6);
      const expect_ = async (query: string, predicate: (e: JournalEntry) => boolean) => {
        const expected = all.filter(predicate);
        expect(expected.length, query).toBeGreaterThan(0);
        expect((await journal(app, query)).data, query).toEqual(expected);
      };
      await expect_('?method=PATCH', (e) => e.method === 'PATCH');
      await expect_('?method=patch', (e) => e.method === 'PATCH');
      await expect_('?path=/api/v1/keys', (e) => e.path === '/api/v1/keys');
      await expect_(`?path=/api/v1/keys/${DOCS_HASH}`, (e) => e.path === `/api/v1/keys/${DOCS_HASH}`);
      await expect_('?path=/api/v1/keys/*', (e) => e.path.startsWith('/api/v1/keys/'));
      await expect_(`?hash=${other}`, (e) => e.hash === other);
      await expect_('?status=400', (e) => e.status === 400);
      const halfway = new Date(mid - 1_800_000).toISOString();
      await expect_(`?since=${encodeURIComponent(halfway)}`, (e) => Date.parse(e.time) >= mid - 1_800_000);
      expect((await journal(app, `?since=${encodeURIComponent(halfway)}`)).data).toEqual(all.slice(0, 3));
      await expect_(`?method=PATCH&hash=${DOCS_HASH}&since=${encodeURIComponent(halfway)}`, (e) => e.method === 'PATCH' && e.hash === DOCS_HASH && Date.parse(e.time) >= mid - 1_800_000);
      expect((await journal(app, '?limit=2')).data).toEqual(all.slice(0, 2));
      expect((await journal(app, '?method=PATCH&limit=1')).data).toEqual(all.filter((e) => e.method === 'PATCH').slice(0, 1));
      expect((await journal(app, '?method=PATCH&hash=' + DOCS_HASH)).data.map((e) => e.body)).toEqual([{ name: 'two' }, { name: 'one' }]);
      expect((await journal(app, '?status=201')).data).toEqual([]);
    });

    it('since = the instant the clock was set to includes the requests made at that instant', async () => {
      const app = buildTestDoor(door);
      await api(app, 'GET', '/keys');
      const at = '2026-02-01T10:00:00.000Z';
      await ctl(app, 'POST', '/clock', { now: at });
      await api(app, 'GET', `/keys/${DOCS_HASH}`);
      await api(app, 'GET', '/key');
      // The clock stands still at `at`, so both requests arrived at exactly `at`.
      const { data } = await journal(app, `?since=${encodeURIComponent(at)}`);
      expect(data.map((e) => e.path)).toEqual(['/api/v1/key', `/api/v1/keys/${DOCS_HASH}`]);
      for (const entry of data) expect(Date.parse(entry.time)).toBeGreaterThanOrEqual(Date.parse(at));
    });

    it.each([
      ['status=abc'],
      ['status=700'],
      ['since=yesterday'],
      ['limit=0'],
      ['limit=-1'],
      ['method='],
    ])('a bad filter (%s) → 400 envelope', async (query) => {
      const app = buildTestDoor(door);
      await api(app, 'GET', '/keys');
      const res = await ctl(app, 'GET', `/requests?${query}`);
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).code).toBe(400);
      expect((await journal(app)).meta.total).toBe(1);
    });
  });

  describe('DELETE /__mock/requests', () => {
    it('empties the journal and says how many it removed; recording goes on', async () => {
      const app = buildTestDoor(door);
      for (let i = 0; i < 3; i++) await api(app, 'GET', '/keys');
      const res = await ctl(app, 'DELETE', '/requests');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ deleted: 3 });
      expect(await journal(app)).toEqual({ data: [], meta: { total: 0, capacity: 1000, enabled: true, next_before: null } });
      await api(app, 'GET', '/key');
      expect((await journal(app)).data.map((e) => e.path)).toEqual(['/api/v1/key']);
    });
  });

  describe('the bound (--journal-size)', () => {
    it('--journal-size 3 never grows past 3: ten requests keep the newest three', async () => {
      const app = buildTestDoor(door, { journalSize: 3 });
      for (let i = 0; i < 10; i++) {
        await api(app, 'GET', `/keys?offset=${i}`);
        const { data, meta } = await journal(app);
        expect(data.length).toBe(Math.min(i + 1, 3));
        expect(meta).toEqual({ total: Math.min(i + 1, 3), capacity: 3, enabled: true, next_before: null });
      }
      const { data } = await journal(app);
      expect(data.map((e) => Number(e.query.offset))).toEqual([9, 8, 7]);
      // After clearing, it fills and wraps again.
      await ctl(app, 'DELETE', '/requests');
      for (let i = 0; i < 5; i++) await api(app, 'GET', `/keys?offset=${i}`);
      expect((await journal(app)).data.map((e) => Number(e.query.offset))).toEqual([4, 3, 2]);
    });

    it('--journal-size 0 disables it', async () => {
      const app = buildTestDoor(door, { journalSize: 0 });
      for (let i = 0; i < 3; i++) await api(app, 'GET', '/keys');
      expect(await journal(app)).toEqual({ data: [], meta: { total: 0, capacity: 0, enabled: false, next_before: null } });
      expect((await ctl(app, 'DELETE', '/requests')).json()).toEqual({ deleted: 0 });
    });

    it('a large body is kept as a summary, not in full', async () => {
      const app = buildTestDoor(door);
      const name = 'n'.repeat(40_000);
      await api(app, 'POST', '/keys', { name });
      const [entry] = (await journal(app)).data;
      expect(JSON.stringify(entry).length).toBeLessThan(20_000);
      expect(entry!.body).toMatchObject({ _truncated: true });
    });
  });

  describe('the journal never holds a secret', () => {
    it('POST /keys: neither the returned key, nor the management key, nor the Authorization header in the clear is in the journal', async () => {
      const app = buildTestDoor(door);
      const created = await api(app, 'POST', '/keys', { name: 'secret holder' });
      expect(created.statusCode).toBe(201);
      const plaintext = (created.json() as { key: string }).key;
      expect(plaintext).toMatch(/^sk-or-v1-/);
      // The new key as a bearer token, and the dataset's known ordinary key.
      await api(app, 'GET', '/key', undefined, plaintext);
      await api(app, 'GET', '/key', undefined, LOCAL_DEV_KEY);
      await api(app, 'GET', '/keys', undefined, `${MANAGEMENT_KEY}x`);

      const text = (await ctl(app, 'GET', '/requests')).body;
      expect((JSON.parse(text) as JournalPage).meta.total).toBe(4);
      for (const secret of [plaintext, MANAGEMENT_KEY, `Bearer ${MANAGEMENT_KEY}`, LOCAL_DEV_KEY, `${MANAGEMENT_KEY}x`]) {
        expect(text).not.toContain(secret);
      }
      // The Authorization header is shown masked as the journal masks keys elsewhere (its label).
      const entries = (JSON.parse(text) as JournalPage).data;
      const label = (key: string) => `sk-or-v1-${key.slice(9, 12)}...${key.slice(-4)}`;
      expect(entries.map((e) => e.request_headers.authorization)).toEqual([
        `Bearer ${label(`${MANAGEMENT_KEY}x`)}`,
        `Bearer ${label(LOCAL_DEV_KEY)}`,
        `Bearer ${label(plaintext)}`,
        `Bearer ${label(MANAGEMENT_KEY)}`,
      ]);
      // The created key's answer has its plaintext redacted, its label kept.
      expect(entries[3]!.response.body).toMatchObject({ key: '[redacted]', data: { name: 'secret holder' } });
    });

    it('a body field named api_key (POST /keys external.api_key) is redacted; an sk-or-v1-… string is masked', async () => {
      const app = buildTestDoor(door);
      const providerSecret = 'provider-secret-value-123456';
      const embedded = `sk-or-v1-${'ab12'.repeat(16)}`;
      await api(app, 'POST', '/keys', { name: `copied ${embedded} by mistake`, external: { user: 'u-1', api_key: providerSecret } });
      await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'x', notes: [{ token: 'tok-123456789' }, embedded] });

      const text = (await ctl(app, 'GET', '/requests')).body;
      for (const secret of [providerSecret, embedded, 'tok-123456789']) expect(text).not.toContain(secret);
      const [patch, post] = (JSON.parse(text) as JournalPage).data;
      expect(post!.body).toMatchObject({ external: { user: 'u-1', api_key: '[redacted]' } });
      expect((post!.body as { name: string }).name).toMatch(/^copied sk-or-v1-.+ by mistake$/);
      expect(patch!.body).toMatchObject({ name: 'x' });
    });

    it('a plaintext key sent in the query string is not kept', async () => {
      const app = buildTestDoor(door);
      const leaked = `sk-or-v1-${'cd34'.repeat(16)}`;
      await api(app, 'GET', `/keys?api_key=${leaked}`);
      await api(app, 'GET', `/keys?offset=0&q=${leaked}`);
      const text = (await ctl(app, 'GET', '/requests')).body;
      expect((JSON.parse(text) as JournalPage).meta.total).toBe(2);
      expect(text).not.toContain(leaked);
    });

    it('a plaintext key pasted where the hash belongs (GET /keys/sk-or-v1-…) is not kept', async () => {
      const app = buildTestDoor(door);
      const created = (await api(app, 'POST', '/keys', { name: 'pasted' })).json() as { key: string };
      const res = await api(app, 'GET', `/keys/${created.key}`);
      expect(res.statusCode).toBe(404);
      const text = (await ctl(app, 'GET', '/requests')).body;
      expect((JSON.parse(text) as JournalPage).meta.total).toBe(2);
      expect(text).not.toContain(created.key);
    });
  });

  describe('faulted requests in the journal', () => {
    it('a request that got an injected 500 is recorded with its status and the body the client sent', async () => {
      const app = buildTestDoor(door);
      await ctl(app, 'POST', '/faults', { match: { method: 'PATCH' }, status: 500, times: 1 });
      const body = { name: 'sent while failing' };
      expect((await api(app, 'PATCH', `/keys/${DOCS_HASH}`, body)).statusCode).toBe(500);
      expect((await api(app, 'PATCH', `/keys/${DOCS_HASH}`, body)).statusCode).toBe(200);
      const { data } = await journal(app, '?method=PATCH');
      expect(data.map((e) => e.status)).toEqual([200, 500]);
      // "The app sent exactly this PATCH" must hold for the failed attempt too.
      expect(data[1]!.body).toEqual(body);
      expect(data[1]!.hash).toBe(DOCS_HASH);
    });
  });

  describe('through the handle', () => {
    it('requests(filter) equals GET /__mock/requests data; since takes a Date; clearRequests() empties it', async () => {
      const app = buildTestDoor(door);
      const handle = app.handle;
      await api(app, 'GET', '/keys');
      await ctl(app, 'POST', '/clock', { advance: '1h' });
      await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'via handle' });
      await api(app, 'GET', '/key');

      expect(await handle.requests()).toEqual((await journal(app)).data);
      expect(await handle.requests({ method: 'PATCH' })).toEqual((await journal(app, '?method=PATCH')).data);
      const since = new Date(Date.parse(TEST_NOW) + 1_800_000);
      expect(await handle.requests({ since })).toEqual((await journal(app, `?since=${encodeURIComponent(since.toISOString())}`)).data);
      expect(await handle.requests({ since: since.getTime() })).toHaveLength(2);
      expect(await handle.requests({ limit: 1 })).toEqual((await journal(app, '?limit=1')).data);

      expect(await handle.clearRequests()).toEqual({ deleted: 3 });
      expect((await journal(app)).data).toEqual([]);
    });
  });
});

describe.each(DOORS)('journal cursors, paging and filter names (%s door)', (door) => {
  it('pages with limit and meta.next_before; after: id keeps only later entries; ids go on counting after a clear', async () => {
    const app = buildTestDoor(door);
    for (let i = 0; i < 5; i++) await api(app, 'GET', '/keys');
    const first = await journal(app, '?limit=2');
    expect(first.data).toHaveLength(2);
    expect(first.meta.next_before).toBe(first.data[1]!.id);
    const second = await journal(app, `?limit=2&before=${first.meta.next_before}`);
    const third = await journal(app, `?limit=2&before=${second.meta.next_before}`);
    expect([...first.data, ...second.data, ...third.data].map((e) => e.id)).toEqual([5, 4, 3, 2, 1].map((n) => first.data[0]!.id - 5 + n));
    expect(third.meta.next_before).toBeNull();
    const newest = first.data[0]!.id;
    expect((await journal(app, `?after=${newest - 2}`)).data.map((e) => e.id)).toEqual([newest, newest - 1]);
    await ctl(app, 'DELETE', '/requests');
    await api(app, 'GET', '/key');
    expect((await journal(app)).data[0]!.id).toBe(newest + 1);
  });

  it('refuses an unknown filter name, naming the closest one (route and handle)', async () => {
    const app = buildTestDoor(door);
    const res = await ctl(app, 'GET', '/requests?methd=PATCH');
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toMatch(/field "methd" is not a filter \(did you mean "method"\?/);
    await expect(app.handle.waitForRequest({ methd: 'PATCH' } as never, { timeout: 10 })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/did you mean "method"/) });
    await expect(app.handle.waitForRequest({}, { timout: 10 } as never)).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/did you mean "timeout"/) });
  });

  it('waitForRequest({ next: true }) ignores what is already recorded and resolves with the next request', async () => {
    const app = buildTestDoor(door);
    await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'old' });
    const waiting = app.handle.waitForRequest({ method: 'PATCH' }, { next: true, timeout: 10_000 });
    await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'new' });
    expect((await waiting).body).toEqual({ name: 'new' });
  });
});

describe.each(DOORS)('a malformed %XX in the query string (%s door)', (door) => {
  it.each(['/api/v1/keys?foo=%zz', '/api/v1/keys?%E0%A4%A=1', '/__mock/requests?method=%zz'])('%s → 400 Malformed URL', async (url) => {
    const app = buildTestDoor(door);
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${MANAGEMENT_KEY}` } });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toMatch(/^Malformed URL/);
  });
});
