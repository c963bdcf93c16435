import { useEffect, useRef, useState } from 'preact/hooks';
import { adminHeaders, control, describeError, type Account, type Clock, type Scenario } from './api';
import { virtualNow, type ClockReading } from './format';
import { useEvery } from './hooks';
import { SecretOnce } from './keys';

export type Announce = (text: string) => void;

/**
 * A panel's own error: shown inside the panel, next to the controls that caused it (not in the page's
 * status line far below), announced by screen readers (role="alert") and tied to those controls
 * (aria-describedby). `run` is `act` with the failure kept there; a success clears it.
 */
export function usePanelError(announce: Announce, id: string) {
  const [error, setError] = useState('');
  const run = async (done: string, call: () => Promise<unknown>): Promise<boolean> => {
    try {
      await call();
      setError('');
      announce(done);
      return true;
    } catch (failure) {
      setError(describeError(failure));
      return false;
    }
  };
  const fail = (failure: unknown) => setError(describeError(failure));
  const describedBy = error ? id : undefined;
  const shown = error ? (
    <p id={id} class="error" role="alert">
      {error}
    </p>
  ) : null;
  return { run, fail, describedBy, shown };
}

const ADVANCE_PRESETS = [
  ['+1 hour', '1h'],
  ['+1 day', '1d'],
  ['+1 week', '7d'],
] as const;

/** The virtual clock: `GET/POST /__mock/clock`. Keys reload on its `clock` event, so a jump past midnight UTC shows the daily windows reset. */
export function ClockPanel({ clock, announce }: { clock: ClockReading | null; announce: Announce }) {
  const { run, describedBy, shown: errorShown } = usePanelError(announce, 'clock-error');
  useEvery(1000, clock !== null && !clock.frozen);
  const now = clock ? new Date(virtualNow(clock)).toISOString() : null;
  const shown = now ? `${now.slice(0, 10)} ${now.slice(11, 19)} UTC` : '…';
  const post = (body: object, done: string) => run(done, () => control<Clock>('POST', '/clock', body));
  const nextMidnight = () => {
    const at = new Date(clock ? virtualNow(clock) : Date.now());
    at.setUTCHours(24, 0, 0, 0);
    return at.toISOString();
  };
  return (
    <details class="control" onKeyDown={closeOnEscape}>
      <summary>
        Clock <time dateTime={now ?? undefined}>{shown}</time> {clock?.frozen ? '(frozen)' : '(running)'}
      </summary>
      <div class="control-body">
        <div class="row">
          {ADVANCE_PRESETS.map(([label, by]) => (
            <button aria-describedby={describedBy} key={by} onClick={() => void post({ advance: by }, `Clock advanced by ${by}`)}>
              {label}
            </button>
          ))}
          <button aria-describedby={describedBy} onClick={() => void post({ now: nextMidnight() }, 'Clock set to the next midnight UTC')}>Next midnight UTC</button>
          <button aria-describedby={describedBy} onClick={() => void post({ frozen: !clock?.frozen }, clock?.frozen ? 'Clock running' : 'Clock frozen')}>
            {clock?.frozen ? 'Unfreeze' : 'Freeze'}
          </button>
        </div>
        <form
          class="row"
          onSubmit={(event) => {
            event.preventDefault();
            const by = String(new FormData(event.currentTarget).get('advance') ?? '').trim();
            if (by) void post({ advance: /^\d+$/.test(by) ? Number(by) : by }, `Clock advanced by ${by}`);
          }}
        >
          <label>
            Advance by <input name="advance" size={8} placeholder="36h" aria-describedby={describedBy} />
          </label>
          <button aria-describedby={describedBy} type="submit">Advance</button>
        </form>
        <form
          class="row"
          onSubmit={(event) => {
            event.preventDefault();
            const at = String(new FormData(event.currentTarget).get('now') ?? '').trim();
            if (at) void post({ now: at }, `Clock set to ${at}`);
          }}
        >
          <label>
            Set to <input name="now" size={22} placeholder="2026-01-15T00:00:00Z" aria-describedby={describedBy} />
          </label>
          <button aria-describedby={describedBy} type="submit">Set</button>
        </form>
        {errorShown}
      </div>
    </details>
  );
}

