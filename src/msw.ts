/**
 * `openrouter-keys-mock/msw`: the mock as MSW (Mock Service Worker) request handlers, for
 * `setupServer` (Node, Vitest with jsdom) and `setupWorker` (a browser: Storybook, a Vite dev
 * server). The handlers run the same engine as the server, in the page or the test process.
 * `msw` is an optional peer dependency (^2.7 || ^3): only this entry imports it.
 */
import { http, HttpResponse, type HttpHandler } from 'msw';
import { ApiError } from './domain/errors.js';
import { API_PREFIX, CONTROL_PREFIX } from './domain/paths.js';
import { ConnectionResetError } from './http/in-process.js';
import { createInProcessMock, type MockFetch, type MockFetchOptions } from './in-process-mock.js';
import { ConfigError } from './options.js';

// What a caller's `instanceof` needs, without the main entry (which brings the server's stack).
export { ApiError, ConfigError };
export type { MockFetch, MockFetchOptions };

export interface MswHandlersOptions extends MockFetchOptions {
  /**
   * The origin (and optional base path) the handlers intercept: `${baseUrl}/api/v1/…` and
   * `${baseUrl}/__mock/…`. Default `https://openrouter.ai`, so an app calling the real API needs
   * no change. The SDK's form, ending in `/api/v1`, means the same origin.
   */
  baseUrl?: string;
  /**
   * Also answer every other path under `${baseUrl}/api/v1` and `${baseUrl}/__mock` with the
   * mock's 404, as the server does, so that none of them reaches the app's other handlers or the
   * network. Default false: the handlers take only the operations the mock serves.
   */
  catchAll?: boolean;
}

export const DEFAULT_BASE_URL = 'https://openrouter.ai';

const DOOR = 'createMswHandlers';
const EXAMPLE = 'an http(s) URL such as https://openrouter.ai or http://localhost:5173/openrouter, or a path such as /openrouter';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * How a handler matches an operation's path (`/api/v1/keys/:hash`, or `/…/**` for any rest) under
 * `base`. A RegExp with no capturing group where the origin is known: MSW 2 decodes the captured
 * parameters of a string pattern and, for a malformed escape (`/keys/%E0%A4%A`), answers its own
 * 500 with the URIError's stack before any handler runs. Here the door routes, decodes and
 * answers the 400 every door gives. A relative base with no page to resolve it against stays a
 * string, which MSW resolves (or does not match) as before.
 */
function patternFor(base: string): (path: string) => string | RegExp {
  const origin = (globalThis as { location?: { href: string } }).location?.href;
  const absolute = /^https?:\/\//i.test(base) ? base : origin === undefined ? undefined : new URL(base, origin).href.replace(/\/+$/, '');
  if (absolute === undefined) return (path) => `${base}${path.replace(/\/\*\*$/, '/*')}`;
  const prefix = escapeRegExp(absolute);
  return (path) => {
    const rest = path.endsWith('/**') ? `${escapeRegExp(path.slice(0, -3))}/.*` : path.split('/').map((part) => (part.startsWith(':') ? '[^/]*' : escapeRegExp(part))).join('/');
    // As MSW's string patterns match: the URL without query or fragment, any case, a trailing
    // slash allowed (the door then answers what the server does with it).
    return new RegExp(`^${prefix}${rest}/?$`, 'i');
  };
}

/** `baseUrl` without trailing slashes or the API prefix, or a ConfigError that names it and says why. */
function readBaseUrl(baseUrl: unknown): string {
  const refuse = (why: string): never => {
    const shown = typeof baseUrl === 'string' ? JSON.stringify(baseUrl.length > 60 ? `${baseUrl.slice(0, 60)}…` : baseUrl) : String(baseUrl);
    throw new ConfigError(`invalid option "baseUrl" of ${DOOR}: ${why} (got ${shown})`);
  };
  if (typeof baseUrl !== 'string') return refuse(`must be a string: ${EXAMPLE}`);
  const text = baseUrl.trim();
  if (!text.startsWith('/')) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return refuse(`must be ${EXAMPLE}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return refuse(`must be ${EXAMPLE}`);
  }
  if (/[?#]/.test(text)) return refuse('must have no query or fragment: the handlers match paths');
  // The SDK's `serverURL` names the API itself; the handlers add `/api/v1` (and `/__mock`) to it.
  return text.replace(/\/+$/, '').replace(new RegExp(`${API_PREFIX.replace(/\//g, '\\/')}$`), '');
}

/**
 * MSW handlers for the API and the control plane, and `mock`: the test handle (and a `fetch` on
 * the same state, the management keys, the config). One handler per operation the mock serves
 * (HEAD with each GET), so that the app's own handlers for other paths on the same origin (another
 * OpenRouter endpoint) still answer; `catchAll` adds the mock's 404 for the rest of its prefixes.
 *
 * @example
 * const { handlers, mock } = await createMswHandlers({ seed: 7 });
 * const server = setupServer(...handlers);
 */
export async function createMswHandlers(options: MswHandlersOptions = {}): Promise<{ handlers: HttpHandler[]; mock: MockFetch }> {
  const { baseUrl, catchAll, ...mockOptions } = options;
  const base = baseUrl === undefined ? DEFAULT_BASE_URL : readBaseUrl(baseUrl);
  if (catchAll !== undefined && typeof catchAll !== 'boolean') {
    throw new ConfigError(`invalid option "catchAll" of ${DOOR}: must be a boolean (got ${JSON.stringify(catchAll)})`);
  }
  // The door routes on the path as the server sees it, so a base path (`https://host/openrouter`)
  // is taken off first; a relative base (same origin in a browser) has its path read the same way.
  const basePath = new URL(base, 'http://localhost').pathname.replace(/\/+$/, '');
  const { mock, door } = createInProcessMock(mockOptions, DOOR, {}, ['baseUrl', 'catchAll']);
  const underBase = async (request: Request): Promise<Request> => {
    if (!basePath) return request;
    const url = new URL(request.url);
    url.pathname = url.pathname.slice(basePath.length);
    // The body as bytes: a stream body in `new Request` needs `duplex`, which not every browser has.
    const body = request.method === 'GET' || request.method === 'HEAD' ? null : await request.arrayBuffer();
    return new Request(url, { method: request.method, headers: request.headers, body, signal: request.signal });
  };
  const resolve = async ({ request }: { request: Request }): Promise<Response> => {
    try {
      // The caller's request carries the signal a `timeout` fault waits on, not the one rebuilt under the base.
      return await door.answer(await underBase(request), request);
    } catch (error) {
      // A `reset` fault: MSW's network error, which the caller's fetch sees as a failed request.
      if (error instanceof ConnectionResetError) return HttpResponse.error();
      // A `timeout` fault ends when the caller aborts. Nobody reads an answer then, but a rejection
      // would be logged by MSW as the handler's unhandled exception, with a stack.
      if (request.signal.aborted) return HttpResponse.error();
      throw error;
    }
  };
  const byMethod = { GET: http.get, POST: http.post, PUT: http.put, PATCH: http.patch, DELETE: http.delete } as const;
  const pattern = patternFor(base);
  const handlers: HttpHandler[] = [];
  for (const op of door.operations) {
    handlers.push(byMethod[op.method](pattern(op.url), resolve));
    // The server answers HEAD with its GET route.
    if (op.method === 'GET') handlers.push(http.head(pattern(op.url), resolve));
  }
  if (catchAll) handlers.push(http.all(pattern(`${API_PREFIX}/**`), resolve), http.all(pattern(`${CONTROL_PREFIX}/**`), resolve));
  return { handlers, mock };
}
