import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { control, type FaultRule } from './api';
import { closeOnEscape, plural, usePanelError, type Announce } from './controls';

/**
 * The fault rules panel: each rule with its state, hits and last hit, a switch to turn it off and
 * on, an edit form and a remove button; a form to add one (src/domain/faults.ts says what they do).
 */


function describeRule(rule: FaultRule): string {
  const where = `${rule.match.method ?? 'any method'} ${rule.match.path ?? 'any path'}${rule.match.hash ? ` hash ${rule.match.hash.slice(0, 8)}…` : ''}`;
  const what = [
    rule.fault ?? (rule.status !== undefined ? String(rule.status) : null),
    rule.delay_ms ? `delay ${rule.delay_ms} ms` : null,
    rule.retry_after !== undefined ? `Retry-After ${rule.retry_after}` : null,
  ].filter(Boolean);
  const left = rule.remaining === null ? 'every time' : rule.remaining === 0 ? 'used up' : `${rule.remaining} left`;
  return `${where} → ${what.join(', ') || 'pass'} (${left})`;
}

const STATE_LABELS: Record<FaultRule['state'], string> = { active: 'active', disabled: 'disabled', used_up: 'used up' };

/** "2026-01-14 23:50:00 UTC" of an ISO instant (the virtual clock, as the journal shows it). */
const shownInstant = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

