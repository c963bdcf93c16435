import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { adminToken, control, describeError, HttpError, setAdminToken, type Account, type JournalEntry } from './api';
import { ClockPanel, AccountsPanel, DataPanel, NoAccounts } from './controls';
import { FaultsPanel } from './faults-panel';
import { ErrorBoundary } from './error-boundary';
import { openEventStream, type StreamState } from './events';
import { type ClockReading } from './format';
import { useThrottledTick } from './hooks';
import { JournalSection, JOURNAL_KEPT } from './journal';
import { KeysSection } from './keys';
import { noteEvent, noteNewestId } from './timeline';

type Phase = 'checking' | 'token' | 'ready' | 'down';

const STREAM_LABELS: Record<StreamState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  unauthorized: 'Not authorised',
};

/**
 * The page: it first asks for the accounts; a 401 means the mock has an admin token, and then the
 * page shows nothing but a prompt for it (kept in sessionStorage while the tab is open).
 */
export function App() {
  const [phase, setPhase] = useState<Phase>('checking');
  const [accounts, setAccounts] = useState<Account[]>([]);
  const [message, setMessage] = useState('');
  const [tokenError, setTokenError] = useState('');
  const [stream, setStream] = useState<StreamState>('connecting');

  const announce = useCallback((text: string) => setMessage(text), []);

  const loadAccounts = useCallback(async (): Promise<void> => {
    try {
      const { data } = await control<{ data: Account[] }>('GET', '/accounts');
      setAccounts(data);
      setPhase('ready');
    } catch (error) {
      if (error instanceof HttpError && error.status === 401) {
        setPhase('token');
        if (adminToken() !== null) setTokenError('The mock refused that token.');
        setAdminToken(null);
      } else {
        setPhase((phase) => (phase === 'ready' ? phase : 'down'));
        announce(describeError(error));
      }
    }
  }, [announce]);

  useEffect(() => void loadAccounts(), [loadAccounts]);

  const unauthorized = useCallback(() => {
    setAdminToken(null);
    setTokenError('The mock asks for the admin token again.');
    setPhase('token');
  }, []);

  return (
    <>
      <header class="banner">
        <h1>openrouter-keys-mock <span>inspector</span></h1>
        {phase === 'ready' && (
          <p class={`stream stream-${stream}`}>
            <span aria-hidden="true">●</span> Events: {STREAM_LABELS[stream]}
          </p>
        )}
      </header>
      <main id="main">
        {phase === 'checking' && <p>Loading…</p>}
        {phase === 'down' && (
          <p>
            The mock did not answer. <button onClick={() => void loadAccounts()}>Try again</button>
          </p>
        )}
        {phase === 'token' && (
          <TokenPrompt
            error={tokenError}
            onToken={(token) => {
              setAdminToken(token);
              setTokenError('');
              void loadAccounts();
            }}
          />
        )}
        {phase === 'ready' && (
          <ErrorBoundary>
            <Inspector accounts={accounts} reloadAccounts={loadAccounts} announce={announce} onUnauthorized={unauthorized} onStream={setStream} />
          </ErrorBoundary>
        )}
        <p class="status" role="status" aria-live="polite">
          {message}
        </p>
      </main>
    </>
  );
}

function TokenPrompt({ error, onToken }: { error: string; onToken: (token: string) => void }) {
  return (
    <section class="panel token" aria-labelledby="token-title">
      <h2 id="token-title">Admin token</h2>
      <p>This mock runs with <code>--admin-token</code>. Enter it to see and steer the mock; it is kept in this tab only.</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const token = new FormData(event.currentTarget).get('token');
          if (typeof token === 'string' && token.trim() !== '') onToken(token.trim());
        }}
      >
        <label>
          Token <input name="token" type="password" autoComplete="off" required autoFocus />
        </label>
        <button type="submit">Open</button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

interface InspectorProps {
  accounts: Account[];
  reloadAccounts: () => Promise<void>;
  announce: (text: string) => void;
  onUnauthorized: () => void;
  onStream: (state: StreamState) => void;
}

const MGMT_ITEM = 'openrouter-keys-mock.management-key.';

