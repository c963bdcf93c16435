import { setImmediate } from 'node:timers';
import type { FastifyReply } from 'fastify';

/**
 * Sends the answers decided in one turn of the event loop together, at the turn's end
 * (`setImmediate`: after the I/O callbacks of the turn have run), instead of each as soon as it
 * is decided. Nothing about an answer changes, only when its bytes leave: at most the time the
 * turn's other requests take, in the order they were decided (each connection's answers stay in
 * its requests' order).
 *
 * Why: on these machines a third or more of a request's time was the kernel handing the answer to
 * a client on the same machine and waking it (BENCHMARKS.md, "What the targets ask for"). Written
 * back to back, the answers to the requests that arrived together wake a waiting client once, not
 * once each: with 10 connections PATCH answered ~1.3 × as many requests a second and a chat
 * completion ~1.4 × (BENCHMARKS.md, "Answers sent at the turn's end"). One connection at a time
 * pays one `setImmediate` (within the noise of that measurement).
 *
 * `setImmediate` is Node's own (`node:timers`), not the global one: a test that fakes the global
 * timers (vitest's `vi.useFakeTimers()` fakes `setImmediate` by default) while it calls a mock in
 * its own process must still get its answers without advancing them.
 */
export class TurnEndSender {
  private replies: FastifyReply[] = [];
  private bodies: unknown[] = [];

  /** Sends `body` on `reply` at the end of this turn (the turn's first answer schedules the send). */
  send(reply: FastifyReply, body: unknown): void {
    if (this.replies.push(reply) === 1) setImmediate(this.flush);
    this.bodies.push(body);
  }

  private readonly flush = (): void => {
    const { replies, bodies } = this;
    this.replies = [];
    this.bodies = [];
    for (let i = 0; i < replies.length; i++) {
      const reply = replies[i]!;
      try {
        reply.send(bodies[i]);
      } catch (error) {
        // Not expected (Fastify reports a serializer's error itself): the error handler's 500,
        // else the connection closed; the rest are still sent, and nothing escapes the callback.
        try {
          reply.send(error);
        } catch {
          reply.raw.destroy();
        }
      }
    }
  };
}
