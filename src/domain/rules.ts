import { LIMIT_RESETS } from './types.js';

/**
 * The value rules of the key API's writable fields, shared by PATCH, POST and fixture loading.
 * Each returns null when the value is acceptable, else the rule it breaks, phrased to follow the
 * field's name ("name must …"). The wire schemas check JSON types first; these hold the rules a
 * type cannot say (whitespace-only names, finite money, UTC instants in the future).
 */
export type FieldRule = (value: unknown) => string | null;

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export const nameRule: FieldRule = (v) =>
  typeof v === 'string' && v.trim() !== '' ? null : 'must be a non-empty string that is not only whitespace';

export const booleanRule: FieldRule = (v) => (typeof v === 'boolean' ? null : 'must be a boolean (true or false)');

export const limitRule: FieldRule = (v) =>
  v === null || (isFiniteNumber(v) && v >= 0) ? null : 'must be a finite number ≥ 0 (USD), or null for no limit';

export const limitResetRule: FieldRule = (v) =>
  v === null || (typeof v === 'string' && (LIMIT_RESETS as readonly string[]).includes(v))
    ? null
    : 'must be one of "daily", "weekly", "monthly", or null for no reset';

export const usageRule: FieldRule = (v) => (isFiniteNumber(v) && v >= 0 ? null : 'must be a finite number ≥ 0 (USD)');

export const nullableStringRule: FieldRule = (v) =>
  v === null || (typeof v === 'string' && v.length > 0) ? null : 'must be a non-empty string or null';

const HASH_PATTERN = /^[0-9a-f]{64}$/;
export const hashRule: FieldRule = (v) =>
  typeof v === 'string' && HASH_PATTERN.test(v) ? null : 'must be 64 lowercase hexadecimal characters (a SHA-256 hex digest)';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const uuidRule: FieldRule = (v) => (typeof v === 'string' && UUID_PATTERN.test(v) ? null : 'must be a UUID');

const UTC_INSTANT = /^(\d{4}|[+-]\d{6})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
/** The last instant a JavaScript Date can hold, either side of 1970. */
const MAX_DATE_MS = 8.64e15;

/**
 * Parses an ISO 8601 UTC instant that ends in `Z` (OpenRouter rejects other offsets) and names a
 * real calendar moment (no 30 February). Years past 9999 take the expanded form `toISOString()`
 * writes for them (`+010000-01-01T00:00:00.000Z`): a key created with the clock set that far
 * exports so, and must import back. Returns epoch milliseconds, or null.
 */
export function parseUtcInstant(text: string): number | null {
  const m = UTC_INSTANT.exec(text);
  if (!m || m[1] === '-000000') return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  // setUTCFullYear, because Date.UTC maps years 0–99 to 1900–1999.
  const back = new Date(Date.UTC(2000, mo - 1, d, h, mi, s));
  back.setUTCFullYear(y, mo - 1, d);
  const ms = back.getTime() + (m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0);
  const same =
    back.getUTCFullYear() === y &&
    back.getUTCMonth() === mo - 1 &&
    back.getUTCDate() === d &&
    back.getUTCHours() === h &&
    back.getUTCMinutes() === mi &&
    back.getUTCSeconds() === s;
  return same && Math.abs(ms) <= MAX_DATE_MS ? ms : null;
}

export const timestampRule: FieldRule = (v) =>
  typeof v === 'string' && parseUtcInstant(v) !== null
    ? null
    : 'must be an ISO 8601 UTC timestamp ending in "Z" (e.g. "2027-12-31T23:59:59Z")';

const DAY_MS = 86_400_000;
let lastIsoMs = Number.NaN;
let lastIso = '';
/** The character codes of a number's tens and units digits (0–99). */
const tens = (n: number) => 48 + ((n / 10) | 0);
const units = (n: number) => 48 + (n % 10);

/**
 * The canonical form the mock writes every timestamp in: exactly `Date.prototype.toISOString()`
 * (UTC, milliseconds, `Z`). For years 1970–9999 it is computed by arithmetic (days → civil date,
 * Hinnant's algorithm) straight into character codes for one `String.fromCharCode`, which yields
 * one flat string without allocating a Date — a 100,000-key dataset writes 250,000 timestamps at
 * start-up, a PATCH one. (Assembling it from string parts was as fast but left a tree of pieces
 * per timestamp: +50 MB of heap; decoding the codes from a Uint16Array as UTF-16 with a
 * TextDecoder took twice as long as `fromCharCode`.)
 */
export function toIso(ms: number): string {
  // Under load many requests stamp the same millisecond (and a frozen clock always does).
  if (ms === lastIsoMs) return lastIso;
  if (!(ms >= 0 && ms < 253_402_300_800_000) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY_MS);
  const inDay = ms - days * DAY_MS;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const milli = inDay % 1000;
  const century = (year / 100) | 0;
  const yy = year % 100;
  const hour = Math.floor(inDay / 3_600_000);
  const minute = Math.floor((inDay % 3_600_000) / 60_000);
  const second = Math.floor((inDay % 60_000) / 1000);
  lastIsoMs = ms;
  // `YYYY-MM-DDTHH:MM:SS.mmmZ`: 45 -, 84 T, 58 :, 46 ., 90 Z.
  lastIso = String.fromCharCode(
    tens(century), units(century), tens(yy), units(yy), 45, tens(month), units(month), 45, tens(day), units(day),
    84, tens(hour), units(hour), 58, tens(minute), units(minute), 58, tens(second), units(second),
    46, 48 + ((milli / 100) | 0), 48 + (((milli / 10) | 0) % 10), 48 + (milli % 10), 90,
  );
  return lastIso;
}

/** The usage families of a key: OpenRouter credits and BYOK, each as total, daily, weekly, monthly. */
export const USAGE_FAMILIES = [
  ['usage', 'usage_daily', 'usage_weekly', 'usage_monthly'],
  ['byok_usage', 'byok_usage_daily', 'byok_usage_weekly', 'byok_usage_monthly'],
] as const;

/**
 * The first break of daily ≤ weekly ≤ total and daily ≤ monthly ≤ total in a family, as
 * `[field, rule]`, or null when the family is consistent.
 */
export function usageFamilyViolation(
  [total, daily, weekly, monthly]: readonly [string, string, string, string],
  values: Record<string, number>,
): [string, string] | null {
  const pairs = [
    [daily, weekly],
    [daily, monthly],
    [weekly, total],
    [monthly, total],
  ] as const;
  for (const [small, large] of pairs) {
    if (values[small]! > values[large]!) return [small, `${values[small]} must be ≤ ${large} (${values[large]})`];
  }
  return null;
}

const labelRule: FieldRule = (v) => (typeof v === 'string' && v.length > 0 ? null : 'must be a non-empty string');

/**
 * The value rule of every stored key field but the timestamps (whose accepted forms differ:
 * a state document takes ISO instants, a fixture also takes "now-30d").
 */
export const KEY_VALUE_RULES: Record<string, FieldRule> = {
  hash: hashRule,
  name: nameRule,
  label: labelRule,
  disabled: booleanRule,
  limit: limitRule,
  limit_reset: limitResetRule,
  include_byok_in_limit: booleanRule,
  usage: usageRule,
  usage_daily: usageRule,
  usage_weekly: usageRule,
  usage_monthly: usageRule,
  byok_usage: usageRule,
  byok_usage_daily: usageRule,
  byok_usage_weekly: usageRule,
  byok_usage_monthly: usageRule,
  creator_user_id: nullableStringRule,
  workspace_id: uuidRule,
  external_user: nullableStringRule,
};