/**
 * Escape closes an open control panel and gives the focus back to its summary, as a menu closes:
 * a confirmation or an edit inside it handles Escape first (and stops it), so one press cancels
 * one thing.
 */
export function closeOnEscape(event: KeyboardEvent) {
  const details = event.currentTarget as HTMLDetailsElement;
  if (event.key !== 'Escape' || !details.open) return;
  event.preventDefault();
  details.open = false;
  details.querySelector('summary')?.focus();
}

/**
 * A question before something that cannot be undone: what goes, a confirm button (focused, so
 * Enter confirms and Escape or Cancel takes it back) and the focus returned where it was.
 */
function Confirm({ text, action, onConfirm, onCancel }: { text: string; action: string; onConfirm: () => void; onCancel: () => void }) {
  const opener = useRef<Element | null>(document.activeElement);
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => confirmButton.current?.focus(), []);
  const back = () => (opener.current instanceof HTMLElement && opener.current.isConnected ? opener.current.focus() : undefined);
  const cancel = () => {
    onCancel();
    back();
  };
  return (
    <div
      class="confirm"
      role="alertdialog"
      aria-modal="false"
      aria-labelledby="confirm-text"
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.preventDefault();
        event.stopPropagation();
        cancel();
      }}
    >
      <p id="confirm-text">{text}</p>
      <div class="row">
        <button
          ref={confirmButton}
          class="destructive"
          onClick={() => {
            onConfirm();
            back();
          }}
        >
          {action}
        </button>
        <button onClick={cancel}>Cancel</button>
      </div>
    </div>
  );
}

/** "1 key", "5,000 keys". */
export const plural = (n: number, one: string) => `${n.toLocaleString('en')} ${one}${n === 1 ? '' : 's'}`;

type Pending = { text: string; action: string; go: () => void; cancelled?: () => void };

/**
 * Scenarios, reset, and the whole state as a file (`GET`/`PUT /__mock/state`, the export with the
 * clock and the fault rules). Each of reset, a scenario load and an import asks first, saying how
 * many keys go (the counts of `GET /__mock/accounts`, which the page already holds).
 */
export function DataPanel({ account, accounts, announce }: { account: Account | undefined; accounts: Account[]; announce: Announce }) {
  const { run, fail, describedBy, shown: errorShown } = usePanelError(announce, 'data-error');
  const [scenarios, setScenarios] = useState<Scenario[]>([]);
  const [pending, setPending] = useState<Pending | null>(null);
  useEffect(() => {
    control<{ data: Scenario[] }>('GET', '/scenarios').then(
      ({ data }) => setScenarios(data),
      (error) => fail(error),
    );
  }, [announce]);
  const allKeys = accounts.reduce((n, a) => n + a.keys, 0);

  async function exportState() {
    try {
      // Streamed to a Blob as it is: an export of 100,000 keys is ~60 MB, no need to parse it.
      const response = await fetch('/__mock/state?include=clock,faults', { headers: adminHeaders(), cache: 'no-store' });
      if (!response.ok) throw new Error(`GET /__mock/state: ${response.status}`);
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = 'openrouter-keys-mock-state.json';
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      announce('State exported (keys, clock and fault rules)');
    } catch (error) {
      fail(error);
    }
  }

  function importState(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setPending({
      text: `Import ${file.name}? It replaces every account and key: ${plural(allKeys, 'key')} in ${plural(accounts.length, 'account')} go (and the clock and fault rules, if the file has them).`,
      action: 'Replace with the file',
      go: () => {
        void run(`State imported from ${file.name}`, async () => control('PUT', '/state', await file.text()));
        input.value = '';
      },
      cancelled: () => (input.value = ''),
    });
  }

  return (
    <details class="control" onKeyDown={closeOnEscape}>
      <summary>Scenarios and state</summary>
      <div class="control-body">
        {account && <form
          class="row"
          onSubmit={(event) => {
            event.preventDefault();
            const name = String(new FormData(event.currentTarget).get('scenario'));
            const scenario = scenarios.find((s) => s.name === name);
            setPending({
              text: `Load the scenario ${name} into ${account.id}? Its ${plural(account.keys, 'key')} go, replaced by the scenario's ${plural(scenario?.keys ?? 0, 'key')}.`,
              action: 'Replace the keys',
              go: () => void run(`Scenario ${name} loaded into ${account.id}`, () => control('POST', `/scenarios/${encodeURIComponent(name)}`, { account_id: account.id })),
            });
          }}
        >
          <label>
            Scenario{' '}
            <select name="scenario">
              {scenarios.map((s) => (
                <option key={s.name} value={s.name} title={s.description}>
                  {s.name} ({s.keys} keys)
                </option>
              ))}
            </select>
          </label>
          <button aria-describedby={describedBy} type="submit">Load into this account…</button>
        </form>}
        <div class="row">
          <button
            aria-describedby={describedBy}
            onClick={() =>
              setPending({
                text: `Reset the mock to its start-up state? ${plural(allKeys, 'key')} in ${plural(accounts.length, 'account')} go, with the fault rules and the journal.`,
                action: 'Reset everything',
                go: () => void run('Mock reset to its start-up state', () => control('POST', '/reset')),
              })
            }
          >
            Reset…
          </button>
          <button aria-describedby={describedBy} onClick={() => void exportState()}>Export state</button>
          <label class="file">
            Import state <input aria-describedby={describedBy} type="file" accept="application/json,.json" onChange={importState} />
          </label>
        </div>
        {pending && (
          <Confirm
            text={pending.text}
            action={pending.action}
            onConfirm={() => {
              setPending(null);
              pending.go();
            }}
            onCancel={() => {
              setPending(null);
              pending.cancelled?.();
            }}
          />
        )}
        {errorShown}
      </div>
    </details>
  );
}

