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

/** One API request as the journal keeps it: enough to assert "the app sent exactly this PATCH". */
export interface JournalEntry {
  id: number;
  time: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  /** The parsed JSON body (secrets masked; large bodies summarised), or null when there was none. */
  body: unknown;
  status: number;
  duration_ms: number;
  /** The account of the caller, when the credentials were valid. */
  account_id: string | null;
  /** The `:hash` of the route, when it has one. */
  hash: string | null;
  /** What it was charged, for a chat completion that was (a stream's once it ended). */
  charged?: JournalCharge;
}
