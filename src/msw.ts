/**
 * `openrouter-keys-mock/msw`: the mock as MSW (Mock Service Worker) request handlers, for
 * `setupServer` (Node, Vitest with jsdom) and `setupWorker` (a browser: Storybook, a Vite dev
 * server). The handlers run the same engine as the server, in the page or the test process.
 * `msw` is an optional peer dependency (^2.7 || ^3): only this entry imports it.
 */
import { http, HttpResponse, type HttpHandler } from 'msw';
import { API_PREFIX } from './domain/faults.js';
import { CONTROL_PREFIX } from './http/control-operations.js';
import { ConnectionResetError } from './http/in-process.js';
import { createInProcessMock, type MockFetch, type MockFetchOptions } from './in-process-mock.js';

export interface MswHandlersOptions extends MockFetchOptions {
  /**
   * The origin (and optional base path) the handlers intercept: `${baseUrl}/api/v1/*` and
   * `${baseUrl}/__mock/*`. Default `https://openrouter.ai`, so an app calling the real API needs
   * no change.
   */
  baseUrl?: string;
}

export const DEFAULT_BASE_URL = 'https://openrouter.ai';

/**
 * MSW handlers for the API and the control plane, and `mock`: the test handle (and a `fetch` on
 * the same state, the management keys, the config).
 *
 * @example
 * const { handlers, mock } = await createMswHandlers({ seed: 7 });
 * const server = setupServer(...handlers);
 */
export async function createMswHandlers(options: MswHandlersOptions = {}): Promise<{ handlers: HttpHandler[]; mock: MockFetch }> {
  const { baseUrl = DEFAULT_BASE_URL, ...mockOptions } = options;
  const base = baseUrl.replace(/\/+$/, '');
  // The door routes on the path as the server sees it, so a base path (`https://host/openrouter`)
  // is taken off first; a relative base (same origin in a browser) has its path read the same way.
  const basePath = new URL(base, 'http://localhost').pathname.replace(/\/+$/, '');
  const { mock, door } = createInProcessMock(mockOptions, 'createMswHandlers');
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
  return { handlers: [http.all(`${base}${API_PREFIX}/*`, resolve), http.all(`${base}${CONTROL_PREFIX}/*`, resolve)], mock };
}