/** Everything behind the token: the controls, the keys and the journal, kept live by the event stream. */
function Inspector({ accounts, reloadAccounts, announce, onUnauthorized, onStream }: InspectorProps) {
  const [accountId, setAccountId] = useState<string | undefined>(accounts[0]?.id);
  // None at all is a valid state (`PUT /__mock/state {"accounts":[]}`): the page says how to make one.
  const account: Account | undefined = accounts.find((a) => a.id === accountId) ?? accounts[0];
  const [workspaceId, setWorkspaceId] = useState<string | null>(null);
  const [managementKeys, setManagementKeys] = useState<Record<string, string | null>>({});
  // The account whose pasted management key the API just refused (401): the prompt says so.
  const [refusedKey, setRefusedKey] = useState<string | null>(null);
  const [clock, setClock] = useState<ClockReading | null>(null);
  // Which of keys and journal a narrow screen shows (both show side by side on a wide one).
  const [view, setView] = useState<'keys' | 'journal'>('keys');
  const [entries, setEntries] = useState<JournalEntry[]>([]);
  // False when the mock runs with --journal-size 0: the journal then says why it stays empty.
  const [journalEnabled, setJournalEnabled] = useState(true);
  const [keysTick, bumpKeys] = useThrottledTick(100);
  const [faultsTick, bumpFaults] = useThrottledTick(100);
  const [accountsTick, bumpAccounts] = useThrottledTick(250);
  const incoming = useRef<JournalEntry[]>([]);
  const flushTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    if (accountsTick > 0) void reloadAccounts();
  }, [accountsTick, reloadAccounts]);

  // The chosen account's management key: the mock knows it unless the account was imported.
  const managementKey = account && managementKeys[account.id];
  useEffect(() => {
    if (!account || managementKey !== undefined) return;
    const pasted = sessionStorage.getItem(MGMT_ITEM + account.id);
    if (pasted !== null) {
      setManagementKeys((keys) => ({ ...keys, [account.id]: pasted }));
      return;
    }
    control<{ data: { management_key: string | null } }>('GET', `/accounts/${encodeURIComponent(account.id)}/management-key`).then(
      ({ data }) => setManagementKeys((keys) => ({ ...keys, [account.id]: data.management_key })),
      (error) => announce(describeError(error)),
    );
  }, [account?.id, managementKey, announce]);

  const loadJournal = useCallback(async () => {
    try {
      const { data, meta } = await control<{ data: JournalEntry[]; meta: { enabled: boolean } }>('GET', `/requests?limit=${JOURNAL_KEPT}`);
      setJournalEnabled(meta.enabled);
      // The stream was open before this was asked: entries it brought since are kept, none twice (ids only grow).
      const newest = data[0]?.id ?? -1;
      noteNewestId(newest);
      setEntries((shown) => [...shown.filter((entry) => entry.id > newest), ...data].slice(0, JOURNAL_KEPT));
    } catch (error) {
      announce(describeError(error));
    }
  }, [announce]);

  // Journal entries arrive one event each; they are shown in batches so that heavy traffic does not re-render per request.
  const queueEntry = useCallback((entry: JournalEntry) => {
    incoming.current.push(entry);
    if (flushTimer.current !== null) return;
    flushTimer.current = setTimeout(() => {
      flushTimer.current = null;
      const batch = incoming.current.reverse();
      incoming.current = [];
      setEntries((old) => {
        const newest = old[0]?.id ?? -1;
        return [...batch.filter((entry) => entry.id > newest), ...old].slice(0, JOURNAL_KEPT);
      });
    }, 50);
  }, []);

  const handlers = useRef({ bumpKeys, bumpFaults, bumpAccounts, queueEntry, loadJournal, onUnauthorized, onStream });
  handlers.current = { bumpKeys, bumpFaults, bumpAccounts, queueEntry, loadJournal, onUnauthorized, onStream };

  useEffect(() => {
    const close = openEventStream(
      (type, data) => {
        const h = handlers.current;
        noteEvent(type, data);
        switch (type) {
          case 'ready': {
            // The first load, and after a reconnection whatever changed meanwhile: loading only
            // once the stream is open means no change can fall between the load and the stream.
            const { clock } = data as { clock: { now: string; frozen: boolean } };
            setClock({ ...clock, at: performance.now() });
            h.bumpKeys();
            h.bumpFaults();
            h.bumpAccounts();
            void h.loadJournal();
            break;
          }
          case 'request':
            h.queueEntry(data as JournalEntry);
            break;
          case 'journal':
            incoming.current = [];
            setEntries([]);
            break;
          case 'keys':
            h.bumpKeys();
            h.bumpAccounts();
            break;
          case 'accounts': {
            const { change } = data as { change: string };
            if (change === 'loaded' || change === 'replaced') setManagementKeys({});
            h.bumpAccounts();
            h.bumpKeys();
            break;
          }
          case 'clock': {
            const reading = data as { now: string; frozen: boolean };
            setClock({ ...reading, at: performance.now() });
            h.bumpKeys();
            break;
          }
          case 'faults':
            h.bumpFaults();
            break;
        }
      },
      (state) => {
        handlers.current.onStream(state);
        // Without the stream the page still loads what it shows, once; `ready` reloads it when the stream is back.
        if (state === 'reconnecting') {
          handlers.current.bumpKeys();
          handlers.current.bumpFaults();
        }
        if (state === 'unauthorized') handlers.current.onUnauthorized();
      },
    );
    return close;
  }, []);

  const chooseAccount = (id: string) => {
    setAccountId(id);
    setWorkspaceId(null);
  };

  return (
    <>
      {/* The first thing a Tab reaches: past the controls and every key, to the journal (shown first on a phone). */}
      <a
        class="skip-link"
        href="#journal"
        onClick={(event) => {
          event.preventDefault();
          setView('journal');
          requestAnimationFrame(() => document.getElementById('journal')?.focus());
        }}
      >
        Skip to the journal
      </a>
      <section class="controls" aria-label="Mock controls">
        <ClockPanel clock={clock} announce={announce} />
        <FaultsPanel tick={faultsTick} announce={announce} />
        <DataPanel account={account} accounts={accounts} announce={announce} />
        <AccountsPanel announce={announce} onCreated={(id) => void reloadAccounts().then(() => chooseAccount(id))} />
      </section>
      {/* Narrower than two columns (a phone), one of keys and journal at a time: the journal is a tap away, not below every key. */}
      <div class="view-switch" role="group" aria-label="Show">
        <button aria-pressed={view === 'keys'} aria-controls="keys-pane" onClick={() => setView('keys')}>
          Keys
        </button>
        <button aria-pressed={view === 'journal'} aria-controls="journal" onClick={() => setView('journal')}>
          Journal <span class="count">{entries.length}</span>
        </button>
      </div>
      <div class="layout" data-view={view}>
        <div id="keys-pane" class="pane pane-keys">
        {account ? <KeysSection
          accounts={accounts}
          account={account}
          onAccount={chooseAccount}
          workspaceId={workspaceId ?? account.default_workspace_id}
          onWorkspace={setWorkspaceId}
          managementKey={managementKey}
          onManagementKey={(key) => {
            sessionStorage.setItem(MGMT_ITEM + account.id, key);
            setRefusedKey(null);
            setManagementKeys((keys) => ({ ...keys, [account.id]: key }));
          }}
          pastedKey={sessionStorage.getItem(MGMT_ITEM + account.id) !== null}
          keyRefused={refusedKey === account.id}
          onForgetManagementKey={(refused) => {
            // Forgotten, the key is asked of the mock again: for an imported account it answers
            // null, and the page asks the person for it once more.
            sessionStorage.removeItem(MGMT_ITEM + account.id);
            setRefusedKey(refused ? account.id : null);
            setManagementKeys(({ [account.id]: _forgotten, ...others }) => others);
          }}
          clock={clock}
          tick={keysTick}
          announce={announce}
        /> : <NoAccounts announce={announce} onCreated={(id) => void reloadAccounts().then(() => chooseAccount(id))} />}
        </div>
        {/* The skip link's target: focusable, so the focus moves there and the next Tab is in the journal. */}
        <div id="journal" class="pane pane-journal" tabIndex={-1}>
          <JournalSection entries={entries} enabled={journalEnabled} announce={announce} />
        </div>
      </div>
    </>
  );
}
