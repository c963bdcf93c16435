import type { FastifyInstance } from 'fastify';
import { MOCK_EVENT_TYPES } from '../domain/events.js';
import { apiError } from '../domain/errors.js';
import { CONTROL_PREFIX } from '../http/control-operations.js';
import type { Engine } from '../http/engine.js';
import { EventFanOut } from '../http/event-stream.js';
import type { MockRuntime } from '../mock-runtime.js';
import { errorResponses } from '../schemas/common.js';

/**
 * `GET /__mock/events`: every change as it happens — journal entries as they are written, keys,
 * accounts, the clock, fault rules — for the inspector (or `curl -N`). Guarded like the rest of
 * the control plane. All streams are fed by one EventFanOut (src/http/event-stream.ts): each
 * event serialised once, at most `--max-event-streams` open (then 503), none open → no event built.
 */
export function eventStreamRoute(app: FastifyInstance, engine: Engine, runtime: MockRuntime): void {
  const maxStreams = runtime.config.maxEventStreams;
  const streams = new EventFanOut({ events: runtime.events, maxStreams });
  app.get(
    `${CONTROL_PREFIX}/events`,
    {
      schema: {
        tags: ['Mock control'],
        summary: 'Server-Sent Events: journal entries and changes of keys, accounts, clock and faults, as they happen',
        response: { 200: { description: 'text/event-stream', type: 'string' }, ...errorResponses([401, 503]) },
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
      // Refused before anything is written, in the API's envelope: every open stream costs a
      // write per batch, so their number is bounded.
      if (streams.full) return reply.send(apiError('tooManyEventStreams', maxStreams));
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
      const close = streams.open(res);
      res.once('close', close);
      request.raw.once('close', close);
      return reply;
    },
  );
}
