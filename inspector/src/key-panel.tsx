import { useEffect, useRef, useState } from 'preact/hooks';
import { api, control, describeError, type FoundKey, type Key } from './api';
import { dateTime, money } from './format';
import { KeyHistory, KeyStateSummary } from './key-history';

interface PanelProps {
  /** The key as the table read it last: the state, spend and history shown follow it live. */
  item: FoundKey;
  /** The virtual clock's now (epoch ms). */
  now: number;
  managementKey: string;
  onClose: () => void;
  /** After a delete, before the dialog closes: where the focus goes next is the table's to say. */
  onDeleted: () => void;
  announce: (text: string) => void;
  /** Takes a failure that means the management key was refused (401); false for any other. */
  onRefused: (failure: unknown) => boolean;
}

/**
 * One key, in a modal dialog: its fields edited through the real `PATCH /api/v1/keys/{hash}`
 * (only the fields that changed are sent, as a client would), spend recorded through the control
 * plane, and deletion through the real `DELETE`.
 */
export function KeyPanel({ item, now, managementKey, onClose, onDeleted, announce, onRefused }: PanelProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  // What the form showed when it opened (or was last saved): a field the person left alone is
  // never sent, even if another client changes the key meanwhile.
  const [shown, setShown] = useState<Key>(item);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState('');
  // The page's status region is outside the modal dialog (inert while it is open): the dialog says it too.
  const [note, setNote] = useState('');
  const tell = (text: string) => {
    setNote(text);
    announce(text);
  };

  useEffect(() => {
    const element = dialog.current!;
    element.showModal();
    return () => element.close();
  }, []);

  async function save(event: Event) {
    event.preventDefault();
    const fields = new FormData(event.currentTarget as HTMLFormElement);
    const name = String(fields.get('name') ?? '');
    const limitText = String(fields.get('limit') ?? '').trim();
    const limit = limitText === '' ? null : Number(limitText);
    const resetText = String(fields.get('limit_reset') ?? '');
    const reset = resetText === '' ? null : (resetText as Key['limit_reset']);
    const byok = fields.get('include_byok_in_limit') === 'on';
    const disabled = fields.get('disabled') === 'on';
    const patch: Record<string, unknown> = {};
    if (name !== shown.name) patch.name = name;
    if (limit !== shown.limit) patch.limit = limit;
    if (reset !== shown.limit_reset) patch.limit_reset = reset;
    if (byok !== shown.include_byok_in_limit) patch.include_byok_in_limit = byok;
    if (disabled !== shown.disabled) patch.disabled = disabled;
    if (Object.keys(patch).length === 0) {
      tell('Nothing changed');
      return;
    }
    try {
      const { data } = await api<{ data: Key }>(managementKey, 'PATCH', `/keys/${item.hash}`, patch);
      setShown(data);
      setError('');
      tell(`Saved "${data.name}" (PATCH ${Object.keys(patch).join(', ')})`);
    } catch (failure) {
      if (!onRefused(failure)) setError(describeError(failure));
    }
  }

  async function recordUsage(event: Event) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const fields = new FormData(form);
    const amount = Number(fields.get('amount') || 0);
    const byok = Number(fields.get('byok') || 0);
    try {
      await control('POST', `/keys/${item.hash}/usage`, byok > 0 ? { amount, byok } : { amount });
      setError('');
      form.reset();
      tell(`Recorded ${money(amount)}${byok > 0 ? ` and ${money(byok)} BYOK` : ''} on "${item.name}"`);
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  async function remove() {
    try {
      await api(managementKey, 'DELETE', `/keys/${item.hash}`);
      announce(`Deleted "${item.name}"`);
      onDeleted();
      onClose();
    } catch (failure) {
      if (!onRefused(failure)) setError(describeError(failure));
    }
  }

  return (
    <dialog ref={dialog} class="key-panel" aria-labelledby="panel-title" onClose={onClose}>
      <div class="dialog-head">
        <h2 id="panel-title">{item.name}</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <p class="muted">
        <code>{item.label}</code> · hash <code class="wrap">{item.hash}</code> · workspace <code class="wrap">{item.workspace_id}</code> · expires{' '}
        {dateTime(item.expires_at)}
      </p>
      <KeyStateSummary item={item} now={now} />
      <form onSubmit={save} class="grid-form">
        <fieldset>
          <legend>Edit (PATCH /api/v1/keys/…)</legend>
          <label>
            Name <input name="name" defaultValue={shown.name} required />
          </label>
          <label>
            Limit (USD, empty: none) <input name="limit" type="number" min="0" step="any" defaultValue={shown.limit === null ? '' : String(shown.limit)} />
          </label>
          <ResetField value={shown.limit_reset} />
          <label class="check">
            <input name="include_byok_in_limit" type="checkbox" defaultChecked={shown.include_byok_in_limit} /> BYOK counts in the limit
          </label>
          <label class="check">
            <input name="disabled" type="checkbox" defaultChecked={shown.disabled} /> Disabled
          </label>
          <button type="submit">Save</button>
        </fieldset>
      </form>
      <form onSubmit={recordUsage} class="grid-form">
        <fieldset>
          <legend>Record usage (POST /__mock/keys/…/usage)</legend>
          <label>
            Amount (USD) <input name="amount" type="number" min="0" step="any" required />
          </label>
          <label>
            BYOK (USD) <input name="byok" type="number" min="0" step="any" />
          </label>
          <button type="submit">Record</button>
        </fieldset>
      </form>
      <div class="danger">
        {confirming ? (
          <>
            <button type="button" class="destructive" onClick={remove}>
              Delete "{item.name}" for good
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </>
        ) : (
          <button type="button" onClick={() => setConfirming(true)}>
            Delete key…
          </button>
        )}
      </div>
      <KeyHistory item={item} />
      <p class="status" role="status">
        {note}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </dialog>
  );
}

const RESET_CHOICES = [
  ['', 'none'],
  ['daily', 'daily'],
  ['weekly', 'weekly'],
  ['monthly', 'monthly'],
] as const;

/** The limit's reset window, a form field named `limit_reset` ("" is none), for editing and creating a key. */
export function ResetField({ value = null }: { value?: Key['limit_reset'] }) {
  return (
    <label>
      Reset{' '}
      {/* `selected` on the option: Preact has no `defaultValue` for a select, so that one showed "none" always. */}
      <select name="limit_reset">
        {RESET_CHOICES.map(([choice, label]) => (
          <option key={choice} value={choice} selected={(value ?? '') === choice}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );
}
