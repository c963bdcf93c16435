import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, control, describeError, HttpError, type Account, type FoundKey, type Key, type SearchField } from './api';
import { keyStates, shortHash, STATE_LABELS, virtualNow, type ClockReading, type KeyState } from './format';
import { copyText } from './hooks';
import { KeyPanel, ResetField } from './key-panel';
import { KeyRow, PAGE, Pager } from './key-rows';


interface KeysProps {
  accounts: Account[];
  account: Account;
  onAccount: (id: string) => void;
  workspaceId: string;
  onWorkspace: (id: string) => void;
  /** undefined: still asking the mock; null: an imported account, whose key the user must paste. */
  managementKey: string | null | undefined;
  onManagementKey: (key: string) => void;
  /** Whether the management key in use is one the person pasted (kept in sessionStorage). */
  pastedKey: boolean;
  /** The API refused the pasted key: the prompt says so. */
  keyRefused: boolean;
  /** Forgets the key in use; `refused`: because the API answered 401 to it. */
  onForgetManagementKey: (refused: boolean) => void;
  clock: ClockReading | null;
  tick: number;
  announce: (text: string) => void;
}

type StateFilter = 'all' | KeyState;

/** How long a row that just changed stays highlighted, ms. */
const CHANGED_MS = 2500;

/**
 * The chosen account's keys, one page of 100 at a time: read through
 * `GET /__mock/accounts/:id/keys/search` — without a search, `GET /keys`'s listing (newest first,
 * or the reverse); with one, the keys whose name, label or hash starts with it, across the whole
 * workspace — with the total and what a chat completion with each key would get now. Not
 * journalled, faulted or delayed, so the page's reads never disturb the app under test; edits go
 * through the real API as the account's management key.
 */
