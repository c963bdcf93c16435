/**
 * Durations as people write them: "90s", "36h", "1d12h30m", "500ms" (parts in order d, h, m, s,
 * ms; whole numbers). Used for the virtual clock and for relative timestamps in fixtures.
 */
const PART_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

export function parseDuration(text: string): number | null {
  if (text === '') return null;
  const m = DURATION.exec(text);
  if (!m) return null;
  const [d, h, min, s, ms] = m.slice(1).map((part) => (part === undefined ? 0 : Number(part))) as number[];
  const total = d! * PART_MS.d + h! * PART_MS.h + min! * PART_MS.m + s! * PART_MS.s + ms!;
  return Number.isSafeInteger(total) ? total : null;
}

/** "now", "now-30d", "now+1d12h": an instant relative to `now`, or null if not of that form. */
export function parseRelativeInstant(text: string, now: number): number | null {
  if (text === 'now') return now;
  const m = /^now([+-])(.+)$/.exec(text);
  if (!m) return null;
  const span = parseDuration(m[2]!);
  if (span === null) return null;
  return m[1] === '+' ? now + span : now - span;
}
