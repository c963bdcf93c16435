import type { onRequestHookHandler } from 'fastify';
import { controlRefusal, type AccessRule } from '../http/access.js';
import { controlCorsPolicy } from './cors.js';

/**
 * The guard of the control plane's routes (`/__mock` but health: its operations, the event
 * stream, the inspector), an `onRequest` hook on their scope: before authentication and before
 * any body is read, a request the access rule refuses (src/http/access.ts) gets its 403 in the
 * API's envelope and changes nothing; the others get the control plane's CORS headers in place of
 * the API's. On the routes themselves, not on a path prefix: `/%5F_mock/state` routes to
 * `/__mock/state` too.
 */
export function controlAccessHook(rule: AccessRule): onRequestHookHandler {
  const cors = controlCorsPolicy(rule.controlOrigins);
  return function controlAccess(request, reply, done) {
    cors.annotate(request.headers.origin, reply);
    const refusal = controlRefusal(request.headers, rule);
    if (refusal) done(refusal);
    else done();
  };
}
