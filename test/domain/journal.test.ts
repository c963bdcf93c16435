import { describe, expect, it } from 'vitest';
import { JOURNAL_BODY_LIMIT, journalBody, redactSecrets, RequestJournal, type JournalRecord } from '../../src/domain/journal.js';

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
