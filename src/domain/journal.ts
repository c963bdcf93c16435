import type { MockEvents } from './events.js';
import {
  errorMessage,
  JOURNAL_BODY_LIMIT,
  JSON_CONTENT_TYPE,
  journalHeaders,
  shownFault,
  type FaultApplied,
  type JournalDetail,
  type RawHeaders,
} from './journal-detail.js';
import type { JournalCharge, JournalEntry } from './journal-entry.js';
import { holdsSecrets, isSecretName, maskKeys, redactSecrets, REDACTED } from './redaction.js';

export { redactSecrets } from './redaction.js';
export * from './journal-detail.js';
export type { JournalEntry, JournalFault, JournalResponse } from './journal-entry.js';

export interface JournalFilter {
  method?: string;
  /** Exact path, or a prefix ending in `*`. */
  path?: string;
  hash?: string;
  status?: number;
  /** Only entries at or after this instant (epoch ms), on the virtual clock: an entry's `time`. */
  since?: number;
  /** Only entries written after the one with this id (a cursor: ids only grow). */
  after?: number;
  /** Only entries written before the one with this id (the next, older, page of a listing). */
  before?: number;
  limit?: number;
}

/** The names of a filter, for refusing a misspelt one (`methd`). */
export const JOURNAL_FILTER_KEYS = ['method', 'path', 'hash', 'status', 'since', 'after', 'before', 'limit'] as const satisfies readonly (keyof JournalFilter)[];

/**
 * Whether an entry's fields meet a filter (`limit` aside): one rule for `GET /__mock/requests` and
 * for `waitForRequest`, which tests entries as they arrive. `time` in epoch ms.
 */
export function journalMatcher(
  filter: JournalFilter,
): (id: number, method: string, path: string, hash: string | null, status: number, time: number) => boolean {
  const method = filter.method?.toUpperCase();
  const pathPrefix = filter.path?.endsWith('*') ? filter.path.slice(0, -1) : undefined;
  return (id, entryMethod, path, hash, status, time) =>
    (!method || entryMethod === method) &&
    (!filter.path || (pathPrefix === undefined ? path === filter.path : path.startsWith(pathPrefix))) &&
    (!filter.hash || hash === filter.hash) &&
    (filter.status === undefined || status === filter.status) &&
    (filter.since === undefined || time >= filter.since) &&
    (filter.after === undefined || id > filter.after) &&
    (filter.before === undefined || id < filter.before);
}


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

/**
 * What an entry costs, estimated from lengths already known (never by serialising it on the
 * request path): about 256 bytes for its fixed fields as JSON, plus the URL (path and query
 * string) and the body as they arrived. The journal's byte budget and a page of a read count this.
 */
export const ENTRY_BYTES = 256;
/** What an entry's request headers are estimated to take (they are bounded by Node's 16 KiB header limit on the server). */
export const HEADER_BYTES = 512;
export const entryBytes = (urlLength: number, bodyLength: number, answerLength = 0): number => ENTRY_BYTES + urlLength + bodyLength + answerLength;

/**
 * How many of the newest entries keep their request headers and a success's answer body. Those are
 * objects kept by reference; a thousand of them surviving into the old generation cost the journal-on
 * PATCH path about a sixth of its instructions in garbage collection (BENCHMARKS.md, "The journal's
 * detail"). Older entries keep everything else, an error's answer body included, and say `trimmed`.
 */
export const DETAIL_KEPT = 100;

/** Stands for a success's answer body let go (DETAIL_KEPT): the entry still says it had one (`content-type`). */
const TRIMMED_BODY = Symbol('trimmed');

/** The journal's default byte budget: past it, the oldest entries go, whatever `--journal-size` allows. */
export const JOURNAL_BYTE_BUDGET = 64 * 1024 * 1024;

/** At most this much (estimated) in one read: a page stops short of it and says where to go on. */
export const PAGE_BYTES = 16 * 1024 * 1024;