export function KeysSection(props: KeysProps) {
  const { account, workspaceId, managementKey, tick, announce } = props;
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<{ keys: FoundKey[]; total: number } | null>(null);
  const [error, setError] = useState('');
  const [search, setSearch] = useState('');
  const [field, setField] = useState<SearchField>('name');
  const [reverse, setReverse] = useState(false);
  const [stateFilter, setStateFilter] = useState<StateFilter>('all');
  const [openHash, setOpenHash] = useState<string | null>(null);
  const [fetchedAt, setFetchedAt] = useState(0);
  const [changed, setChanged] = useState<ReadonlySet<string>>(new Set());
  const sequence = useRef(0);
  /** What the last read showed, by hash, and for which query: a reload of the same page highlights what moved. */
  const seen = useRef<{ accountId: string; asked: string; rows: Map<string, string> }>({ accountId: '', asked: '', rows: new Map() });
  const query = search.trim();

  useEffect(() => setOffset(0), [account.id, workspaceId, query, field, reverse]);

  useEffect(() => {
    // tick 0: the event stream is not open yet (its `ready` asks for the first load).
    if (tick === 0) return;
    const mine = ++sequence.current;
    const params = new URLSearchParams({ offset: String(offset), workspace_id: workspaceId });
    if (query) {
      params.set('q', query);
      params.set('field', field);
    }
    if (reverse) params.set('reverse', 'true');
    const asked = params.toString();
    // A search typed a letter at a time: wait for a pause before asking.
    const timer = setTimeout(() => {
      control<{ data: { keys: FoundKey[]; total: number } }>('GET', `/accounts/${encodeURIComponent(account.id)}/keys/search?${asked}`).then(
        ({ data }) => {
          if (mine !== sequence.current) return;
          // Deletions emptied this page: show the last one there is.
          if (data.keys.length === 0 && offset > 0) setOffset(Math.max(0, Math.floor((data.total - 1) / PAGE) * PAGE));
          const rows = new Map(data.keys.map((key) => [key.hash, JSON.stringify(key)]));
          const before = seen.current;
          if (before.accountId === account.id && before.asked === asked) {
            const moved = new Set(data.keys.filter((key) => before.rows.get(key.hash) !== rows.get(key.hash)).map((key) => key.hash));
            if (moved.size > 0) {
              setChanged(moved);
              setTimeout(() => setChanged((now) => (now === moved ? new Set() : now)), CHANGED_MS);
            }
          } else setChanged(new Set());
          seen.current = { accountId: account.id, asked, rows };
          setPage(data);
          setError('');
          setFetchedAt(performance.now());
        },
        (failure) => {
          if (mine !== sequence.current) return;
          setError(describeError(failure));
        },
      );
    }, query && seen.current.asked !== asked ? 150 : 0);
    return () => clearTimeout(timer);
  }, [account.id, workspaceId, offset, tick, query, field, reverse]);

  const now = props.clock ? virtualNow(props.clock) : Date.now();
  const rows = page?.keys ?? null;
  const shown = useMemo(() => {
    return (rows ?? []).filter((key) => stateFilter === 'all' || keyStates(key, now).includes(stateFilter));
    // `now` moves only with a refetch (fetchedAt) or a clock event.
  }, [rows, stateFilter, fetchedAt, props.clock]);

  const open = rows?.find((key) => key.hash === openHash) ?? null;
  /**
   * Where the focus goes once a deleted key's row is gone (the row's button, which opened the
   * dialog, went with it): the next row's name, else the previous one's, else "New key".
   */
  const focusAfterDelete = useRef<string | null | undefined>(undefined);
  const tableRef = useRef<HTMLElement>(null);
  const deleted = (hash: string) => {
    const at = shown.findIndex((key) => key.hash === hash);
    focusAfterDelete.current = (shown[at + 1] ?? shown[at - 1])?.hash ?? null;
  };
  useEffect(() => {
    const wanted = focusAfterDelete.current;
    if (wanted === undefined || openHash !== null) return;
    const root = tableRef.current;
    if (!root) return;
    const row = wanted === null ? null : root.querySelector<HTMLButtonElement>(`tr[data-hash="${wanted}"] button.link`);
    const target = row ?? root.querySelector<HTMLButtonElement>('tbody button.link') ?? root.querySelector<HTMLElement>('.new-key summary');
    if (!target) return;
    focusAfterDelete.current = undefined;
    target.focus();
  }, [rows, openHash]);
  /** A 401 to an edit: the key in use is wrong (a mistyped paste), so it is forgotten and asked for again. */
  const refused = (failure: unknown): boolean => {
    if (!(failure instanceof HttpError && failure.status === 401)) return false;
    setOpenHash(null);
    props.onForgetManagementKey(true);
    announce('The API refused the management key (401): paste it again');
    return true;
  };
  const total = page?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE));
  const order = query ? (reverse ? `${FIELD_LABELS[field].toLowerCase()} Z–A` : `${FIELD_LABELS[field].toLowerCase()} A–Z`) : reverse ? 'oldest first' : 'newest first';

  return (
    <section ref={tableRef} class="panel keys" aria-labelledby="keys-title">
      <div class="section-head">
        <h2 id="keys-title">Keys</h2>
        {props.accounts.length > 1 ? (
          <label>
            Account{' '}
            <select value={account.id} onChange={(e) => props.onAccount(e.currentTarget.value)}>
              {props.accounts.map((a) => (
                <option value={a.id} key={a.id}>
                  {a.id} ({a.keys} keys)
                </option>
              ))}
            </select>
          </label>
        ) : (
          <p class="muted">
            Account <code>{account.id}</code>
          </p>
        )}
        {account.workspace_ids.length > 1 && (
          <label>
            Workspace{' '}
            <select value={workspaceId} onChange={(e) => props.onWorkspace(e.currentTarget.value)}>
              {account.workspace_ids.map((id) => (
                <option value={id} key={id}>
                  {shortHash(id)}
                  {id === account.default_workspace_id ? ' (default)' : ''}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>

      {managementKey === null && <PasteManagementKey account={account} refused={props.keyRefused} onKey={props.onManagementKey} />}
      {managementKey && props.pastedKey && (
        <p class="muted pasted-key">
          Edits use the management key you pasted for this account.{' '}
          <button type="button" onClick={() => props.onForgetManagementKey(false)}>
            Forget the pasted key
          </button>
        </p>
      )}
      <>
        <div class="filters" role="search">
          <label>
            Search{' '}
            <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} maxLength={256} aria-describedby="search-hint" />
          </label>
          <label>
            Search in{' '}
            <select value={field} onChange={(e) => setField(e.currentTarget.value as SearchField)}>
              {(Object.keys(FIELD_LABELS) as SearchField[]).map((choice) => (
                <option value={choice} key={choice}>
                  {FIELD_LABELS[choice]}
                </option>
              ))}
            </select>
          </label>
          <span id="search-hint" class="muted">
            the start of it, any case, across the workspace
          </span>
          <label>
            Sort{' '}
            <select value={reverse ? 'reverse' : 'forward'} onChange={(e) => setReverse(e.currentTarget.value === 'reverse')}>
              <option value="forward">{query ? 'A–Z' : 'Newest first'}</option>
              <option value="reverse">{query ? 'Z–A' : 'Oldest first'}</option>
            </select>
          </label>
          <label>
            State{' '}
            <select value={stateFilter} onChange={(e) => setStateFilter(e.currentTarget.value as StateFilter)}>
              <option value="all">Any</option>
              {(Object.keys(STATE_LABELS) as KeyState[]).map((state) => (
                <option value={state} key={state}>
                  {STATE_LABELS[state]}
                </option>
              ))}
            </select>
          </label>
          <NewKey managementKey={managementKey ?? null} workspaceId={workspaceId} announce={announce} onRefused={refused} />
        </div>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {rows !== null && (
          <>
            <p id="keys-caption" class="caption">
              {rows.length === 0
                ? query
                  ? `No key of workspace ${shortHash(workspaceId)} has a ${FIELD_LABELS[field].toLowerCase()} starting with "${query}"`
                  : 'No keys on this page'
                : `Keys ${offset + 1}–${offset + rows.length} of ${total.toLocaleString('en')}${query ? ` whose ${FIELD_LABELS[field].toLowerCase()} starts with "${query}"` : ''} in workspace ${shortHash(workspaceId)}, ${order}; usage in USD, BYOK below it${stateFilter !== 'all' ? `: ${shown.length} on this page in that state` : ''}`}
            </p>
            <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="keys-caption">
              <table class="keys-table" aria-labelledby="keys-caption">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">State</th>
                    <th scope="col">Limit</th>
                    <th scope="col">Remaining</th>
                    <th scope="col" class="num">Today</th>
                    <th scope="col" class="num">Week</th>
                    <th scope="col" class="num">Month</th>
                    <th scope="col" class="num">Total</th>
                    <th scope="col" class="admission-head">A chat call gets</th>
                    <th scope="col" class="dates-head">Created, updated</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((key) => (
                    <KeyRow key={key.hash} item={key} now={now} changed={changed.has(key.hash)} onOpen={() => setOpenHash(key.hash)} />
                  ))}
                </tbody>
              </table>
            </div>
            <Pager offset={offset} pages={pages} onOffset={setOffset} />
          </>
        )}
      </>
      {open && managementKey && (
        <KeyPanel item={open} now={now} managementKey={managementKey} onClose={() => setOpenHash(null)} onDeleted={() => deleted(open.hash)} announce={announce} onRefused={refused} />
      )}
    </section>
  );
}

const FIELD_LABELS: Record<SearchField, string> = { name: 'Name', label: 'Label', hash: 'Hash' };

function PasteManagementKey({ account, refused, onKey }: { account: Account; refused: boolean; onKey: (key: string) => void }) {
  return (
    <form
      class="paste-key"
      onSubmit={(event) => {
        event.preventDefault();
        const key = new FormData(event.currentTarget).get('management_key');
        if (typeof key === 'string' && key.trim()) onKey(key.trim());
      }}
    >
      <p>
        Account <code>{account.id}</code> was imported: the mock holds only its key's hash ({account.management_key_label}). Paste its management key to
        edit its keys; it is kept in this tab only.
      </p>
      {refused && (
        <p class="error" role="alert" id="paste-key-error">
          The API refused the key you pasted (401). Paste the account's management key again.
        </p>
      )}
      <label>
        Management key{' '}
        <input name="management_key" type="password" autoComplete="off" required aria-describedby={refused ? 'paste-key-error' : undefined} />
      </label>
      <button type="submit">Use it</button>
    </form>
  );
}

/** POST /api/v1/keys: the plaintext is in that answer only, so it is shown once, with a copy button. */
function NewKey({
  managementKey,
  workspaceId,
  announce,
  onRefused,
}: {
  managementKey: string | null;
  workspaceId: string;
  announce: (text: string) => void;
  onRefused: (failure: unknown) => boolean;
}) {
  const [secret, setSecret] = useState<string | null>(null);
  if (!managementKey) return null;
  return (
    <details class="new-key">
      <summary>New key</summary>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          const form = event.currentTarget;
          const fields = new FormData(form);
          const limit = String(fields.get('limit') ?? '').trim();
          const reset = String(fields.get('limit_reset') ?? '');
          try {
            const created = await api<{ data: Key; key: string }>(managementKey, 'POST', '/keys', {
              name: String(fields.get('name') ?? ''),
              workspace_id: workspaceId,
              ...(limit !== '' && { limit: Number(limit) }),
              ...(reset !== '' && { limit_reset: reset }),
            });
            setSecret(created.key);
            form.reset();
            announce(`Created key "${created.data.name}"`);
          } catch (error) {
            if (!onRefused(error)) announce(describeError(error));
          }
        }}
      >
        <label>
          Name <input name="name" required />
        </label>
        <label>
          Limit (USD) <input name="limit" type="number" min="0" step="any" />
        </label>
        <ResetField />
        <button type="submit">Create</button>
      </form>
      {secret && <SecretOnce label="The new key (shown once)" value={secret} announce={announce} />}
    </details>
  );
}

/** A secret the mock shows only once: in a read-only field, with a copy button. */
export function SecretOnce({ label, value, announce }: { label: string; value: string; announce: (text: string) => void }) {
  const field = useRef<HTMLInputElement>(null);
  return (
    <div class="secret">
      <label>
        {label} <input ref={field} readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <button type="button" onClick={async () => announce((await copyText(value, field.current)) ? 'Copied' : 'Select the text and copy it')}>
        Copy
      </button>
    </div>
  );
}
