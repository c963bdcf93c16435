/**
 * An answer whose body is a stream of bytes (Server-Sent Events) instead of a JSON document: what
 * an operation's handler returns to stream. Every door sends `stream` as the body with `headers`
 * added to the ones every answer carries: the server pipes it to the socket (its back-pressure
 * reaches the stream's queue), the in-process doors hand it to a `Response`. A door calls `abort`
 * when the client goes away before the stream ends, so that whatever feeds it stops.
 */
export class StreamedAnswer {
  constructor(
    readonly stream: ReadableStream<Uint8Array>,
    readonly headers: Readonly<Record<string, string>>,
    private readonly onAbort: (reason: unknown) => void,
  ) {}

  abort(reason?: unknown): void {
    this.onAbort(reason);
  }
}

/** The headers of a Server-Sent Events answer (a proxy must neither cache nor buffer it). */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  'x-accel-buffering': 'no',
};
