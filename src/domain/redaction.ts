import { KEY_PREFIX, maskedLabel } from './secrets.js';

/**
 * What never leaves the mock in the clear — not in the request journal, not in the log: plaintext
 * keys (masked as their label, `sk-or-v1-abc...wxyz`) and the values of fields named like secrets
 * (`[redacted]`). One set of rules for a parsed value (`redactSecrets`) and for a raw URL
 * (`redactUrl`), which the journal and pino's request serializer both use.
 */

const SECRET = /sk-or-v1-[0-9A-Za-z]{8,}/g;
export const REDACTED = '[redacted]';

/** Between the words of a name: `api_key`, `api-key`, `api.key`, `apiKey`, `APIKEY` are one name. */
const SEP = '[-_.]?';

/**
 * Names like secrets, case-insensitive: exactly `key`, `pwd` or `pass`, or a name holding
 * `token`, `secret`, `passw` (password, passwd), `passphrase`, `credential`, `session`, `cookie`,
 * `api key`, `private key`, `access key` (any separator or none), or `auth` — except in `author`
 * and `authority` (`authorization`, `x-auth`, `basic_auth` are secret). A pattern rather than a
 * list of names: `access_token`, `refresh_token`, `client_secret`, `x-api-key` all hold a word of
 * it. `token` in the plural is a count, not a secret (`max_tokens`, `prompt_tokens`: the inference
 * bodies and usage OpenRouter's clients send are shown as they are).
 */
const SECRET_NAME = new RegExp(
  [
    '^(?:key|pwd|pass)$',
    'token(?!s)',
    'secret',
    'passw',
    'passphrase',
    'credential',
    'session',
    'cookie',
    `api${SEP}key`,
    `private${SEP}key`,
    `access${SEP}key`,
    // `auth` but not `author…` — unless it goes on as `authoriz…`/`authoris…` (authorization).
    'auth(?!or(?!i[sz]))',
  ].join('|'),
  'i',
);

/** A name like a secret (`isSecretName`), and a name holding a plaintext key's prefix: `nameFlags`' bits. */
const SECRET_NAMED = 1;
const HOLDS_KEY = 2;

/** The answers of `nameFlags` so far, for names up to 64 characters; at most 1,024 (then forgotten). */
const nameAnswers = new Map<string, number>();

/**
 * What a field, query parameter or header name is: named like a secret, holding a key's prefix,
 * both or neither. Remembered: the journal asks about every field of every body, bodies name the
 * same few fields, and a lookup costs a fraction of the pattern (a dozen alternatives, any case)
 * and of the search for the prefix.
 */
function nameFlags(name: string): number {
  let flags = nameAnswers.get(name);
  if (flags === undefined) {
    flags = (SECRET_NAME.test(name) ? SECRET_NAMED : 0) | (name.includes(KEY_PREFIX) ? HOLDS_KEY : 0);
    if (name.length <= 64) {
      if (nameAnswers.size >= 1024) nameAnswers.clear();
      nameAnswers.set(name, flags);
    }
  }
  return flags;
}

/** Whether a field, query parameter or header name is named like a secret (its value is then blanked). */
export const isSecretName = (name: string): boolean => (nameFlags(name) & SECRET_NAMED) !== 0;

/** A text with every plaintext key in it masked as its label. */
export const maskKeys = (text: string): string => (text.includes(KEY_PREFIX) ? text.replace(SECRET, (secret) => maskedLabel(secret)) : text);

/** Masks anything that looks like a plaintext key, and the values of secret-named fields. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskKeys(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 32) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [field, item] of Object.entries(value)) {
    // A key can be a field's name as well as its value (`{"sk-or-v1-…": 1}`, `?sk-or-v1-…`).
    out[maskKeys(field)] = isSecretName(field) && item !== null && item !== undefined ? REDACTED : redactSecrets(item, depth + 1);
  }
  return out;
}

/** Whether anything in the value would be redacted (walks without allocating). */
export function holdsSecrets(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes(KEY_PREFIX);
  if (value === null || typeof value !== 'object') return false;
  if (depth > 32) return true;
  if (Array.isArray(value)) return value.some((item) => holdsSecrets(item, depth + 1));
  for (const field in value) {
    const item = (value as Record<string, unknown>)[field];
    const flags = nameFlags(field);
    if ((flags & HOLDS_KEY) !== 0 || ((flags & SECRET_NAMED) !== 0 && item !== null && item !== undefined)) return true;
    if (holdsSecrets(item, depth + 1)) return true;
  }
  return false;
}

/**
 * Whether a raw request URL may carry something `redactUrl` would change: a key as is, a key
 * percent-encoded (`sk%2Dor%2Dv1%2D…`: the server decodes it, so it is as plain as the other), or a
 * query string (whose fields may be named like secrets). Three `includes` on a short string: the
 * whole cost for a URL such as `/api/v1/keys/<hash>`.
 */
export function urlMayHoldSecret(url: string): boolean {
  return url.includes(KEY_PREFIX) || url.includes('?') || url.includes('%');
}

/** Decodes the ASCII `%XX` escapes only: a key is ASCII, and this never throws on bad escapes. */
const decodeAscii = (text: string): string =>
  text.includes('%')
    ? text.replace(/%([0-7][0-9A-Fa-f])/g, (_escape, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    : text;

/** One path segment or query value: unchanged, or decoded with its keys masked when it holds one. */
function redactComponent(raw: string): string {
  const decoded = decodeAscii(raw);
  return decoded.includes(KEY_PREFIX) ? maskKeys(decoded) : raw;
}

/**
 * A raw request URL (path and query string) as it may be shown: each path segment and query
 * value that holds a plaintext key (percent-encoded or not) has it masked, and the value of a
 * query field named like a secret (`?api_key=…`, `?token=…`) is `[redacted]` — the rules the
 * journal applies to a parsed query. A URL without any of that comes back as the same string.
 */
export function redactUrl(url: string): string {
  if (!urlMayHoldSecret(url)) return url;
  const queryAt = url.indexOf('?');
  const path = (queryAt === -1 ? url : url.slice(0, queryAt)).replace(/[^/]+/g, redactComponent);
  if (queryAt === -1) return path;
  const query = url
    .slice(queryAt + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return redactComponent(pair);
      const name = pair.slice(0, eq);
      return `${redactComponent(name)}=${isSecretName(decodeAscii(name)) ? REDACTED : redactComponent(pair.slice(eq + 1))}`;
    })
    .join('&');
  return `${path}?${query}`;
}