/** `POST /__mock/accounts`: a fresh account whose management key is shown once. */
export function AccountsPanel({ announce, onCreated }: { announce: Announce; onCreated: (id: string) => void }) {
  const { fail, describedBy, shown: errorShown } = usePanelError(announce, 'accounts-error');
  const [created, setCreated] = useState<{ id: string; management_key: string } | null>(null);
  return (
    <details class="control" onKeyDown={closeOnEscape}>
      <summary>Accounts</summary>
      <div class="control-body">
        <button aria-describedby={describedBy}
          onClick={async () => {
            try {
              const { data } = await control<{ data: { id: string; management_key: string } }>('POST', '/accounts', {});
              setCreated(data);
              announce(`Account ${data.id} created`);
              onCreated(data.id);
            } catch (error) {
              fail(error);
            }
          }}
        >
          Create account
        </button>
        {created && <SecretOnce label={`Management key of ${created.id} (shown once)`} value={created.management_key} announce={announce} />}
        {errorShown}
      </div>
    </details>
  );
}

/**
 * What the page shows when the mock has no account (`PUT /__mock/state {"accounts":[]}` is
 * valid): there are no keys to list, so it says how to get some.
 */
export function NoAccounts({ announce, onCreated }: { announce: Announce; onCreated: (id: string) => void }) {
  const [scenarios, setScenarios] = useState<Scenario[]>([]);
  useEffect(() => {
    control<{ data: Scenario[] }>('GET', '/scenarios').then(
      ({ data }) => setScenarios(data),
      (error) => announce(describeError(error)),
    );
  }, [announce]);
  return (
    <section class="panel keys" aria-labelledby="keys-title">
      <h2 id="keys-title">No accounts</h2>
      <p>
        The mock holds no account, so there are no keys to show. Create an account here (with a scenario's keys if you like), or under{' '}
        <strong>Scenarios and state</strong> import a state document or reset the mock to its start-up state.
      </p>
      <form
        class="row"
        onSubmit={(event) => {
          event.preventDefault();
          const scenario = String(new FormData(event.currentTarget).get('scenario') ?? '');
          control<{ data: { id: string } }>('POST', '/accounts', scenario === '' ? {} : { scenario }).then(
            ({ data }) => {
              announce(`Account ${data.id} created`);
              onCreated(data.id);
            },
            (error) => announce(describeError(error)),
          );
        }}
      >
        <label>
          Scenario{' '}
          <select name="scenario">
            <option value="">none (no keys)</option>
            {scenarios.map((s) => (
              <option key={s.name} value={s.name} title={s.description}>
                {s.name} ({s.keys} keys)
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Create an account</button>
      </form>
    </section>
  );
}
