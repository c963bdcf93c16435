import type { Clock, Key } from './api';

/** USD as the dashboard shows it: cents, or more digits for spend below a cent. */
export function money(amount: number | null): string {
  if (amount === null) return '—';
  if (amount !== 0 && Math.abs(amount) < 0.01) return `$${amount.toFixed(4)}`;
  return `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** `2026-01-14 23:50` (UTC, the mock's zone): short, sortable, the same in every browser. */
export function dateTime(iso: string | null): string {
  return iso === null ? '—' : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** `23:50:01.123`: a journal time on the virtual clock. */
export function timeOfDay(iso: string): string {
  return iso.slice(11, 23);
}

/** The first and last characters of a hash: enough to tell keys apart in a narrow cell. */
export function shortHash(hash: string): string {
  return hash.length > 14 ? `${hash.slice(0, 8)}…${hash.slice(-5)}` : hash;
}

/** A journal path with its 64-hex hash shortened. */
export function shortPath(path: string): string {
  return path.replace(/[0-9a-f]{64}/g, (hash) => shortHash(hash));
}

/** The virtual clock's "now" in ms, from its last reading and how long ago that was taken. */
export interface ClockReading extends Clock {
  /** performance.now() when the reading arrived. */
  at: number;
}

export function virtualNow(clock: ClockReading): number {
  const base = Date.parse(clock.now);
  return clock.frozen ? base : base + (performance.now() - clock.at);
}

export type KeyState = 'active' | 'disabled' | 'expired' | 'expiring' | 'at-limit' | 'near-limit';

export const STATE_LABELS: Record<KeyState, string> = {
  active: 'Active',
  disabled: 'Disabled',
  expired: 'Expired',
  expiring: 'Expiring soon',
  'at-limit': 'At limit',
  'near-limit': 'Near limit',
};

/** Expiring soon: within a week of the virtual now. */
const EXPIRING_MS = 7 * 24 * 3600 * 1000;
/** Near the limit: less than a tenth of it left. */
const NEAR_LIMIT = 0.1;

/** Every state a key is in (an enabled, unexpired key with room left is just "active"). */
export function keyStates(key: Key, now: number): KeyState[] {
  const states: KeyState[] = [];
  if (key.disabled) states.push('disabled');
  if (key.expires_at !== null) {
    const expires = Date.parse(key.expires_at);
    if (expires <= now) states.push('expired');
    else if (expires - now <= EXPIRING_MS) states.push('expiring');
  }
  if (key.limit !== null && key.limit_remaining !== null) {
    if (key.limit_remaining <= 0) states.push('at-limit');
    else if (key.limit_remaining < key.limit * NEAR_LIMIT) states.push('near-limit');
  }
  if (states.length === 0) states.push('active');
  return states;
}

export function resetLabel(reset: Key['limit_reset']): string {
  return reset === null ? 'no reset' : reset;
}
