import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { CORS_EXPOSED_HEADERS, preflightHeaders } from '../http/preflight.js';
import { errorResponses } from '../schemas/common.js';

/**
 * CORS, so that browser apps on another origin can call the API and the control plane with a
 * bearer token.
 *
 * Written here rather than taken from `@fastify/cors` (README, "Stack"): that plugin does its
 * work on every request — it builds `request.routeOptions` twice, copies its options object and
 * adds its headers whether or not a browser asked — 11,000–17,000 instructions per PATCH under
 * callgrind, a tenth of a whole request on bare Fastify (BENCHMARKS.md). CORS headers only concern
 * requests that carry `Origin` (a browser sends it on every cross-origin request), so every other
 * request gets one header, `Vary: Origin`, set in the app's one `onRequest` hook.
 *
 * Behaviour (as the plugin had it, with this project's options):
 * - every answer carries `Vary: Origin`, with `*` as with a list of origins: the CORS headers
 *   depend on the request's `Origin` (with `*`, on whether there is one), so a cache must not
 *   serve an answer stored for one request to another with a different `Origin` or none — a
 *   browser would then meet an answer without `Access-Control-Allow-Origin` (the Fetch standard's
 *   "CORS protocol and HTTP caches");
 * - a request with an allowed `Origin` gets `Access-Control-Allow-Origin` (`*`, or the origin
 *   itself when `--cors-origin` lists origins) and `Access-Control-Expose-Headers`; a request from
 *   an origin not listed gets neither;
 * - `OPTIONS` on any path is a preflight, answered 204 before authentication, with the methods,
 *   the requested headers reflected, and a 10-minute `Access-Control-Max-Age`; an `OPTIONS`
 *   without `Origin` and `Access-Control-Request-Method` is not a preflight: 400.
 */

export { CORS_ALLOWED_METHODS, CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SECONDS } from '../http/preflight.js';

export interface CorsPolicy {
  /** Adds the CORS response headers for a request with this `Origin` header (or none). */
  annotate(origin: string | undefined, reply: FastifyReply): void;
}

/** `allowed`: `*` (any origin) or the origins browsers may call from (`--cors-origin`). */
export function corsPolicy(allowed: string | readonly string[]): CorsPolicy {
  const origins = typeof allowed === 'string' ? [allowed] : allowed;
  const listed = origins.includes('*') ? undefined : new Set(origins);
  return {
    annotate(origin, reply) {
      reply.header('vary', 'Origin');
      if (origin === undefined || (listed !== undefined && !listed.has(origin))) return;
      reply.header('access-control-allow-origin', listed === undefined ? '*' : origin);
      reply.header('access-control-expose-headers', CORS_EXPOSED_HEADERS);
    },
  };
}

/**
 * The preflight route: `OPTIONS` on every path, outside the API's scope so that no authentication,
 * latency or fault applies (a browser's preflight carries no `Authorization`). The
 * `Access-Control-Allow-Origin` of the answer comes from the app's `onRequest` hook, as on any
 * other request; its `Vary` adds the requested headers, which the answer reflects.
 */
export const corsPreflight = fp(
  async (app: FastifyInstance) => {
    app.options(
      '*',
      {
        schema: {
          hide: true,
          response: { 204: { type: 'null', description: 'Preflight answered' }, ...errorResponses([400]) },
        },
      },
      (request, reply) => {
        reply.headers(preflightHeaders(request.headers));
        // Safari waits for a body on a 204 without it.
        reply.header('content-length', '0');
        reply.code(204).send();
      },
    );
  },
  { name: 'cors-preflight' },
);
