/**
 * A journal entry's shape, on its own: the journal (journal.ts) records entries and tells the
 * event mechanism (events.ts), whose `request` event carries one, so neither imports the other
 * for it. journal.ts re-exports it for its readers.
 */

/** What a request was charged (a chat completion): the key's hash, USD, and whether it was BYOK. */
export interface JournalCharge {
  key: string;
  usd: number;
  byok: boolean;
}

/** The answer as the journal shows it: its headers and its JSON body (secrets masked, large ones summarised). */
export interface JournalResponse {
  /** The headers of the answer that say something about it (`content-type`, `retry-after`, `x-generation-id`, …). */
  headers: Record<string, string>;
  /** The JSON body; null for a stream, a dropped connection or an answer without one. */
  body: unknown;
}

/** The fault that answered a request: a rule (its id, as it was when it fired) or an `X-Mock-Response` header (id null). */
export interface JournalFault {
  id: string | null;
  source: 'rule' | 'header';
  match?: { method?: string; path?: string; hash?: string };
  status?: number;
  fault?: 'reset' | 'timeout';
  delay_ms?: number;
  jitter_ms?: number;
  retry_after?: number;
  times?: number;
}

/** One API request as the journal keeps it: enough to assert "the app sent exactly this PATCH", and to see why it got its answer. */
export interface JournalEntry {
  id: number;
  /** When it arrived, on the virtual clock. */
  time: string;
  /** When it arrived, on the wall clock (the machine's). */
  wall_time: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  /** The parsed JSON body (secrets masked; large bodies summarised), or null when there was none. */
  body: unknown;
  /** The request's headers, lower-case, `Authorization` masked (`Bearer sk-or-v1-abc...wxyz`) and secret-named ones redacted. */
  request_headers: Record<string, string>;
  status: number;
  duration_ms: number;
  /** The account of the caller, when the credentials were valid. */
  account_id: string | null;
  /** The `:hash` of the route, when it has one. */
  hash: string | null;
  /** The hash of the key that authenticated (an API key's, or the account's management key's), when one did. */
  key_hash: string | null;
  /** Which kind of key that was. */
  key_type: 'management' | 'key' | null;
  response: JournalResponse;
  /** A refused request's error message, in words (a validation error names the field). */
  error?: string;
  /** The fault that answered, if one did (kept after a `times: 1` rule is used up and removed). */
  fault?: JournalFault;
  /** What it was charged, for a chat completion that was (a stream's once it ended). */
  charged?: JournalCharge;
  /** Older than the newest 100 entries: its request headers and a success's answer body are no longer kept (shown empty and null). */
  trimmed?: true;
}
