import type { MockEvents } from './events.js';
import { holdsSecrets, redactSecrets } from './redaction.js';

export { redactSecrets } from './redaction.js';

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
}

export interface JournalFilter {
  method?: string;
  /** Exact path, or a prefix ending in `*`. */
  path?: string;
  hash?: string;
  status?: number;
  /** Only entries at or after this instant (epoch ms). */
  since?: number;
  limit?: number;
}

/**
 * Whether an entry's fields meet a filter (`limit` aside): one rule for `GET /__mock/requests` and
 * for `waitForRequest`, which tests entries as they arrive. `time` in epoch ms.
 */
export function journalMatcher(filter: JournalFilter): (method: string, path: string, hash: string | null, status: number, time: number) => boolean {
  const method = filter.method?.toUpperCase();
  const pathPrefix = filter.path?.endsWith('*') ? filter.path.slice(0, -1) : undefined;
  return (entryMethod, path, hash, status, time) =>
    (!method || entryMethod === method) &&
    (!filter.path || (pathPrefix === undefined ? path === filter.path : path.startsWith(pathPrefix))) &&
    (!filter.hash || hash === filter.hash) &&
    (filter.status === undefined || status === filter.status) &&
    (filter.since === undefined || time >= filter.since);
}

/** Bodies larger than this (as JSON) are kept as a summary, so the journal's memory stays bounded. */
export const JOURNAL_BODY_LIMIT = 16 * 1024;

/**
 * What the journal stores of a body: redacted, and summarised when large. `rawSize` (the request's
 * Content-Length), when known and small, spares serialising the body just to measure it.
 */
export function journalBody(body: unknown, rawSize?: number): unknown {
  if (body === undefined || body === null) return null;
  if (typeof body !== 'object') return redactSecrets(body);
  // The parsed body is this request's own object, read by nobody after the handler: kept as is
  // when clean, copied with masks when not.
  const redacted = holdsSecrets(body) ? redactSecrets(body) : body;
  if (rawSize !== undefined && rawSize <= JOURNAL_BODY_LIMIT) return redacted;
  const size = JSON.stringify(redacted)?.length ?? 0;
  return size > JOURNAL_BODY_LIMIT ? { _truncated: true, _size: size } : redacted;
}

/** An entry as recorded: its time as epoch ms (formatted only when someone reads the journal). */
export type JournalRecord = Omit<JournalEntry, 'id' | 'time'> & { time: number };

/**
 * A bounded ring buffer of requests, newest first on read. Capacity 0 disables it.
 *
 * Column by column (one preallocated array per field) rather than an object per entry: recording
 * then allocates nothing, and a thousand retained entry objects no longer survive into the old
 * generation for the garbage collector to trace on every request — that was most of the journal's
 * cost under load.
 */
export class RequestJournal {
  private readonly ids: Float64Array;
  private readonly times: Float64Array;
  private readonly statuses: Uint16Array;
  private readonly durations: Float64Array;
  private readonly methods: string[];
  private readonly paths: string[];
  private readonly queries: (Record<string, unknown> | undefined)[];
  private readonly bodies: unknown[];
  private readonly accounts: (string | null)[];
  private readonly hashes: (string | null)[];
  private next = 0;
  private count = 0;
  private lastId = 0;

  constructor(
    readonly capacity: number,
    /** Told of every entry as it is written, and of the journal emptied; optional. */
    private readonly events?: MockEvents,
  ) {
    this.ids = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
    this.statuses = new Uint16Array(capacity);
    this.durations = new Float64Array(capacity);
    this.methods = new Array<string>(capacity).fill('');
    this.paths = new Array<string>(capacity).fill('');
    this.queries = new Array<Record<string, unknown> | undefined>(capacity).fill(undefined);
    this.bodies = new Array<unknown>(capacity).fill(null);
    this.accounts = new Array<string | null>(capacity).fill(null);
    this.hashes = new Array<string | null>(capacity).fill(null);
  }

  get size(): number {
    return this.count;
  }

  get enabled(): boolean {
    return this.capacity > 0;
  }

  record(entry: JournalRecord): void {
    this.append(entry.time, entry.method, entry.path, entry.query, entry.body, entry.status, entry.duration_ms, entry.account_id, entry.hash);
  }

  /** `record` without an entry object, for the request path. */
  append(
    time: number,
    method: string,
    path: string,
    query: Record<string, unknown> | undefined,
    body: unknown,
    status: number,
    durationMs: number,
    accountId: string | null,
    hash: string | null,
  ): void {
    if (this.capacity === 0) return;
    const at = this.next;
    this.ids[at] = ++this.lastId;
    this.times[at] = time;
    this.methods[at] = method;
    this.paths[at] = path;
    this.queries[at] = query;
    this.bodies[at] = body;
    this.statuses[at] = status;
    this.durations[at] = durationMs;
    this.accounts[at] = accountId;
    this.hashes[at] = hash;
    this.next = at + 1 === this.capacity ? 0 : at + 1;
    if (this.count < this.capacity) this.count++;
    // The entry object is built only for a listener.
    if (this.events?.listening('request')) this.events.emit({ type: 'request', entry: this.entryAt(at) });
  }

  /** The entry in slot `at`, as `list` and the event stream show it. */
  private entryAt(at: number): JournalEntry {
    return {
      id: this.ids[at]!,
      time: new Date(this.times[at]!).toISOString(),
      method: this.methods[at]!,
      path: this.paths[at]!,
      query: { ...this.queries[at] },
      body: this.bodies[at],
      status: this.statuses[at]!,
      duration_ms: this.durations[at]!,
      account_id: this.accounts[at]!,
      hash: this.hashes[at]!,
    };
  }

  list(filter: JournalFilter = {}): JournalEntry[] {
    const out: JournalEntry[] = [];
    const matches = journalMatcher(filter);
    for (let i = 1; i <= this.count; i++) {
      const at = (this.next - i + this.capacity) % this.capacity;
      if (!matches(this.methods[at]!, this.paths[at]!, this.hashes[at]!, this.statuses[at]!, this.times[at]!)) continue;
      out.push(this.entryAt(at));
      if (filter.limit !== undefined && out.length >= filter.limit) break;
    }
    return out;
  }

  clear(): void {
    this.queries.fill(undefined);
    this.bodies.fill(null);
    this.next = 0;
    this.count = 0;
    if (this.events?.listening('journal')) this.events.emit({ type: 'journal', change: 'cleared' });
  }
}
