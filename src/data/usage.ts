/**
 * Window arithmetic for realistic usage: the UTC day, the Monday-based UTC week and the UTC month
 * (OpenRouter's documented reset boundaries), and usage figures that respect them.
 */
import { windowStarts } from '../domain/windows.js';

/** Money to 4 decimal places, rounded down so that nested figures stay nested. */
export const money = (usd: number): number => Math.floor(usd * 10_000) / 10_000;

export interface UsageFamily {
  total: number;
  daily: number;
  weekly: number;
  monthly: number;
}

/**
 * Splits a lifetime total into window figures that obey daily ≤ weekly ≤ total and daily ≤
 * monthly ≤ total: a window that holds the whole active life of the key holds the whole total, a
 * window the key was not active in holds nothing, and the rest hold a random share of the enclosing
 * window. `share()` returns a number in [0, 1).
 */
export function splitUsage(total: number, createdAt: number, lastActive: number, now: number, share: () => number): UsageFamily {
  const starts = windowStarts(now);
  const inner = Math.max(starts.week, starts.month);
  const outer = Math.min(starts.week, starts.month);
  const within = (start: number, enclosing: number): number => {
    if (lastActive < start) return 0;
    if (createdAt >= start) return enclosing;
    return money(enclosing * share());
  };
  const t = money(total);
  const outerUsage = within(outer, t);
  const innerUsage = within(inner, outerUsage);
  const daily = within(starts.day, innerUsage);
  const weekIsInner = starts.week >= starts.month;
  return {
    total: t,
    daily,
    weekly: weekIsInner ? innerUsage : outerUsage,
    monthly: weekIsInner ? outerUsage : innerUsage,
  };
}
