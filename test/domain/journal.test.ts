import { describe, expect, it } from 'vitest';
import { answerBytes, DETAIL_KEPT, HEADER_VALUE_LIMIT, JOURNAL_BODY_LIMIT, JOURNAL_HEADER_COUNT, journalBody, journalHeaders, keptAnswer, maskAuthorization, redactSecrets, RequestJournal, type JournalRecord } from '../../src/domain/journal.js';

const entry = (n: number, over: Partial<JournalRecord> = {}): JournalRecord => ({
  time: Date.UTC(2026, 0, 1, 0, 0, n),
  method: n % 2 ? 'PATCH' : 'GET',
  path: `/api/v1/keys/${n}`,
  query: {},
  body: null,
  status: n % 3 ? 200 : 404,
  duration_ms: 1,
  account_id: null,
  hash: String(n),
  ...over,
});

describe('RequestJournal', () => {
  it('keeps the newest `capacity` entries, newest first, with increasing ids', () => {
    const journal = new RequestJournal(5);
    for (let n = 1; n <= 12; n++) journal.record(entry(n));
    const listed = journal.list();
    expect(journal.size).toBe(5);
    expect(listed[0]!.time).toBe('2026-01-01T00:00:12.000Z');
    expect(listed.map((e) => e.hash)).toEqual(['12', '11', '10', '9', '8']);
    expect(listed.map((e) => e.id)).toEqual([12, 11, 10, 9, 8]);
  });

  it('filters by method, path (exact or prefix*), hash, status, since, and limits', () => {
    const journal = new RequestJournal(100);
    for (let n = 1; n <= 20; n++) journal.record(entry(n));
    expect(journal.list({ method: 'patch' }).every((e) => e.method === 'PATCH')).toBe(true);
    expect(journal.list({ path: '/api/v1/keys/7' }).map((e) => e.hash)).toEqual(['7']);
    expect(journal.list({ path: '/api/v1/keys/1*' }).map((e) => e.hash)).toEqual(['19', '18', '17', '16', '15', '14', '13', '12', '11', '10', '1']);
    expect(journal.list({ status: 404 }).map((e) => Number(e.hash) % 3)).toEqual(Array(6).fill(0));
    expect(journal.list({ since: Date.UTC(2026, 0, 1, 0, 0, 18) }).map((e) => e.hash)).toEqual(['20', '19', '18']);
    expect(journal.list({ limit: 2 })).toHaveLength(2);
  });

  it('capacity 0 disables it', () => {
    const journal = new RequestJournal(0);
    journal.record(entry(1));
    expect(journal.enabled).toBe(false);
    expect(journal.list()).toEqual([]);
  });

  it('clear empties it', () => {
    const journal = new RequestJournal(3);
    journal.record(entry(1));
    journal.clear();
    expect(journal.size).toBe(0);
    journal.record(entry(2));
    expect(journal.list().map((e) => e.hash)).toEqual(['2']);
  });
});

describe('redaction', () => {
  it('masks plaintext keys anywhere and blanks secret-named fields', () => {
    const secret = `sk-or-v1-${'ab12'.repeat(16)}`;
    const redacted = JSON.stringify(redactSecrets({ note: `use ${secret} please`, api_key: 'x', nested: [{ Token: 't', keep: 1 }] }));
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain('sk-or-v1-ab1...ab12');
    expect(redacted).toContain('"api_key":"[redacted]"');
    expect(redacted).toContain('"Token":"[redacted]"');
    expect(redacted).toContain('"keep":1');
  });

  it('keeps large bodies as a size only', () => {
    const body = { name: 'x'.repeat(JOURNAL_BODY_LIMIT + 10) };
    expect(journalBody(body)).toEqual({ _truncated: true, _size: JSON.stringify(body).length });
    expect(journalBody(undefined)).toBeNull();
    // A declared small size skips measuring; a large or unknown one measures.
    expect(journalBody({ name: 'x' }, 12)).toEqual({ name: 'x' });
    expect(journalBody(body, JOURNAL_BODY_LIMIT + 100)).toEqual({ _truncated: true, _size: JSON.stringify(body).length });
  });
});

