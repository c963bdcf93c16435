import type { FastifyInstance } from 'fastify';
import { MOCK_EVENT_TYPES, type MockEvent } from '../domain/events.js';
import { CONTROL_PREFIX } from '../http/control-operations.js';
import type { Engine } from '../http/engine.js';
import type { MockRuntime } from '../mock-runtime.js';
import { errorResponses } from '../schemas/common.js';

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

/**
 * `GET /__mock/events`: every change as it happens — journal entries as they are written, keys,
 * accounts, the clock, fault rules — for the inspector (or `curl -N`). Guarded like the rest of
 * the control plane. A stream listens only while it is open: with none open, the mock builds no
 * event at all (src/domain/events.ts).
 */
export function eventStreamRoute(app: FastifyInstance, engine: Engine, runtime: MockRuntime): void {
  app.get(
    `${CONTROL_PREFIX}/events`,
    {
      schema: {
        tags: ['Mock control'],
        summary: 'Server-Sent Events: journal entries and changes of keys, accounts, clock and faults, as they happen',
        response: { 200: { description: 'text/event-stream', type: 'string' }, ...errorResponses([401]) },
      },
      onRequest(request, _reply, done) {
        try {
          engine.authorize('admin', request.headers.authorization);
          done();
        } catch (error) {
          done(error as Error);
        }
      },
    },
    (request, reply) => {
      reply.hijack();
      const res = reply.raw;
      // The headers every answer carries (x-mock-server, x-request-id, CORS), set by the app's hook.
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const clock = { now: new Date(runtime.clock.now()).toISOString(), frozen: runtime.clock.frozen };
      // `retry`: reconnect after 1 s; `ready`: the stream is live (and where the clock is).
      res.write(`retry: 1000\nevent: ready\ndata: ${JSON.stringify({ types: MOCK_EVENT_TYPES, clock })}\n\n`);
      // Events are written in batches, one write per FLUSH_MS at most: under load a write (and a
      // system call) per event cost more than the request that caused it (BENCHMARKS.md).
      let pending = '';
      let timer: NodeJS.Timeout | undefined;
      const flush = () => {
        timer = undefined;
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          res.destroy();
          return;
        }
        res.write(pending);
        pending = '';
        said.clear();
      };
      // Within a batch, a change said once is said: a stream of PATCHes to one key is one `keys`
      // event per batch (a reader reloads on it anyway). Journal entries are each sent.
      const said = new Set<string>();
      const stop = runtime.events.on((event) => {
        if (event.type !== 'request') {
          const message = sseMessage(event);
          if (said.has(message)) return;
          said.add(message);
          pending += message;
        } else pending += sseMessage(event);
        timer ??= setTimeout(flush, FLUSH_MS);
      });
      const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      const end = () => {
        stop();
        clearInterval(heartbeat);
        clearTimeout(timer);
      };
      res.once('close', end);
      request.raw.once('close', end);
    },
  );
}
