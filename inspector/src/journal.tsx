import { useMemo, useState } from 'preact/hooks';
import { control, describeError, type JournalEntry } from './api';
import { shortHash, shortPath } from './format';
import { EntryDetail } from './journal-detail';
import { useMarks, type Mark } from './timeline';

/** How many entries the page holds (the newest); the journal itself may keep more. */
export const JOURNAL_KEPT = 500;
/** How many of them it renders at once. */
const SHOWN = 200;

const METHODS = ['GET', 'POST', 'PATCH', 'DELETE', 'HEAD'];

/** "429", "4xx" or "" (any): the status filter as typed. */
function statusMatches(filter: string, status: number): boolean {
  const wanted = filter.trim().toLowerCase();
  if (wanted === '') return true;
  if (/^[0-5]xx$/.test(wanted)) return Math.floor(status / 100) === Number(wanted[0]);
  return String(status) === wanted;
}

/** Everything an entry says, lower-case, for the free-text search (built once per entry). */
const haystacks = new WeakMap<JournalEntry, string>();
function haystack(entry: JournalEntry): string {
  let text = haystacks.get(entry);
  if (text === undefined) {
    text = JSON.stringify([
      entry.method, entry.path, entry.status, entry.query, entry.body, entry.request_headers, entry.response, entry.error, entry.fault, entry.account_id, entry.key_hash,
    ]).toLowerCase();
    haystacks.set(entry, text);
  }
  return text;
}

/** `2026-01-14 23:50:01.123`: a date and a time to the millisecond (UTC). */
const stamp = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;

function statusClass(status: number): string {
  if (status === 0) return 'status-dropped';
  return `status-${Math.floor(status / 100)}xx`;
}