describe('RequestJournal byte budget', () => {
  it('drops the oldest entries past its byte budget, whatever its capacity, and a page stops at its byte limit', () => {
    const journal = new RequestJournal(1000, undefined, 10_000);
    for (let n = 1; n <= 100; n++) journal.append(n, 'PATCH', '/api/v1/keys/x', undefined, { name: 'x' }, 200, 1, null, null, 1_000);
    expect(journal.size).toBe(10);
    expect(journal.bytes).toBeLessThanOrEqual(10_000);
    expect(journal.list().map((e) => e.id)).toEqual([100, 99, 98, 97, 96, 95, 94, 93, 92, 91]);
    const page = journal.page({}, 3_000);
    expect(page.entries.map((e) => e.id)).toEqual([100, 99, 98]);
    expect(page.nextBefore).toBe(98);
    expect(journal.oldest({})?.id).toBe(91);
  });
});

describe('what an entry shows of headers and answers (masked on read)', () => {
  const key = `sk-or-v1-${'0123456789abcdef'.repeat(4)}`;

  it('Authorization: the scheme, then the key masked as its label; anything else redacted whole', () => {
    expect(maskAuthorization(`Bearer ${key}`)).toBe('Bearer sk-or-v1-012...cdef');
    expect(maskAuthorization(`bearer   ${key}  `)).toBe('bearer sk-or-v1-012...cdef');
    expect(maskAuthorization('Bearer hunter2')).toBe('Bearer [redacted]');
    expect(maskAuthorization(`Bearer ${key}!extra`)).toBe('Bearer [redacted]');
    expect(maskAuthorization('Basic dXNlcjpwYXNz')).toBe('Basic [redacted]');
    expect(maskAuthorization(key)).toBe('sk-or-v1-012...cdef');
  });

  it('request headers: secret-named redacted, keys masked anywhere, arrays joined, bounded in count and length', () => {
    const shown = journalHeaders({ Authorization: `Bearer ${key}`, cookie: 'a=1', 'x-note': `see ${key}`, accept: ['a', 'b'], 'x-long': 'y'.repeat(5000), gone: undefined });
    expect(shown).toMatchObject({ authorization: 'Bearer sk-or-v1-012...cdef', cookie: '[redacted]', 'x-note': 'see sk-or-v1-012...cdef', accept: 'a, b' });
    expect(shown['x-long']!.length).toBe(HEADER_VALUE_LIMIT + 1);
    expect('gone' in shown).toBe(false);
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`x-h${i}`, 'v']));
    expect(Object.keys(journalHeaders(many))).toHaveLength(JOURNAL_HEADER_COUNT);
  });

  it("an answer's body: kept by reference when small, a summary when a listing is estimated too large, a created key's plaintext masked at once", () => {
    const small = { data: { name: 'n' } };
    expect(keptAnswer(small, answerBytes(small))).toBe(small);
    const listing = { data: Array.from({ length: 100 }, () => ({ name: 'n' })) };
    expect(answerBytes(listing)).toBeGreaterThan(JOURNAL_BODY_LIMIT);
    expect(keptAnswer(listing, answerBytes(listing))).toEqual({ _truncated: true, _items: 100 });
    const created = { data: { name: 'n' }, key };
    const kept = keptAnswer(created, answerBytes(created));
    expect(JSON.stringify(kept)).not.toContain(key);
    expect(kept).toEqual({ data: { name: 'n' }, key: '[redacted]' });
  });

  it('an entry shows the answer masked and measured on read, the error message, and the fault as it was when it fired', () => {
    const journal = new RequestJournal(10);
    const rule = { id: 'fault_1', match: { path: '/keys/*' }, status: 429, times: 1 };
    const body = { error: { code: 429, message: `slow down ${key}` } };
    journal.append(0, 'GET', '/api/v1/keys', undefined, null, 429, 1, null, null, 256, undefined, 5, null, null, { authorization: `Bearer ${key}` }, { 'retry-after': '1' }, body, rule);
    const [entry] = journal.list();
    expect(entry).toMatchObject({
      wall_time: '1970-01-01T00:00:00.005Z',
      request_headers: { authorization: 'Bearer sk-or-v1-012...cdef' },
      response: { headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' }, body: { error: { message: 'slow down sk-or-v1-012...cdef' } } },
      error: 'slow down sk-or-v1-012...cdef',
      fault: { id: 'fault_1', source: 'rule', status: 429, match: { path: '/keys/*' } },
    });
    expect(JSON.stringify(journal.list())).not.toContain(key);
  });

  it(`keeps request headers and a success's answer body for the newest ${DETAIL_KEPT} entries only; older ones say trimmed and keep the rest, an error's body included`, () => {
    const journal = new RequestJournal(DETAIL_KEPT + 20);
    const total = DETAIL_KEPT + 10;
    for (let n = 1; n <= total; n++) {
      const status = n % 2 ? 200 : 402;
      const answer = status === 200 ? { data: { n } } : { error: { code: 402, message: `no credits ${n}` } };
      journal.append(n, 'PATCH', `/api/v1/keys/${n}`, undefined, { name: `k${n}` }, status, 1, 'acct', String(n), 256, undefined, n, null, null, { 'x-n': String(n) }, undefined, answer);
    }
    const listed = journal.list();
    expect(listed).toHaveLength(total);
    const fresh = listed.slice(0, DETAIL_KEPT);
    const old = listed.slice(DETAIL_KEPT);
    expect(old).toHaveLength(10);
    for (const e of fresh) {
      expect(e.trimmed).toBeUndefined();
      expect(e.request_headers).toEqual({ 'x-n': e.hash });
      expect(e.response.body).not.toBeNull();
    }
    for (const e of old) {
      expect(e.trimmed).toBe(true);
      expect(e.request_headers).toEqual({});
      expect(e.body).toEqual({ name: `k${e.hash}` });
      expect(e.response.headers['content-type']).toBe('application/json; charset=utf-8');
      if (e.status === 200) expect(e.response.body).toBeNull();
      else expect(e.error).toBe(`no credits ${e.hash}`);
    }
    // The field comes last, as the schema orders it.
    expect(Object.keys(old[0]!).at(-1)).toBe('trimmed');
  });

  it('after the ring has wrapped, exactly the newest ones keep their detail', () => {
    const journal = new RequestJournal(DETAIL_KEPT + 5);
    for (let n = 1; n <= 300; n++) journal.append(n, 'GET', '/api/v1/key', undefined, null, 200, 1, null, String(n), 256, undefined, n, null, null, { 'x-n': String(n) }, undefined, { data: n });
    const listed = journal.list();
    expect(listed.map((e) => e.trimmed === true)).toEqual([...Array<boolean>(DETAIL_KEPT).fill(false), ...Array<boolean>(5).fill(true)]);
    expect(listed.slice(DETAIL_KEPT).every((e) => e.response.body === null && Object.keys(e.request_headers).length === 0)).toBe(true);
    expect(listed.slice(0, DETAIL_KEPT).every((e) => e.response.body !== null && e.request_headers['x-n'] === e.hash)).toBe(true);
  });

  it('a journal smaller than that never trims', () => {
    const journal = new RequestJournal(10);
    for (let n = 1; n <= 50; n++) journal.append(n, 'GET', '/api/v1/key', undefined, null, 200, 1, null, null, 256, undefined, n, null, null, { 'x-n': String(n) }, undefined, { data: n });
    expect(journal.list().every((e) => e.trimmed === undefined && e.response.body !== null && e.request_headers['x-n'] !== undefined)).toBe(true);
  });
});