/** The fields of a rule, empty for a new one or filled with a rule's own for an edit. */
function RuleFields({ rule, legend, children }: { rule?: FaultRule; legend: string; children?: ComponentChildren }) {
  const value = (n: number | undefined) => (n === undefined ? '' : String(n));
  return (
    <fieldset>
      <legend>{legend}</legend>
      <label>
        Method{' '}
        <select name="method">
          {['', 'GET', 'POST', 'PATCH', 'DELETE'].map((method) => (
            // `selected`, not the select's defaultValue (which Preact does not apply to a select).
            <option key={method} value={method} selected={(rule?.match.method?.toUpperCase() ?? '') === method}>
              {method || 'any'}
            </option>
          ))}
        </select>
      </label>
      <label>
        Path <input name="path" placeholder="/keys/**" size={12} defaultValue={rule?.match.path ?? ''} />
      </label>
      <label>
        Hash <input name="hash" size={12} defaultValue={rule?.match.hash ?? ''} />
      </label>
      <label>
        Status <input name="status" type="number" min="400" max="599" defaultValue={rule ? value(rule.status) : '429'} />
      </label>
      <label>
        Or{' '}
        <select name="fault">
          {(
            [
              ['', 'answer with the status'],
              ['reset', 'reset the connection'],
              ['timeout', 'never answer'],
            ] as const
          ).map(([fault, label]) => (
            <option key={fault} value={fault} selected={(rule?.fault ?? '') === fault}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Times (empty: every time) <input name="times" type="number" min="1" defaultValue={value(rule?.times)} />
      </label>
      <label>
        Delay (ms) <input name="delay_ms" type="number" min="0" defaultValue={value(rule?.delay_ms)} />
      </label>
      <label>
        Retry-After (s) <input name="retry_after" type="number" min="0" defaultValue={value(rule?.retry_after)} />
      </label>
      {children}
    </fieldset>
  );
}

/** A form's rule fields as a spec: for an add, the fields set; for an edit, every field, an empty one as null (cleared). */
function ruleSpec(form: HTMLFormElement, edit: FaultRule | null): Record<string, unknown> {
  const fields = new FormData(form);
  const text = (name: string) => String(fields.get(name) ?? '').trim();
  const number = (name: string) => (text(name) === '' ? (edit ? null : undefined) : Number(text(name)));
  const match = { ...(text('method') && { method: text('method') }), ...(text('path') && { path: text('path') }), ...(text('hash') && { hash: text('hash') }) };
  const fault = text('fault') || (edit ? null : undefined);
  const spec: Record<string, unknown> = {
    match,
    fault,
    status: fault ? (edit ? null : undefined) : number('status'),
    delay_ms: number('delay_ms'),
    retry_after: number('retry_after'),
  };
  // `times` sent only when changed: sending it starts the rule's count again.
  const times = number('times');
  if (!edit || (times ?? undefined) !== edit.times) spec.times = times;
  for (const key of Object.keys(spec)) if (spec[key] === undefined) delete spec[key];
  return spec;
}

/** Fault rules: `GET/POST/PATCH/DELETE /__mock/faults`; reloaded on `faults` events (added, edited, removed, used). */
export function FaultsPanel({ tick, announce }: { tick: number; announce: Announce }) {
  const { run, fail, describedBy, shown: errorShown } = usePanelError(announce, 'faults-error');
  const [rules, setRules] = useState<FaultRule[]>([]);
  const [editing, setEditing] = useState<string | null>(null);
  const list = useRef<HTMLUListElement>(null);
  const addForm = useRef<HTMLFormElement>(null);
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
    if (await run('Fault added', () => control('POST', '/faults', ruleSpec(form, null)))) form.reset();
  }

  const path = (rule: FaultRule) => `/faults/${encodeURIComponent(rule.id)}`;

  /** After a rule is removed the focus goes to the next rule's Remove button (else the previous one's, else the add form), not to the page. */
  async function remove(rule: FaultRule, at: number) {
    if (!(await run('Fault removed', () => control('DELETE', path(rule))))) return;
    const buttons = [...(list.current?.querySelectorAll<HTMLButtonElement>('button.remove') ?? [])].filter((b) => b.dataset.id !== rule.id);
    const next = buttons[at] ?? buttons[at - 1];
    if (next) next.focus();
    else addForm.current?.querySelector<HTMLElement>('select, input')?.focus();
  }

  return (
    <details class="control" onKeyDown={closeOnEscape}>
      <summary>
        Faults <span class="count">{rules.length}</span>
      </summary>
      <div class="control-body">
        {rules.length === 0 ? (
          <p class="muted">No fault rules: every API request gets the real answer.</p>
        ) : (
          <ul class="rules" ref={list}>
            {rules.map((rule, at) => (
              <li key={rule.id} data-state={rule.state}>
                <div class="rule-head">
                  <span>{describeRule(rule)}</span>
                  <span class={`badge badge-rule-${rule.state}`}>{STATE_LABELS[rule.state]}</span>
                  <span class="muted">
                    {plural(rule.hits, 'hit')}
                    {rule.last_hit ? <>, last <time dateTime={rule.last_hit}>{shownInstant(rule.last_hit)}</time></> : null}
                  </span>
                </div>
                <div class="row">
                  <label class="check">
                    <input
                      type="checkbox"
                      checked={rule.enabled}
                      aria-describedby={describedBy}
                      aria-label={`Enabled: ${describeRule(rule)}`}
                      onChange={(event) => {
                        const enabled = (event.currentTarget as HTMLInputElement).checked;
                        void run(enabled ? 'Fault enabled' : 'Fault disabled', () => control('PATCH', path(rule), { enabled }));
                      }}
                    />{' '}
                    Enabled
                  </label>
                  <button aria-describedby={describedBy} aria-expanded={editing === rule.id} aria-label={`Edit fault ${describeRule(rule)}`} onClick={() => setEditing(editing === rule.id ? null : rule.id)}>
                    Edit
                  </button>
                  <button class="remove" data-id={rule.id} aria-describedby={describedBy} aria-label={`Remove fault ${describeRule(rule)}`} onClick={() => void remove(rule, at)}>
                    Remove
                  </button>
                </div>
                {editing === rule.id && (
                  <form
                    class="grid-form"
                    onKeyDown={(event) => {
                      if (event.key !== 'Escape') return;
                      event.preventDefault();
                      event.stopPropagation();
                      setEditing(null);
                      list.current?.querySelector<HTMLElement>(`button[aria-expanded="true"]`)?.focus();
                    }}
                    onSubmit={async (event) => {
                      event.preventDefault();
                      const form = event.currentTarget as HTMLFormElement;
                      if (await run('Fault edited', () => control('PATCH', path(rule), ruleSpec(form, rule)))) setEditing(null);
                    }}
                  >
                    <RuleFields rule={rule} legend="Edit the fault">
                      <button aria-describedby={describedBy} type="submit">Save fault</button>
                      <button type="button" onClick={() => setEditing(null)}>Cancel</button>
                    </RuleFields>
                  </form>
                )}
              </li>
            ))}
          </ul>
        )}
        <form class="grid-form" onSubmit={add} ref={addForm}>
          <RuleFields legend="Add a fault">
            <button aria-describedby={describedBy} type="submit">Add fault</button>
          </RuleFields>
        </form>
        <button aria-describedby={describedBy} disabled={rules.length === 0} onClick={() => void run('Faults cleared', () => control('DELETE', '/faults'))}>
          Clear all faults
        </button>
        {errorShown}
      </div>
    </details>
  );
}

