import type { FoundKey } from './api';
import { money, resetLabel, STATE_LABELS, keyStates } from './format';
import { admissionText } from './key-history';

/** The keys table's parts: one row per key, and the pager under it. */

/** The API's page size: the table pages exactly as `GET /keys?offset=` does (and so does the search). */
export const PAGE = 100;

const WINDOWS = [
  ['daily', 'usage_daily', 'byok_usage_daily'],
  ['weekly', 'usage_weekly', 'byok_usage_weekly'],
  ['monthly', 'usage_monthly', 'byok_usage_monthly'],
  ['total', 'usage', 'byok_usage'],
] as const;

export function KeyRow({ item, now, changed, onOpen }: { item: FoundKey; now: number; changed: boolean; onOpen: () => void }) {
  const states = keyStates(item, now);
  const hasByok = item.byok_usage > 0;
  const share = item.limit !== null && item.limit > 0 && item.limit_remaining !== null ? item.limit_remaining / item.limit : null;
  return (
    <tr data-hash={item.hash} class={changed ? 'changed' : undefined}>
      <td class="name">
        <button class="link" onClick={onOpen} aria-haspopup="dialog">
          {item.name}
        </button>
        <code class="label">{item.label}</code>
      </td>
      <td>
        <ul class="badges">
          {states.map((state) => (
            <li class={`badge badge-${state}`} key={state}>
              {STATE_LABELS[state]}
            </li>
          ))}
        </ul>
      </td>
      <td class="num">
        {item.limit === null ? 'none' : money(item.limit)}
        <span class="muted block">{resetLabel(item.limit_reset)}</span>
        {item.include_byok_in_limit && item.limit !== null && <span class="muted block">BYOK counts</span>}
      </td>
      <td class="num">
        {share === null ? (
          <span class="muted">{item.limit === null ? '—' : money(item.limit_remaining)}</span>
        ) : (
          <>
            {money(item.limit_remaining)}
            <span class="bar" aria-hidden="true">
              <span style={{ width: `${Math.min(100, Math.max(0, share * 100)).toFixed(1)}%` }} class={share < 0.1 ? 'low' : ''} />
            </span>
          </>
        )}
      </td>
      {WINDOWS.map(([window, usage, byok]) => (
        <td class="num usage" key={window}>
          <span data-window={window}>{money(item[usage])}</span>
          {hasByok && <span class="block byok">BYOK {money(item[byok])}</span>}
        </td>
      ))}
      <td class={item.admission.accepted ? 'admission' : 'admission refused'} data-admission>
        {admissionText(item.admission)}
      </td>
      <td class="dates">
        <time dateTime={item.created_at} title={item.created_at}>
          {item.created_at.slice(0, 10)}
        </time>
        <span class="muted block">
          {item.updated_at ? (
            <time dateTime={item.updated_at} title={item.updated_at}>
              {item.updated_at.slice(0, 10)}
            </time>
          ) : (
            'never'
          )}
        </span>
      </td>
    </tr>
  );
}

/** Previous, next, and a jump to any page of the total. */
export function Pager({ offset, pages, onOffset }: { offset: number; pages: number; onOffset: (offset: number) => void }) {
  const current = Math.floor(offset / PAGE) + 1;
  return (
    <nav class="pager" aria-label="Key pages">
      <button disabled={current === 1} onClick={() => onOffset(Math.max(0, offset - PAGE))}>
        Previous page
      </button>
      <span>
        Page {current} of {pages}
      </span>
      <button disabled={current >= pages} onClick={() => onOffset(offset + PAGE)}>
        Next page
      </button>
      <form
        class="jump"
        onSubmit={(event) => {
          event.preventDefault();
          const wanted = Number(new FormData(event.currentTarget).get('page'));
          if (Number.isInteger(wanted) && wanted >= 1) onOffset((Math.min(wanted, pages) - 1) * PAGE);
        }}
      >
        <label>
          Go to page <input name="page" type="number" min="1" max={pages} step="1" required />
        </label>
        <button type="submit">Go</button>
      </form>
    </nav>
  );
}