/** The request journal, newest first, as `GET /__mock/requests` and the `request` events give it. */
export function JournalSection({ entries, enabled, announce }: { entries: JournalEntry[]; enabled: boolean; announce: (text: string) => void }) {
  const [method, setMethod] = useState('');
  const [status, setStatus] = useState('');
  const [hash, setHash] = useState('');
  const [search, setSearch] = useState('');
  const [accountId, setAccountId] = useState('');
  const [keyHash, setKeyHash] = useState('');
  const [openIds, setOpenIds] = useState<ReadonlySet<number>>(new Set());
  const marks = useMarks();

  // The accounts and keys the held entries name: the choices of the two filters.
  const { accountIds, keyHashes } = useMemo(() => {
    const accounts = new Set<string>();
    const keys = new Map<string, string>();
    for (const entry of entries) {
      if (entry.account_id !== null) accounts.add(entry.account_id);
      if (entry.key_hash !== null) keys.set(entry.key_hash, entry.key_type === 'management' ? 'management' : 'API key');
    }
    return { accountIds: [...accounts].sort(), keyHashes: [...keys].sort() };
  }, [entries]);

  const shown = useMemo(() => {
    const hashNeedle = hash.trim().toLowerCase();
    const words = search.trim().toLowerCase().split(/\s+/).filter((word) => word !== '');
    return entries
      .filter(
        (entry) =>
          (method === '' || entry.method === method) &&
          statusMatches(status, entry.status) &&
          (hashNeedle === '' || (entry.hash ?? '').startsWith(hashNeedle)) &&
          (accountId === '' || entry.account_id === accountId) &&
          (keyHash === '' || entry.key_hash === keyHash) &&
          (words.length === 0 || words.every((word) => haystack(entry).includes(word))),
      )
      .slice(0, SHOWN);
  }, [entries, method, status, hash, search, accountId, keyHash]);
  const filtering = method !== '' || status !== '' || hash !== '' || search !== '' || accountId !== '' || keyHash !== '';

  const toggle = (id: number) => {
    const next = new Set(openIds);
    if (!next.delete(id)) next.add(id);
    setOpenIds(next);
  };

  return (
    <section class="panel journal" aria-labelledby="journal-title">
      <div class="section-head">
        <h2 id="journal-title">Journal</h2>
        <button
          onClick={async () => {
            try {
              const { deleted } = await control<{ deleted: number }>('DELETE', '/requests');
              announce(`Cleared ${deleted} journal entries`);
            } catch (error) {
              announce(describeError(error));
            }
          }}
        >
          Clear journal
        </button>
      </div>
      <div class="filters">
        <label>
          Method{' '}
          <select value={method} onChange={(e) => setMethod(e.currentTarget.value)}>
            <option value="">Any</option>
            {METHODS.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <label>
          Status <input size={5} value={status} placeholder="4xx" onInput={(e) => setStatus(e.currentTarget.value)} />
        </label>
        <label>
          Hash <input size={10} value={hash} placeholder="f01d52…" onInput={(e) => setHash(e.currentTarget.value)} />
        </label>
        <label>
          Search the journal <input type="search" size={16} value={search} placeholder="text in any field" onInput={(e) => setSearch(e.currentTarget.value)} />
        </label>
        <label title="The account that authenticated">
          Caller{' '}
          <select value={accountId} onChange={(e) => setAccountId(e.currentTarget.value)}>
            <option value="">Any</option>
            {accountIds.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
        <label title="The key that authenticated">
          Key{' '}
          <select value={keyHash} onChange={(e) => setKeyHash(e.currentTarget.value)}>
            <option value="">Any</option>
            {keyHashes.map(([hash, kind]) => (
              <option key={hash} value={hash}>
                {shortHash(hash)} ({kind})
              </option>
            ))}
          </select>
        </label>
      </div>
      <p id="journal-caption" class="caption">
            {!enabled
              ? 'The request journal is off (--journal-size 0): start the mock with --journal-size N (MOCK_JOURNAL_SIZE) to record API requests'
              : entries.length === 0
                ? 'No API requests yet'
                : `${shown.length} of the newest ${entries.length} requests, newest first`}
      </p>
      <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="journal-caption">
        <table class="journal-table" aria-labelledby="journal-caption">
          <thead>
            <tr>
              <th scope="col">Time (virtual, wall)</th>
              <th scope="col">Method</th>
              <th scope="col">Path</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                ms
              </th>
            </tr>
          </thead>
          <tbody>
            {withMarks(shown, filtering ? [] : marks).map((item) =>
              'seq' in item ? (
                <MarkRow key={`mark-${item.seq}`} mark={item} />
              ) : (
                <JournalRow key={item.id} entry={item} open={openIds.has(item.id)} onToggle={() => toggle(item.id)} announce={announce} />
              ),
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/**
 * The entries with the timeline's marks between them, newest first: a mark sits above the entry
 * that was newest when it happened. Marks older than the oldest shown entry are left out, unless
 * no entry is shown at all.
 */
function withMarks(entries: JournalEntry[], marks: Mark[]): (JournalEntry | Mark)[] {
  if (marks.length === 0) return entries;
  const oldest = entries.length > 0 ? entries[entries.length - 1]!.id : -1;
  const out: (JournalEntry | Mark)[] = [];
  let m = 0;
  for (const entry of entries) {
    while (m < marks.length && marks[m]!.afterId >= entry.id) out.push(marks[m++]!);
    out.push(entry);
  }
  while (m < marks.length && (entries.length === 0 || marks[m]!.afterId >= oldest)) out.push(marks[m++]!);
  return out;
}

function MarkRow({ mark }: { mark: Mark }) {
  return (
    <tr class={`mark mark-${mark.kind}`}>
      <td class="time">
        {mark.virtual ? stamp(mark.virtual) : ''}
        <span class="wall">{stamp(mark.wall)} wall</span>
      </td>
      <td colSpan={4}>
        <span aria-hidden="true">⏱ </span>
        {mark.text}
      </td>
    </tr>
  );
}

function JournalRow({ entry, open, onToggle, announce }: { entry: JournalEntry; open: boolean; onToggle: () => void; announce: (text: string) => void }) {
  const detailsId = `request-${entry.id}`;
  return (
    <>
      <tr data-id={entry.id}>
        <td class="time">
          {stamp(entry.time)}
          <span class="wall">{stamp(entry.wall_time)} wall</span>
        </td>
        <td>
          <span class={`method method-${entry.method}`}>{entry.method}</span>
        </td>
        <td class="path">
          <button class="link" aria-expanded={open} aria-controls={open ? detailsId : undefined} onClick={onToggle} title={entry.path}>
            {shortPath(entry.path)}
          </button>
          {entry.fault && <span class="badge fault-badge"> fault</span>}
        </td>
        <td>
          <span class={`code ${statusClass(entry.status)}`}>{entry.status === 0 ? 'dropped' : entry.status}</span>
        </td>
        <td class="num">{entry.duration_ms.toFixed(1)}</td>
      </tr>
      {open && (
        <tr class="details" id={detailsId}>
          <td colSpan={5}>
            <EntryDetail entry={entry} announce={announce} />
          </td>
        </tr>
      )}
    </>
  );
}
