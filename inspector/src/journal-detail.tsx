import { useState } from 'preact/hooks';
import { control, describeError, type JournalEntry } from './api';
import { asCurl, asFetch, bodyKept, target } from './journal-snippets';

/** Where the keys panel keeps a management key pasted for an imported account (app.tsx). */
const MGMT_ITEM = 'openrouter-keys-mock.management-key.';

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** `GET /api/v1/keys` → "GET /api/v1/keys" with its fault named: what answered and why. */
function faultText(entry: JournalEntry): string | null {
  const fault = entry.fault;
  if (!fault) return null;
  const what = fault.fault ?? (fault.status !== undefined ? `status ${fault.status}` : fault.delay_ms !== undefined ? `delay ${fault.delay_ms} ms` : 'fault');
  if (fault.source === 'header') return `X-Mock-Response header: ${what}`;
  const match = fault.match ?? {};
  const on = [match.method, match.path, match.hash].filter((part) => part !== undefined).join(' ') || 'every API request';
  return `Rule ${fault.id}: ${what} on ${on}${fault.times !== undefined ? ` (times: ${fault.times})` : ''}`;
}

function Headers({ headers, label }: { headers: Record<string, string>; label: string }) {
  const names = Object.keys(headers);
  if (names.length === 0) return <p class="caption">No headers</p>;
  return (
    <dl class="headers" aria-label={label}>
      {names.map((name) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{headers[name]}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * The management key to send a request again with: the mock's own for the account (as the keys
 * panel reads it), else one pasted for this tab, else null (the person is asked).
 */
async function knownManagementKey(accountId: string): Promise<string | null> {
  const pasted = sessionStorage.getItem(MGMT_ITEM + accountId);
  if (pasted !== null) return pasted;
  const { data } = await control<{ data: { management_key: string | null } }>('GET', `/accounts/${encodeURIComponent(accountId)}/management-key`);
  return data.management_key;
}

type Snippet = { kind: 'curl' | 'fetch'; text: string } | null;

/** One entry, explained: the answer and why, the request as sent (masked), and ways to send it again. */
export function EntryDetail({ entry, announce }: { entry: JournalEntry; announce: (text: string) => void }) {
  const [snippet, setSnippet] = useState<Snippet>(null);
  const [asking, setAsking] = useState(false);
  const [replayed, setReplayed] = useState('');
  const id = `entry-${entry.id}`;
  const fault = faultText(entry);
  const canReplay = bodyKept(entry);

  const copy = async (kind: 'curl' | 'fetch') => {
    const text = kind === 'curl' ? asCurl(entry, location.origin) : asFetch(entry, location.origin);
    setSnippet({ kind, text });
    try {
      await navigator.clipboard.writeText(text);
      announce(`Copied as ${kind} (the key is $OPENROUTER_API_KEY)`);
    } catch {
      announce(`The ${kind} command is shown below: the browser did not allow copying`);
    }
  };

  const replay = async (given?: string) => {
    let key: string | null = given ?? null;
    if (key === null && entry.request_headers.authorization !== undefined) {
      if (entry.key_type === 'management' && entry.account_id !== null) {
        try {
          key = await knownManagementKey(entry.account_id);
        } catch (error) {
          announce(describeError(error));
        }
      }
      // An ordinary key's plaintext, or a refused one, is not known to the page: ask.
      if (key === null) {
        setAsking(true);
        return;
      }
    }
    setAsking(false);
    const headers: Record<string, string> = {};
    if (key !== null) headers.authorization = `Bearer ${key}`;
    if (entry.body !== null) headers['content-type'] = 'application/json';
    const fault = entry.request_headers['x-mock-response'];
    if (fault !== undefined) headers['x-mock-response'] = fault;
    try {
      const init: RequestInit = { method: entry.method, headers, cache: 'no-store' };
      if (entry.body !== null) init.body = JSON.stringify(entry.body);
      const response = await fetch(target(entry), init);
      const text = `Replayed ${entry.method} ${entry.path}: ${response.status}`;
      setReplayed(text);
      announce(text);
    } catch (error) {
      setReplayed(`Replay failed: ${describeError(error)}`);
    }
  };

  return (
    <div class="entry-detail" role="group" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        {entry.method} {entry.path} — {entry.status === 0 ? 'dropped (no answer)' : `status ${entry.status}`}
      </h3>
      <dl class="facts">
        <div>
          <dt>Virtual time</dt>
          <dd>{entry.time}</dd>
        </div>
        <div>
          <dt>Wall time</dt>
          <dd>{entry.wall_time}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{entry.duration_ms.toFixed(3)} ms</dd>
        </div>
        <div>
          <dt>Account</dt>
          <dd>{entry.account_id ?? 'none (not authenticated)'}</dd>
        </div>
        <div>
          <dt>Key</dt>
          <dd>{entry.key_hash === null ? 'none' : `${entry.key_type === 'management' ? 'management key' : 'API key'} ${entry.key_hash}`}</dd>
        </div>
        {fault && (
          <div>
            <dt>Fault</dt>
            <dd class="fault-named">{fault}</dd>
          </div>
        )}
        {entry.error !== undefined && (
          <div>
            <dt>Error</dt>
            <dd class="error-text">{entry.error}</dd>
          </div>
        )}
      </dl>
      <div class="detail-actions">
        <button onClick={() => void copy('curl')}>Copy as curl</button>
        <button onClick={() => void copy('fetch')}>Copy as fetch</button>
        <button onClick={() => void replay()} disabled={!canReplay} title={canReplay ? undefined : 'The journal kept only a summary of this body'}>
          Replay
        </button>
        {replayed && <span class="caption" role="status">{replayed}</span>}
      </div>
      {asking && (
        <form
          class="replay-key"
          onSubmit={(event) => {
            event.preventDefault();
            const key = new FormData(event.currentTarget).get('key');
            if (typeof key === 'string' && key.trim() !== '') void replay(key.trim());
          }}
        >
          <label>
            Key to replay with{' '}
            <input name="key" type="password" autoComplete="off" required aria-describedby={`${id}-why`} />
          </label>
          <button type="submit">Send</button>
          <button type="button" onClick={() => setAsking(false)}>
            Cancel
          </button>
          <p id={`${id}-why`} class="caption">
            The page does not know this key's plaintext (the journal keeps none); it is used for this request only.
          </p>
        </form>
      )}
      {snippet && (
        <pre class="snippet" aria-label={`The request as ${snippet.kind}`}>
          {snippet.text}
        </pre>
      )}
      <h4>Request</h4>
      {entry.trimmed && (
        <p class="caption">
          Older than the newest 100 requests: the journal no longer keeps this one's request headers, nor its answer's body if it succeeded.
        </p>
      )}
      <Headers headers={entry.request_headers} label="Request headers" />
      <pre>{json({ query: entry.query, body: entry.body, hash: entry.hash, account_id: entry.account_id, time: entry.time })}</pre>
      <h4>Response</h4>
      <Headers headers={entry.response.headers} label="Response headers" />
      <pre>{entry.response.body === null ? (entry.trimmed ? '(not kept)' : '(no body)') : json(entry.response.body)}</pre>
    </div>
  );
}
