import type { MockEvent, MockEvents } from '../domain/events.js';

/** A comment line every so often, so that proxies and browsers keep an idle stream open. */
export const HEARTBEAT_MS = 15_000;
/** How long an event may wait to be written with the ones after it. */
export const FLUSH_MS = 25;
/**
 * A client that reads slower than the mock writes is dropped once this much waits to be sent:
 * a stuck tab must not make the server hold an ever-growing buffer. It reconnects (EventSource does
 * by itself) and reloads what it shows.
 */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** One event as Server-Sent Events: its type as `event:`, its fields (a request: the journal entry) as JSON `data:`. */
export function sseMessage(event: MockEvent): string {
  const { type, ...fields } = event;
  return `event: ${type}\ndata: ${JSON.stringify(type === 'request' ? event.entry : fields)}\n\n`;
}

/** Where a stream's bytes go: a Node `ServerResponse` is one. */
export interface EventSink {
  write(chunk: Uint8Array): unknown;
  /** Bytes written but not yet sent. */
  readonly writableLength: number;
  destroy(): void;
}

export interface EventFanOutOptions {
  events: MockEvents;
  maxStreams: number;
  /** Turns an event into its SSE text (default `sseMessage`; a test counts the calls). */
  serialise?: (event: MockEvent) => string;
}

const encoder = new TextEncoder();
const HEARTBEAT = encoder.encode(': ping\n\n');

/**
 * Every open event stream of one mock, fed from one listener: each event is serialised once, into
 * one batch, and every FLUSH_MS the batch is encoded once and the same bytes are written to every
 * stream. Each open stream costs a write per batch, not a `JSON.stringify` per event: with streams
 * serialising on their own, 100 open streams cut PATCH from ~7,000 to ~400 req/s (BENCHMARKS.md).
 * The number of streams is capped (`open` refuses past it); a stream more than MAX_BUFFERED_BYTES
 * behind is dropped. With no stream open it does not listen, so the mock builds no event at all.
 */
export class EventFanOut {
  private readonly sinks = new Set<EventSink>();
  private readonly serialise: (event: MockEvent) => string;
  private stopListening: (() => void) | undefined;
  private pending = '';
  /**
   * Within a batch, a change said once is said: a stream of PATCHes to one key is one `keys` event
   * per batch (a reader reloads on it anyway). Journal entries are each sent.
   */
  private readonly said = new Set<string>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: EventFanOutOptions) {
    this.serialise = options.serialise ?? sseMessage;
  }

  /** How many streams are open. */
  get size(): number {
    return this.sinks.size;
  }

  /** Whether another stream may open. */
  get full(): boolean {
    return this.sinks.size >= this.options.maxStreams;
  }

  /**
   * Adds a stream (its first bytes already written) that gets every event from now on, until the
   * returned function is called (idempotent: call it when the client goes away). Throws when full:
   * check `full` first.
   */
  open(sink: EventSink): () => void {
    if (this.full) throw new Error(`EventFanOut: already ${this.sinks.size} streams open`);
    this.sinks.add(sink);
    if (this.sinks.size === 1) {
      this.heartbeat = setInterval(() => this.writeAll(HEARTBEAT), HEARTBEAT_MS);
      unref(this.heartbeat);
      this.stopListening = this.options.events.on((event) => this.add(event));
    }
    return () => this.close(sink);
  }

  private close(sink: EventSink): void {
    if (!this.sinks.delete(sink) || this.sinks.size !== 0) return;
    this.stopListening?.();
    this.stopListening = undefined;
    clearInterval(this.heartbeat);
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.pending = '';
    this.said.clear();
  }

  private add(event: MockEvent): void {
    const message = this.serialise(event);
    if (event.type !== 'request') {
      if (this.said.has(message)) return;
      this.said.add(message);
    }
    this.pending += message;
    // Events are written in batches, one write per FLUSH_MS at most: under load a write (and a
    // system call) per event cost more than the request that caused it (BENCHMARKS.md).
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    this.flushTimer = undefined;
    const batch = encoder.encode(this.pending);
    this.pending = '';
    this.said.clear();
    this.writeAll(batch);
  }

  private writeAll(chunk: Uint8Array): void {
    for (const sink of [...this.sinks]) {
      if (sink.writableLength > MAX_BUFFERED_BYTES) {
        this.close(sink);
        sink.destroy();
      } else sink.write(chunk);
    }
  }
}

/** Node's timers have `unref` (a heartbeat must not keep the process alive); a browser's have none. */
function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}
