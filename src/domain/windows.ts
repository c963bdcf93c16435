/**
 * OpenRouter's usage windows: the UTC day, the UTC week starting Monday 00:00, and the UTC month
 * (its documented reset rule: "Resets happen automatically at midnight UTC, and weeks are Monday
 * through Sunday").
 */
const DAY_MS = 86_400_000;

export interface WindowStarts {
  day: number;
  week: number;
  month: number;
}

let lastNow = Number.NaN;
let lastStarts: WindowStarts = { day: 0, week: 0, month: 0 };

/** The starts of the windows `now` is in (the last answer is remembered: callers ask in bursts). */
export function windowStarts(now: number): WindowStarts {
  if (now === lastNow) return lastStarts;
  lastStarts = computeStarts(now);
  lastNow = now;
  return lastStarts;
}

function computeStarts(now: number): WindowStarts {
  const d = new Date(now);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const daysSinceMonday = (d.getUTCDay() + 6) % 7;
  return { day, week: day - daysSinceMonday * DAY_MS, month: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) };
}

/** The next instant at which some window resets: the next midnight UTC. */
export function nextReset(now: number): number {
  return windowStarts(now).day + DAY_MS;
}

/** Which windows reset between `from` (exclusive) and `to` (inclusive). */
export function windowsCrossed(from: number, to: number): { daily: boolean; weekly: boolean; monthly: boolean } {
  if (to <= from) return { daily: false, weekly: false, monthly: false };
  const starts = windowStarts(to);
  return { daily: starts.day > from, weekly: starts.week > from, monthly: starts.month > from };
}
