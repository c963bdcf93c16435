/**
 * What a journal entry shows beyond its request line, and how it is kept cheaply: the request's
 * headers and the answer are held by reference on the request path (journal.ts) and masked here
 * when the journal is read. Pure: no secret leaves through any of these.
 */
import type { JournalFault } from './journal-entry.js';
import { isSecretName, maskKeys, redactSecrets, REDACTED } from './redaction.js';
import { maskedLabel } from './secrets.js';

/** Bodies larger than this (as JSON) are kept as a summary, so the journal's memory stays bounded. */
export const JOURNAL_BODY_LIMIT = 16 * 1024;

/** A request's headers as they arrived (a door's own object: Node's, or one built from a `Request`). */
export type RawHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** At most this many request headers are shown, each value cut at HEADER_VALUE_LIMIT characters. */
export const JOURNAL_HEADER_COUNT = 64;
export const HEADER_VALUE_LIMIT = 2048;

const WHOLE_KEY = /^sk-or-v1-[0-9A-Za-z]{8,}$/;

/**
 * An `Authorization` value as it may be shown: the scheme, then the token masked as the journal
 * masks a key anywhere (`Bearer sk-or-v1-abc...wxyz`), or `[redacted]` when it is not a key.
 */
export function maskAuthorization(value: string): string {
  const trimmed = value.trim();
  const space = trimmed.search(/\s/);
  if (space === -1) return WHOLE_KEY.test(trimmed) ? maskedLabel(trimmed) : REDACTED;
  const token = trimmed.slice(space).trim();
  return `${trimmed.slice(0, space)} ${WHOLE_KEY.test(token) ? maskedLabel(token) : REDACTED}`;
}

/**
 * A request's headers as the journal shows them, built when it is read (never on the request
 * path): `authorization` (and `proxy-authorization`) masked by `maskAuthorization`, every other
 * header named like a secret (cookie, x-api-key, the pattern in README "Operating it") redacted,
 * keys elsewhere masked; bounded in count and length.
 */
export function journalHeaders(headers: RawHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  let count = 0;
  for (const name in headers) {
    const raw = headers[name];
    if (raw === undefined) continue;
    if (++count > JOURNAL_HEADER_COUNT) break;
    let value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (value.length > HEADER_VALUE_LIMIT) value = `${value.slice(0, HEADER_VALUE_LIMIT)}…`;
    const lower = name.toLowerCase();
    const shown = maskKeys(lower);
    if (lower === 'authorization' || lower === 'proxy-authorization') out[shown] = maskAuthorization(value);
    else out[shown] = isSecretName(lower) ? REDACTED : maskKeys(value);
  }
  return out;
}

/** The content type of every JSON answer. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * What a success's body is estimated to take (no serialising on the request path): a listing's
 * `data` 512 bytes an item, anything else 1 KiB. An error's envelope: its message and 64 bytes.
 */
export function answerBytes(body: unknown): number {
  if (body === undefined || body === null || typeof body !== 'object') return 0;
  const data = (body as { data?: unknown }).data;
  if (Array.isArray(data)) return 64 + data.length * 512;
  const error = (body as { error?: { message?: unknown } }).error;
  if (error && typeof error.message === 'string') return 64 + error.message.length;
  return 1024;
}

/**
 * What the journal keeps of an answer's body on the request path: the handler's own object, by
 * reference (it is read by nobody after it is sent; it is masked and measured when read), unless
 * it is estimated over JOURNAL_BODY_LIMIT (a summary then) or carries a plaintext key at its top
 * (a created key's answer: masked at once, so the journal never holds it).
 */
export function keptAnswer(body: unknown, estimate: number): unknown {
  if (body === null || typeof body !== 'object') return body;
  if (estimate > JOURNAL_BODY_LIMIT) {
    const data = (body as { data?: unknown }).data;
    return Array.isArray(data) ? { _truncated: true, _items: data.length } : { _truncated: true };
  }
  if ('key' in body) return redactSecrets(body);
  return body;
}

/** A fault as the engine carried it out: a rule's copy (with its id and match) or an `X-Mock-Response` header's action. */
export interface FaultApplied {
  id?: string;
  match?: JournalFault['match'];
  status?: number;
  fault?: 'reset' | 'timeout';
  delay_ms?: number;
  jitter_ms?: number;
  retry_after?: number;
  times?: number;
}

export function shownFault(applied: FaultApplied): JournalFault {
  const out: JournalFault = applied.id !== undefined ? { id: applied.id, source: 'rule' } : { id: null, source: 'header' };
  if (applied.match) out.match = { ...applied.match };
  if (applied.status !== undefined) out.status = applied.status;
  if (applied.fault !== undefined) out.fault = applied.fault;
  if (applied.delay_ms !== undefined) out.delay_ms = applied.delay_ms;
  if (applied.jitter_ms !== undefined) out.jitter_ms = applied.jitter_ms;
  if (applied.retry_after !== undefined) out.retry_after = applied.retry_after;
  if (applied.times !== undefined) out.times = applied.times;
  return out;
}

/** The parts of an entry beyond its request line (`append`'s last argument; each optional). */
export interface JournalDetail {
  /** Wall-clock arrival, epoch ms. */
  wallTime?: number;
  keyHash?: string | null;
  keyType?: 'management' | 'key' | null;
  requestHeaders?: RawHeaders;
  /** The answer's own headers (beyond those every answer carries). */
  responseHeaders?: Readonly<Record<string, string>>;
  /** The answer's JSON body (as `keptAnswer` keeps it); undefined: none. */
  responseBody?: unknown;
  fault?: FaultApplied;
}

/** An error envelope's message (`{"error":{"message"}}`), if the body is one. */
export function errorMessage(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const error = (body as { error?: { message?: unknown } }).error;
  return error && typeof error === 'object' && typeof error.message === 'string' ? error.message : undefined;
}

