import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { controlRefusal, type AccessRule } from '../http/access.js';
import { CONTROL_PREFIX } from '../domain/paths.js';
import { CORS_EXPOSED_HEADERS, preflightHeaders } from '../http/preflight.js';
import type { HeaderTarget } from '../http/engine.js';
import { errorResponses } from '../schemas/common.js';

/**
 * CORS, so that browser apps on another origin can call the API with a bearer token — and the
 * control plane, from the origins `--control-origins` lists (src/http/access.ts refuses the rest).
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
 *   without `Origin` and `Access-Control-Request-Method` is not a preflight: 400;
 * - under `/__mock` (but `/__mock/health`), the control plane's rule instead: CORS headers for the
 *   listed control origins only (`controlCorsPolicy`), and a preflight the access rule refuses is
 *   a 403.
 */

export { CORS_ALLOWED_METHODS, CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SECONDS } from '../http/preflight.js';

export interface CorsPolicy<Target = FastifyReply> {
  /** Adds the CORS response headers for a request with this `Origin` header (or none). */
  annotate(origin: string | undefined, reply: Target): void;
}

/**
 * `allowed`: `*` (any origin) or the origins browsers may call from (`--cors-origin`). It only
 * adds headers, so any header target takes them (the app's hook writes them with the engine's).
 */
export function corsPolicy(allowed: string | readonly string[]): CorsPolicy<HeaderTarget> {
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
 * The control plane's CORS, applied over the API's (which the app's first hook has already set):
 * `Access-Control-Allow-Origin` for a listed origin only, and never `*` — the mock's own pages
 * need none, and any other origin is refused before this matters (src/http/access.ts).
 */
export function controlCorsPolicy(listed: readonly string[]): CorsPolicy {
  const origins = new Set(listed);
  return {
    annotate(origin, reply) {
      if (origin === undefined) return;
      if (origins.has(origin)) {
        reply.header('access-control-allow-origin', origin);
        reply.header('access-control-expose-headers', CORS_EXPOSED_HEADERS);
      } else {
        reply.removeHeader('access-control-allow-origin');
        reply.removeHeader('access-control-expose-headers');
      }
    },
  };
}

/** Whether a path is the guarded control plane's: under `/__mock/`, but not the open health check. */
export function isGuardedPath(url: string): boolean {
  return url.startsWith(`${CONTROL_PREFIX}/`) && !/^\/__mock\/health(?:[/?#]|$)/.test(url);
}

/**
 * The preflight route: `OPTIONS` on every path, outside the API's scope so that no authentication,
 * latency or fault applies (a browser's preflight carries no `Authorization`). The
 * `Access-Control-Allow-Origin` of the answer comes from the app's `onRequest` hook, as on any
 * other request; its `Vary` adds the requested headers, which the answer reflects.
 */
export const corsPreflight = fp(
  async (app: FastifyInstance, { access }: { access: AccessRule }) => {
    const controlCors = controlCorsPolicy(access.controlOrigins);
    app.options(
      '*',
      {
        schema: {
          hide: true,
          response: { 204: { type: 'null', description: 'Preflight answered' }, ...errorResponses([400]) },
        },
      },
      (request, reply) => {
        const headers = preflightHeaders(request.headers);
        // A preflight for a control route is answered as that route would be: refused, or with
        // the control plane's CORS. (A percent-encoded path gets the API's answer here, but the
        // request itself meets the guard on its route.)
        if (isGuardedPath(request.url)) {
          controlCors.annotate(request.headers.origin, reply);
          const refusal = controlRefusal(request.headers, access);
          if (refusal) throw refusal;
        }
        reply.headers(headers);
        // Safari waits for a body on a 204 without it.
        reply.header('content-length', '0');
        reply.code(204).send();
      },
    );
  },
  { name: 'cors-preflight' },
);
