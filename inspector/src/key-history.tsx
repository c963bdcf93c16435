import { useEffect, useState } from 'preact/hooks';
import { control, describeError, type FoundKey, type JournalEntry } from './api';
import { dateTime, keyStates, money, resetLabel, STATE_LABELS } from './format';

/** The fields only a PATCH changes: a PATCH's before and after are read off the journal in order. */
const PATCH_FIELDS = ['name', 'disabled', 'limit', 'limit_reset', 'include_byok_in_limit'] as const;
type PatchField = (typeof PATCH_FIELDS)[number];

/** How many of the key's journal entries the dialog shows (the newest). */
const HISTORY = 50;

const WINDOWS = [
  ['Today', 'usage_daily', 'byok_usage_daily'],
  ['This week', 'usage_weekly', 'byok_usage_weekly'],
  ['This month', 'usage_monthly', 'byok_usage_monthly'],
  ['Total', 'usage', 'byok_usage'],
] as const;

/** What a chat completion with the key would get now: "accepted", or the refusal's status and message. */
export function admissionText(admission: FoundKey['admission']): string {
  return admission.accepted || !admission.error ? 'accepted' : `${admission.status} ${admission.error.message}`;
}

/** The key's state, what is left of its limit, its usage in every window, and what a chat call gets now. */
export function KeyStateSummary({ item, now }: { item: FoundKey; now: number }) {
  return (
    <section aria-labelledby="key-state-title" class="key-state">
      <h3 id="key-state-title">State and spend</h3>
      <ul class="badges">
        {keyStates(item, now).map((state) => (
          <li class={`badge badge-${state}`} key={state}>
            {STATE_LABELS[state]}
          </li>
        ))}
      </ul>
      <p>
        Limit {item.limit === null ? 'none' : `${money(item.limit)} (${resetLabel(item.limit_reset)})`}
        {item.limit !== null && (
          <>
            {' '}
            · remaining <strong data-remaining>{money(item.limit_remaining)}</strong>
          </>
        )}
        {item.include_byok_in_limit && ' · BYOK counts in the limit'} · expires {dateTime(item.expires_at)}
      </p>
      <table class="windows">
        <caption class="visually-hidden">Usage per window, USD</caption>
        <thead>
          <tr>
            <th scope="col">Window</th>
            <th scope="col" class="num">Usage</th>
            <th scope="col" class="num">BYOK</th>
          </tr>
        </thead>
        <tbody>
          {WINDOWS.map(([label, usage, byok]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td class="num" data-window={usage}>
                {money(item[usage])}
              </td>
              <td class="num">{money(item[byok])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        A chat completion with this key gets now:{' '}
        <strong class={item.admission.accepted ? 'admission' : 'admission refused'} data-admission>
          {admissionText(item.admission)}
        </strong>
      </p>
    </section>
  );
}

interface Change {
  field: PatchField;
  /** undefined: set before the oldest entry the journal still holds for this key. */
  before: unknown;
  after: unknown;
}

/**
 * Each PATCH's before and after, from the key's journal entries in order (oldest first): a field's
 * value before a PATCH is what the last earlier PATCH set it to — only PATCH changes these
 * fields. A field's first change in the journal has no known before.
 */
export function patchChanges(entriesNewestFirst: readonly JournalEntry[]): Map<number, Change[]> {
  const known = new Map<PatchField, unknown>();
  const changes = new Map<number, Change[]>();
  for (const entry of [...entriesNewestFirst].reverse()) {
    if (entry.method !== 'PATCH' || entry.status !== 200 || typeof entry.body !== 'object' || entry.body === null) continue;
    const body = entry.body as Record<string, unknown>;
    const list: Change[] = [];
    for (const field of PATCH_FIELDS) {
      if (!Object.hasOwn(body, field)) continue;
      list.push({ field, before: known.get(field), after: body[field] });
      known.set(field, body[field]);
    }
    changes.set(entry.id, list);
  }
  return changes;
}

const shown = (value: unknown): string => (value === undefined ? '(before the journal)' : JSON.stringify(value));

/** The key's own journal entries (`GET /__mock/requests?hash=`), newest first, each PATCH with its before and after. */
export function KeyHistory({ item }: { item: FoundKey }) {
  const [entries, setEntries] = useState<JournalEntry[] | null>(null);
  const [error, setError] = useState('');
  // Reread whenever the key itself changed (the table hands the dialog each fresh read).
  const version = JSON.stringify(item);
  useEffect(() => {
    let live = true;
    control<{ data: JournalEntry[] }>('GET', `/requests?hash=${encodeURIComponent(item.hash)}&limit=${HISTORY}`).then(
      ({ data }) => live && (setEntries(data), setError('')),
      (failure) => live && setError(describeError(failure)),
    );
    return () => void (live = false);
  }, [item.hash, version]);

  const changes = entries ? patchChanges(entries) : new Map<number, Change[]>();
  return (
    <section aria-labelledby="key-history-title" class="key-history">
      <h3 id="key-history-title">History (the journal's entries for this key)</h3>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {entries !== null && entries.length === 0 && <p class="muted">No request has named this key since the journal was last emptied.</p>}
      {entries !== null && entries.length > 0 && (
        <ol class="history" reversed>
          {entries.map((entry) => (
            <li key={entry.id} data-entry={entry.id}>
              <span class="muted">{dateTime(entry.time)}</span> <code>{entry.method}</code> <code class="wrap">{entry.path}</code> → {entry.status}
              {entry.charged && <span> · charged {money(entry.charged.usd)}</span>}
              {changes.get(entry.id)?.length ? (
                <table class="diff">
                  <caption class="visually-hidden">What this PATCH changed</caption>
                  <thead>
                    <tr>
                      <th scope="col">Field</th>
                      <th scope="col">Before</th>
                      <th scope="col">After</th>
                    </tr>
                  </thead>
                  <tbody>
                    {changes.get(entry.id)!.map((change) => (
                      <tr key={change.field}>
                        <th scope="row">
                          <code>{change.field}</code>
                        </th>
                        <td class="before">{shown(change.before)}</td>
                        <td class="after">{shown(change.after)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
