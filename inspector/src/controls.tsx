import { useEffect, useState } from 'preact/hooks';
import { adminHeaders, control, describeError, type Account, type Clock, type FaultRule, type Scenario } from './api';
import { virtualNow, type ClockReading } from './format';
import { useEvery } from './hooks';
import { SecretOnce } from './keys';

type Announce = (text: string) => void;

/**
 * A panel's own error: shown inside the panel, next to the controls that caused it (not in the page's
 * status line far below), announced by screen readers (role="alert") and tied to those controls
 * (aria-describedby). `run` is `act` with the failure kept there; a success clears it.
 */
function usePanelError(announce: Announce, id: string) {
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
    <details class="control">
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

function describeRule(rule: FaultRule): string {
  const where = `${rule.match.method ?? 'any method'} ${rule.match.path ?? 'any path'}${rule.match.hash ? ` hash ${rule.match.hash.slice(0, 8)}…` : ''}`;
  const what = [
    rule.fault ?? (rule.status !== undefined ? String(rule.status) : null),
    rule.delay_ms ? `delay ${rule.delay_ms} ms` : null,
    rule.retry_after !== undefined ? `Retry-After ${rule.retry_after}` : null,
  ].filter(Boolean);
  const left = rule.remaining === null ? 'every time' : `${rule.remaining} left`;
  return `${where} → ${what.join(', ') || 'pass'} (${left}, ${rule.hits} hit${rule.hits === 1 ? '' : 's'})`;
}

/** Fault rules: `GET/POST/DELETE /__mock/faults`; reloaded on `faults` events (added, removed, used). */
export function FaultsPanel({ tick, announce }: { tick: number; announce: Announce }) {
  const { run, fail, describedBy, shown: errorShown } = usePanelError(announce, 'faults-error');
  const [rules, setRules] = useState<FaultRule[]>([]);
  useEffect(() => {
    if (tick === 0) return; // loaded once the event stream is open, as the keys are
    control<{ data: FaultRule[] }>('GET', '/faults').then(
      ({ data }) => setRules(data),
      (error) => fail(error),
    );
  }, [tick, announce]);

  async function add(event: Event) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const fields = new FormData(form);
    const text = (name: string) => String(fields.get(name) ?? '').trim();
    const number = (name: string) => (text(name) === '' ? undefined : Number(text(name)));
    const match = { ...(text('method') && { method: text('method') }), ...(text('path') && { path: text('path') }), ...(text('hash') && { hash: text('hash') }) };
    const fault = text('fault');
    const spec = {
      match,
      ...(fault ? { fault } : number('status') !== undefined && { status: number('status') }),
      ...(number('times') !== undefined && { times: number('times') }),
      ...(number('delay_ms') !== undefined && { delay_ms: number('delay_ms') }),
      ...(number('retry_after') !== undefined && { retry_after: number('retry_after') }),
    };
    if (await run('Fault added', () => control('POST', '/faults', spec))) form.reset();
  }

  return (
    <details class="control">
      <summary>
        Faults <span class="count">{rules.length}</span>
      </summary>
      <div class="control-body">
        {rules.length === 0 ? (
          <p class="muted">No fault rules: every API request gets the real answer.</p>
        ) : (
          <ul class="rules">
            {rules.map((rule) => (
              <li key={rule.id}>
                <span>{describeRule(rule)}</span>
                <button aria-describedby={describedBy}
                  aria-label={`Remove fault ${describeRule(rule)}`}
                  onClick={() => void run('Fault removed', () => control('DELETE', `/faults/${encodeURIComponent(rule.id)}`))}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        <form class="grid-form" onSubmit={add}>
          <fieldset>
            <legend>Add a fault</legend>
            <label>
              Method{' '}
              <select name="method">
                <option value="">any</option>
                <option>GET</option>
                <option>POST</option>
                <option>PATCH</option>
                <option>DELETE</option>
              </select>
            </label>
            <label>
              Path <input name="path" placeholder="/keys/**" size={12} />
            </label>
            <label>
              Hash <input name="hash" size={12} />
            </label>
            <label>
              Status <input name="status" type="number" min="400" max="599" defaultValue="429" />
            </label>
            <label>
              Or{' '}
              <select name="fault">
                <option value="">answer with the status</option>
                <option value="reset">reset the connection</option>
                <option value="timeout">never answer</option>
              </select>
            </label>
            <label>
              Times (empty: every time) <input name="times" type="number" min="1" />
            </label>
            <label>
              Delay (ms) <input name="delay_ms" type="number" min="0" />
            </label>
            <label>
              Retry-After (s) <input name="retry_after" type="number" min="0" />
            </label>
            <button aria-describedby={describedBy} type="submit">Add fault</button>
          </fieldset>
        </form>
        <button aria-describedby={describedBy} disabled={rules.length === 0} onClick={() => void run('Faults cleared', () => control('DELETE', '/faults'))}>
          Clear all faults
        </button>
        {errorShown}
      </div>
    </details>
  );
}

/** Scenarios, reset, and the whole state as a file (`GET`/`PUT /__mock/state`). */
export function DataPanel({ account, announce }: { account: Account | undefined; announce: Announce }) {
  const { run, fail, describedBy, shown: errorShown } = usePanelError(announce, 'data-error');
  const [scenarios, setScenarios] = useState<Scenario[]>([]);
  const [confirmReset, setConfirmReset] = useState(false);
  useEffect(() => {
    control<{ data: Scenario[] }>('GET', '/scenarios').then(
      ({ data }) => setScenarios(data),
      (error) => fail(error),
    );
  }, [announce]);

  async function exportState() {
    try {
      // Streamed to a Blob as it is: an export of 100,000 keys is ~60 MB, no need to parse it.
      const response = await fetch('/__mock/state', { headers: adminHeaders(), cache: 'no-store' });
      if (!response.ok) throw new Error(`GET /__mock/state: ${response.status}`);
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = 'openrouter-keys-mock-state.json';
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      announce('State exported');
    } catch (error) {
      fail(error);
    }
  }

  async function importState(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    await run(`State imported from ${file.name}`, async () => control('PUT', '/state', await file.text()));
    input.value = '';
  }

  return (
    <details class="control">
      <summary>Scenarios and state</summary>
      <div class="control-body">
        {account && <form
          class="row"
          onSubmit={(event) => {
            event.preventDefault();
            const name = String(new FormData(event.currentTarget).get('scenario'));
            void run(`Scenario ${name} loaded into ${account.id}`, () =>
              control('POST', `/scenarios/${encodeURIComponent(name)}`, { account_id: account.id }),
            );
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
          <button aria-describedby={describedBy} type="submit">Load into this account</button>
        </form>}
        <div class="row">
          {confirmReset ? (
            <>
              <button aria-describedby={describedBy}
                class="destructive"
                onClick={() => {
                  setConfirmReset(false);
                  void run('Mock reset to its start-up state', () => control('POST', '/reset'));
                }}
              >
                Reset everything
              </button>
              <button aria-describedby={describedBy} onClick={() => setConfirmReset(false)}>Cancel</button>
            </>
          ) : (
            <button aria-describedby={describedBy} onClick={() => setConfirmReset(true)}>Reset…</button>
          )}
          <button aria-describedby={describedBy} onClick={() => void exportState()}>Export state</button>
          <label class="file">
            Import state <input aria-describedby={describedBy} type="file" accept="application/json,.json" onChange={(e) => void importState(e)} />
          </label>
        </div>
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
    <details class="control">
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
