import { useMemo, useState } from 'preact/hooks';
import { control, describeError, type JournalEntry } from './api';
import { shortPath, timeOfDay } from './format';

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

function statusClass(status: number): string {
  if (status === 0) return 'status-dropped';
  return `status-${Math.floor(status / 100)}xx`;
}

/** The request journal, newest first, as `GET /__mock/requests` and the `request` events give it. */
export function JournalSection({ entries, enabled, announce }: { entries: JournalEntry[]; enabled: boolean; announce: (text: string) => void }) {
  const [method, setMethod] = useState('');
  const [status, setStatus] = useState('');
  const [hash, setHash] = useState('');
  const [openIds, setOpenIds] = useState<ReadonlySet<number>>(new Set());

  const shown = useMemo(() => {
    const hashNeedle = hash.trim().toLowerCase();
    return entries
      .filter(
        (entry) =>
          (method === '' || entry.method === method) &&
          statusMatches(status, entry.status) &&
          (hashNeedle === '' || (entry.hash ?? '').startsWith(hashNeedle)),
      )
      .slice(0, SHOWN);
  }, [entries, method, status, hash]);

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
              <th scope="col">Time</th>
              <th scope="col">Method</th>
              <th scope="col">Path</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                ms
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((entry) => (
              <JournalRow key={entry.id} entry={entry} open={openIds.has(entry.id)} onToggle={() => toggle(entry.id)} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function JournalRow({ entry, open, onToggle }: { entry: JournalEntry; open: boolean; onToggle: () => void }) {
  const detailsId = `request-${entry.id}`;
  return (
    <>
      <tr data-id={entry.id}>
        <td class="time">{timeOfDay(entry.time)}</td>
        <td>
          <span class={`method method-${entry.method}`}>{entry.method}</span>
        </td>
        <td class="path">
          <button class="link" aria-expanded={open} aria-controls={open ? detailsId : undefined} onClick={onToggle} title={entry.path}>
            {shortPath(entry.path)}
          </button>
        </td>
        <td>
          <span class={`code ${statusClass(entry.status)}`}>{entry.status === 0 ? 'dropped' : entry.status}</span>
        </td>
        <td class="num">{entry.duration_ms.toFixed(1)}</td>
      </tr>
      {open && (
        <tr class="details" id={detailsId}>
          <td colSpan={5}>
            <pre>{JSON.stringify({ query: entry.query, body: entry.body, hash: entry.hash, account_id: entry.account_id, time: entry.time }, null, 2)}</pre>
          </td>
        </tr>
      )}
    </>
  );
}
