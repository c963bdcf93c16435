import { parseUtcInstant } from './rules.js';

/**
 * Instants are compared as numbers, never as ISO strings: as text, the expanded years that
 * `toISOString()` writes past 9999 (`+010000-01-01T…`) sort before `2026-…`, and a timestamp
 * without milliseconds (`…:00Z`) sorts after the same second with them (`…:00.500Z`).
 */

const DAY_MS = 86_400_000;

/**
 * The instants the virtual clock can stand at: years 0100 to 9999. Narrower than a Date's
 * ±8.64e15 ms on purpose: a clock at a Date's last instant would run past it a millisecond later
 * (and then no timestamp could be written), years 0000–0099 are read as 1900–1999 by `Date.UTC`,
 * which the usage windows' calendar arithmetic uses, and within these years every timestamp keeps
 * its four-digit `YYYY-MM-DDTHH:MM:SS.mmmZ` form.
 */
export const CLOCK_MIN = -59_011_459_200_000; // 0100-01-01T00:00:00.000Z
export const CLOCK_MAX = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

/** Whether the clock may stand at `ms` (see CLOCK_MIN, CLOCK_MAX). */
export const clockCanStandAt = (ms: number): boolean => Number.isInteger(ms) && ms >= CLOCK_MIN && ms <= CLOCK_MAX;
/** Character positions of the digits in `YYYY-MM-DDTHH:MM:SS.mmmZ`. */
const DIGIT_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

let lastText = '';
let lastInstant = Number.NaN;

/**
 * Epoch milliseconds of a stored timestamp (`created_at` and friends, checked on the way in).
 * The canonical form is read by arithmetic (~20 ns; the general parser takes ~800 ns, and a
 * 100,000-key load reads every `created_at`); any other accepted form goes through
 * `parseUtcInstant`. A text no rule accepts is -Infinity, so that orders stay total.
 * The last answer is remembered: the PATCH path asks about the same key's `created_at` in bursts.
 */
export function instantOf(text: string): number {
  if (text === lastText) return lastInstant;
  let at = canonicalInstant(text);
  if (Number.isNaN(at)) at = parseUtcInstant(text) ?? Number.NEGATIVE_INFINITY;
  lastText = text;
  lastInstant = at;
  return at;
}

/** `YYYY-MM-DDTHH:MM:SS.mmmZ` (years 0100–9999) as epoch ms, or NaN for anything else. */
function canonicalInstant(t: string): number {
  if (
    t.length !== 24 ||
    t.charCodeAt(4) !== 45 || // -
    t.charCodeAt(7) !== 45 ||
    t.charCodeAt(10) !== 84 || // T
    t.charCodeAt(13) !== 58 || // :
    t.charCodeAt(16) !== 58 ||
    t.charCodeAt(19) !== 46 || // .
    t.charCodeAt(23) !== 90 // Z
  ) {
    return Number.NaN;
  }
  for (const at of DIGIT_AT) {
    const c = t.charCodeAt(at);
    if (c < 48 || c > 57) return Number.NaN;
  }
  const year = digits(t, 0, 4);
  const month = digits(t, 5, 2);
  const day = digits(t, 8, 2);
  const hour = digits(t, 11, 2);
  const minute = digits(t, 14, 2);
  const second = digits(t, 17, 2);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  // Years below 100 and impossible dates take the general parser's path (which refuses the latter).
  if (year < 100 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  if (day > DAYS_IN_MONTH[month - 1]! + (month === 2 && leap ? 1 : 0)) return Number.NaN;
  return daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + digits(t, 20, 3);
}

/** The number written by `length` digits at `at` (already checked to be digits). */
function digits(t: string, at: number, length: number): number {
  let value = 0;
  for (let i = at; i < at + length; i++) value = value * 10 + t.charCodeAt(i) - 48;
  return value;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}
