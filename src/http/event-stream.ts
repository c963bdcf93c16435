import { Type } from '../schemas/typebox.js';
import { apiError } from '../domain/errors.js';
import { MOCK_EVENT_TYPES, type MockEvent, type MockEvents } from '../domain/events.js';
import { CONTROL_PREFIX, TAGS } from '../domain/paths.js';
import type { MockRuntime } from '../mock-runtime.js';
import { errorResponses } from '../schemas/common.js';
import { declare, operation, type Operation } from './operation.js';
import { SSE_HEADERS, StreamedAnswer } from './streamed.js';

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

/** Where a stream's bytes go: a `ReadableStream`'s queue (`streamSink`), or a fake in tests. */
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

/**
 * A sink that is a `ReadableStream`'s queue, and the stream: what the fan-out writes is queued for
 * whoever reads the stream (the server's socket, a `fetch` caller). `writableLength` is what waits
 * in the queue, so a reader that falls behind is dropped as a slow socket was; `destroy` errors
 * the stream (the server then closes the connection). `onCancel`: the reader went away.
 */
export function streamSink(first: Uint8Array, onCancel: () => void): { sink: EventSink; stream: ReadableStream<Uint8Array>; fail(reason: unknown): void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let done = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        c.enqueue(first);
      },
      cancel() {
        done = true;
        onCancel();
      },
    },
    // Nothing is asked of the source: the fan-out pushes, and desiredSize goes negative by what waits.
    new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
  );
  const fail = (reason: unknown) => {
    if (done) return;
    done = true;
    controller.error(reason);
  };
  const sink: EventSink = {
    write(chunk) {
      if (!done) controller.enqueue(chunk);
    },
    get writableLength() {
      return done ? 0 : Math.max(0, -(controller.desiredSize ?? 0));
    },
    destroy() {
      fail(new Error('event stream dropped: the client read too slowly'));
    },
  };
  return { sink, stream, fail };
}

/**
 * `GET /__mock/events`: every change as it happens — journal entries as they are written, keys,
 * accounts, the clock, fault rules — for the inspector (or `curl -N`), on every door. Guarded like
 * the rest of the control plane. All streams are fed by one EventFanOut: each event serialised
 * once, at most `--max-event-streams` open (then 503, before anything is written), none open → no
 * event built. The first bytes say `retry: 1000` (reconnect after 1 s) and `ready` (the stream is
 * live, and where the clock is).
 */
export const EVENT_STREAM = declare({
  method: 'GET',
  url: `${CONTROL_PREFIX}/events`,
  plane: 'control',
  access: 'admin',
  status: 200,
  schema: {
    tags: [TAGS.control.name],
    summary: 'Server-Sent Events: journal entries and changes of keys, accounts, clock and faults, as they happen',
    // Not JSON: the answer is the stream itself (no serializer writes it).
    response: { 200: Type.Unsafe<StreamedAnswer>({ description: 'text/event-stream', type: 'string' }), ...errorResponses([401, 503]) },
  },
});

/** The event stream's operation: its declaration with the mock's fan-out. */
export function eventStreamOperation(runtime: MockRuntime): Operation {
  const maxStreams = runtime.config.maxEventStreams;
  const fanOut = new EventFanOut({ events: runtime.events, maxStreams });
  return operation(EVENT_STREAM, () => {
    if (fanOut.full) throw apiError('tooManyEventStreams', maxStreams);
    const clock = { now: new Date(runtime.clock.now()).toISOString(), frozen: runtime.clock.frozen };
    const ready = encoder.encode(`retry: 1000\nevent: ready\ndata: ${JSON.stringify({ types: MOCK_EVENT_TYPES, clock })}\n\n`);
    let close = () => {};
    const { sink, stream, fail } = streamSink(ready, () => close());
    close = fanOut.open(sink);
    return new StreamedAnswer(stream, SSE_HEADERS, (reason) => {
      close();
      fail(reason);
    });
  });
}