/** An entry as recorded: its time as epoch ms (formatted only when someone reads the journal). */
export type JournalRecord = Omit<JournalEntry, 'id' | 'time' | 'wall_time' | 'request_headers' | 'key_hash' | 'key_type' | 'response' | 'error' | 'fault'> & {
  time: number;
  detail?: JournalDetail;
};

/** One read of the journal: entries newest first, and the `before` of the next (older) page, if any. */
export interface JournalPage {
  entries: JournalEntry[];
  /** Pass as `before` to read on; null when no older entry matches. */
  nextBefore: number | null;
}

/**
 * A bounded ring buffer of requests, newest first on read. Capacity 0 disables it. Bounded twice:
 * by count (`capacity`) and by bytes (`byteBudget`, each entry's size estimated by `entryBytes`);
 * either limit reached, the oldest entries go first.
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
  private readonly sizes: Float64Array;
  private readonly methods: string[];
  private readonly paths: string[];
  private readonly queries: (Record<string, unknown> | undefined)[];
  private readonly bodies: unknown[];
  private readonly accounts: (string | null)[];
  private readonly hashes: (string | null)[];
  /** What each entry's request was charged, if anything (a stream's is filled in when it ends). */
  private readonly charges: (JournalCharge | undefined)[];
  private readonly wallTimes: Float64Array;
  private readonly keyHashes: (string | null)[];
  /** 0: no key, 1: a management key, 2: an API key. */
  private readonly keyTypes: Uint8Array;
  /** The request's headers, by reference: masked (`journalHeaders`) when read. */
  private readonly requestHeaders: (RawHeaders | undefined)[];
  private readonly responseHeaders: (Readonly<Record<string, string>> | undefined)[];
  /** The answer's body (undefined: none), by reference: masked and measured (`journalBody`) when read. */
  private readonly responseBodies: unknown[];
  private readonly faults: (FaultApplied | undefined)[];
  private next = 0;
  private count = 0;
  private held = 0;
  private newestId = 0;

  constructor(
    readonly capacity: number,
    /** Told of every entry as it is written, and of the journal emptied; optional. */
    private readonly events?: MockEvents,
    readonly byteBudget: number = JOURNAL_BYTE_BUDGET,
  ) {
    this.ids = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
    this.statuses = new Uint16Array(capacity);
    this.durations = new Float64Array(capacity);
    this.sizes = new Float64Array(capacity);
    this.methods = new Array<string>(capacity).fill('');
    this.paths = new Array<string>(capacity).fill('');
    this.queries = new Array<Record<string, unknown> | undefined>(capacity).fill(undefined);
    this.bodies = new Array<unknown>(capacity).fill(null);
    this.accounts = new Array<string | null>(capacity).fill(null);
    this.hashes = new Array<string | null>(capacity).fill(null);
    this.charges = new Array<JournalCharge | undefined>(capacity).fill(undefined);
    this.wallTimes = new Float64Array(capacity);
    this.keyHashes = new Array<string | null>(capacity).fill(null);
    this.keyTypes = new Uint8Array(capacity);
    this.requestHeaders = new Array<RawHeaders | undefined>(capacity).fill(undefined);
    this.responseHeaders = new Array<Readonly<Record<string, string>> | undefined>(capacity).fill(undefined);
    this.responseBodies = new Array<unknown>(capacity).fill(undefined);
    this.faults = new Array<FaultApplied | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  /** The estimated bytes the entries held take (`entryBytes` each). */
  get bytes(): number {
    return this.held;
  }

  /**
   * The id of the newest entry ever written (0 before the first): ids count 1, 2, 3, … for the
   * journal's life, through `clear()` and a reset, so an id names one request for good.
   */
  get lastId(): number {
    return this.newestId;
  }

  get enabled(): boolean {
    return this.capacity > 0;
  }

  record(entry: JournalRecord): void {
    const size = entryBytes(entry.path.length + JSON.stringify(entry.query).length, entry.body === null ? 0 : (JSON.stringify(entry.body)?.length ?? 0));
    const detail = entry.detail ?? {};
    this.append(
      entry.time, entry.method, entry.path, entry.query, entry.body, entry.status, entry.duration_ms, entry.account_id, entry.hash, size, entry.charged,
      detail.wallTime ?? entry.time, detail.keyHash ?? null, detail.keyType ?? null, detail.requestHeaders, detail.responseHeaders, detail.responseBody, detail.fault,
    );
  }

  /**
   * `record` without an entry object, for the request path; `size` is the entry's `entryBytes`.
   * The headers and the answer's body are kept by reference and masked when read.
   */
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
    size: number = ENTRY_BYTES,
    charged?: JournalCharge,
    wallTime: number = time,
    keyHash: string | null = null,
    keyType: 'management' | 'key' | null = null,
    requestHeaders?: RawHeaders,
    responseHeaders?: Readonly<Record<string, string>>,
    responseBody?: unknown,
    fault?: FaultApplied,
  ): void {
    if (this.capacity === 0) return;
    if (this.count === this.capacity) this.dropOldest();
    while (this.count > 0 && this.held + size > this.byteBudget) this.dropOldest();
    const at = this.next;
    this.ids[at] = ++this.newestId;
    this.times[at] = time;
    this.methods[at] = method;
    this.paths[at] = path;
    this.queries[at] = query;
    this.bodies[at] = body;
    this.statuses[at] = status;
    this.durations[at] = durationMs;
    this.accounts[at] = accountId;
    this.hashes[at] = hash;
    this.charges[at] = charged;
    this.wallTimes[at] = wallTime;
    this.keyHashes[at] = keyHash;
    this.keyTypes[at] = keyType === null ? 0 : keyType === 'management' ? 1 : 2;
    this.requestHeaders[at] = requestHeaders;
    this.responseHeaders[at] = responseHeaders;
    this.responseBodies[at] = responseBody;
    this.faults[at] = fault;
    this.sizes[at] = size;
    this.held += size;
    this.next = at + 1 === this.capacity ? 0 : at + 1;
    this.count++;
    if (this.count > DETAIL_KEPT) this.trim(this.slot(DETAIL_KEPT + 1));
    // The entry object is built only for a listener.
    if (this.events?.listening('request')) this.events.emit({ type: 'request', entry: this.entryAt(at) });
  }

  /** Forgets the oldest entry (its query and body are let go at once). */
  private dropOldest(): void {
    const at = this.slot(this.count);
    this.held -= this.sizes[at]!;
    this.queries[at] = undefined;
    this.bodies[at] = null;
    this.charges[at] = undefined;
    this.requestHeaders[at] = undefined;
    this.responseHeaders[at] = undefined;
    this.responseBodies[at] = undefined;
    this.faults[at] = undefined;
    this.count--;
  }

  /** Lets go of an entry's request headers and, for a success, its answer body (DETAIL_KEPT). */
  private trim(at: number): void {
    this.requestHeaders[at] = undefined;
    const body = this.responseBodies[at];
    if (body !== undefined && this.statuses[at]! < 400) this.responseBodies[at] = TRIMMED_BODY;
  }

  /** The slot of the `i`-th newest entry (1: the newest, `count`: the oldest). */
  private slot(i: number): number {
    return (this.next - i + this.capacity) % this.capacity;
  }

  /**
   * The entry in slot `at`, as `list` and the event stream show it: the headers and the answer
   * masked here, on read. Fields in the order of the route's schema (JournalEntrySchema), so
   * `JSON.stringify` of it is the server's bytes.
   */
  private entryAt(at: number): JournalEntry {
    const responseBody = this.responseBodies[at];
    const extra = this.responseHeaders[at];
    const headers: Record<string, string> = {};
    if (responseBody !== undefined) headers['content-type'] = JSON_CONTENT_TYPE;
    if (extra) for (const name in extra) headers[maskKeys(name)] = isSecretName(name) ? REDACTED : maskKeys(extra[name]!);
    const shownBody = responseBody === undefined || responseBody === TRIMMED_BODY ? null : journalBody(responseBody);
    const keyType = this.keyTypes[at];
    const entry: JournalEntry = {
      id: this.ids[at]!,
      time: new Date(this.times[at]!).toISOString(),
      wall_time: new Date(this.wallTimes[at]!).toISOString(),
      method: this.methods[at]!,
      path: this.paths[at]!,
      query: { ...this.queries[at] },
      body: this.bodies[at],
      request_headers: journalHeaders(this.requestHeaders[at]),
      status: this.statuses[at]!,
      duration_ms: this.durations[at]!,
      account_id: this.accounts[at]!,
      hash: this.hashes[at]!,
      key_hash: this.keyHashes[at]!,
      key_type: keyType === 0 ? null : keyType === 1 ? 'management' : 'key',
      response: { headers, body: shownBody },
    };
    const message = errorMessage(shownBody);
    if (message !== undefined) entry.error = message;
    const fault = this.faults[at];
    if (fault) entry.fault = shownFault(fault);
    const charged = this.charges[at];
    if (charged) entry.charged = { key: charged.key, usd: charged.usd, byok: charged.byok };
    // Trimmed is where it stands: its place from the newest (1) past DETAIL_KEPT (`trim` let go of its detail then).
    const place = (this.next - at + this.capacity) % this.capacity || this.capacity;
    if (place > DETAIL_KEPT) entry.trimmed = true;
    return entry;
  }

  private matchesAt(matches: ReturnType<typeof journalMatcher>, at: number): boolean {
    return matches(this.ids[at]!, this.methods[at]!, this.paths[at]!, this.hashes[at]!, this.statuses[at]!, this.times[at]!);
  }

  /** Every entry that matches, newest first (at most `filter.limit`). */
  list(filter: JournalFilter = {}): JournalEntry[] {
    return this.page(filter, Number.POSITIVE_INFINITY).entries;
  }

  /**
   * One page of the entries that match, newest first: at most `filter.limit` entries and about
   * `pageBytes` (estimated; a page holds one entry at least), and where the next page starts.
   */
  page(filter: JournalFilter = {}, pageBytes: number = PAGE_BYTES): JournalPage {
    const entries: JournalEntry[] = [];
    const matches = journalMatcher(filter);
    const limit = filter.limit ?? Number.POSITIVE_INFINITY;
    let used = 0;
    for (let i = 1; i <= this.count; i++) {
      const at = this.slot(i);
      if (!this.matchesAt(matches, at)) continue;
      if (entries.length >= limit || (entries.length > 0 && used + this.sizes[at]! > pageBytes)) {
        return { entries, nextBefore: entries[entries.length - 1]!.id };
      }
      used += this.sizes[at]!;
      entries.push(this.entryAt(at));
    }
    return { entries, nextBefore: null };
  }

  /** The oldest entry that matches, if any (what `waitForRequest` resolves to at once). */
  oldest(filter: JournalFilter = {}): JournalEntry | undefined {
    const matches = journalMatcher(filter);
    for (let i = this.count; i >= 1; i--) {
      const at = this.slot(i);
      if (this.matchesAt(matches, at)) return this.entryAt(at);
    }
    return undefined;
  }

  clear(): void {
    this.queries.fill(undefined);
    this.bodies.fill(null);
    this.requestHeaders.fill(undefined);
    this.responseHeaders.fill(undefined);
    this.responseBodies.fill(undefined);
    this.faults.fill(undefined);
    this.charges.fill(undefined);
    this.next = 0;
    this.count = 0;
    this.held = 0;
    if (this.events?.listening('journal')) this.events.emit({ type: 'journal', change: 'cleared' });
  }
}
