/**
 * How an option's string (a flag, an environment variable) or typed value becomes its value. A
 * parser throws a rule phrase (a string) when the input is invalid, which options.ts quotes with
 * the option's name and the input: "invalid --seed (MOCK_SEED): must be an integer from … (got …)".
 */
import { parseDuration } from './domain/duration.js';

export const fail = (rule: string): never => {
  throw rule;
};

export function integer(min: number, max: number) {
  return (raw: string): number => {
    const n = /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) fail(`must be an integer from ${min} to ${max}`);
    return n;
  };
}

export const integerValue = (parse: (raw: string) => number) => (value: unknown) =>
  typeof value === 'number' ? parse(String(value)) : typeof value === 'string' ? parse(value) : fail('must be an integer');

/** A text option given a typed value: only a string is text (12345678 is not a token). */
export const textValue = (_value: unknown): never => fail('must be a string');

export const BOOLEAN_FORMS = 'true/false, 1/0, yes/no or on/off';

export function parseBoolean(raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return fail(`must be one of ${BOOLEAN_FORMS}`);
}

export function parseInstant(raw: string): number {
  const text = raw.trim();
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  // A date-time without a zone is read as UTC (Date.parse would use the machine's zone), so the
  // same --now gives the same dataset on every machine.
  const ms = iso ? Date.parse(iso[1] && !iso[4] ? `${text}Z` : text) : Number.NaN;
  if (!Number.isFinite(ms)) fail('must be an ISO 8601 date-time such as 2026-01-15T09:30:00Z');
  return ms;
}

export function parseLatency(raw: string): { min: number; max: number } {
  const m = /^\s*(\d{1,6})\s*(?:-\s*(\d{1,6})\s*)?$/.exec(raw);
  if (!m) return fail('must be "MIN-MAX" or a number of milliseconds, e.g. 50-200');
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  if (max < min) fail('must have MIN ≤ MAX');
  return { min, max };
}

export function parseOrigins(raw: string): string | string[] {
  const text = raw.trim();
  if (text === '*') return '*';
  const origins = text.split(',').map((o) => o.trim().replace(/\/$/, ''));
  for (const origin of origins) {
    // The whole value is quoted after the rule anyway; name the bad entry only in a list.
    const which = origins.length > 1 ? `; ${JSON.stringify(origin)} is not an origin` : '';
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) fail(`must be "*" or origins such as http://localhost:5173${which}`);
  }
  return origins;
}

/** A time span: whole milliseconds (`30000`) or a duration (`30s`, `1m30s`, `500ms`), 0 to `max` ms. */
export function parseMilliseconds(max: number) {
  return (raw: string): number => {
    const text = raw.trim();
    const ms = /^\d+$/.test(text) ? Number(text) : parseDuration(text);
    if (ms === null || !Number.isSafeInteger(ms) || ms > max) fail(`must be milliseconds from 0 to ${max} or a duration such as 30s`);
    return ms as number;
  };
}

/**
 * Origins allowed beside the mock's own (`--control-origins`): a list, never `*` — the control plane
 * hands out every key, so "any page" is not a setting it offers.
 */
export function parseControlOrigins(raw: string): string[] {
  if (raw.split(',').some((entry) => entry.trim() === '*')) fail('must list origins such as http://localhost:5173 ("*" is not offered: any page could then rewrite the mock)');
  return parseOrigins(raw) as string[];
}

/** Host names (`--allowed-hosts`): `*`, or names, lower-cased; `.example.com` stands for it and its subdomains. */
export function parseHosts(raw: string): string[] | '*' {
  const text = raw.trim();
  if (text === '*') return '*';
  const hosts = text.split(',').map((host) => host.trim().toLowerCase());
  for (const host of hosts) {
    const which = hosts.length > 1 ? `; ${JSON.stringify(host)} is not a host name` : '';
    if (!/^\.?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(host)) {
      fail(`must be "*" or host names such as mock.internal or .example.com, without port${which}`);
    }
  }
  return hosts;
}

export function parseKeyList(raw: string): string[] {
  const keys = raw.split(',').map((k) => k.trim());
  if (keys.some((k) => k === '' || /\s/.test(k))) fail('must be a comma-separated list of non-empty keys without whitespace');
  if (new Set(keys).size !== keys.length) fail('must not list the same key twice');
  return keys;
}
