import { apiError } from '../domain/errors.js';

/**
 * CORS preflights (`OPTIONS` on any path), answered by the server (the in-process doors have no
 * CORS: src/http/in-process.ts): 204 with the methods,
 * the requested headers reflected and a 10-minute `Access-Control-Max-Age`, before any
 * authentication (a browser's preflight carries no `Authorization`). An `OPTIONS` without `Origin`
 * and `Access-Control-Request-Method` is not a preflight: 400.
 */

export const CORS_ALLOWED_METHODS = 'GET, POST, PATCH, PUT, DELETE, OPTIONS';
/** Response headers scripts on another origin may read. */
export const CORS_EXPOSED_HEADERS = 'Retry-After, X-Mock-Server, X-Request-Id';
export const CORS_MAX_AGE_SECONDS = 600;

/** The headers of a preflight's 204, or the 400 of an `OPTIONS` that is not one. */
export function preflightHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  if (headers.origin === undefined || headers['access-control-request-method'] === undefined) throw apiError('notPreflight');
  const answer: Record<string, string> = {
    'access-control-allow-methods': CORS_ALLOWED_METHODS,
    vary: 'Origin, Access-Control-Request-Headers',
  };
  const requested = headers['access-control-request-headers'];
  if (requested !== undefined) answer['access-control-allow-headers'] = String(requested);
  answer['access-control-max-age'] = String(CORS_MAX_AGE_SECONDS);
  return answer;
}
