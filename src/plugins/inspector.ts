import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { apiError } from '../domain/errors.js';
import { CONTROL_PREFIX, INSPECTOR_PATH } from '../domain/paths.js';
import { sendApiError } from './error-handler.js';

/** Where the inspector is served. */
export { INSPECTOR_PATH };

/**
 * The built inspector (`npm run build` writes it with Vite from inspector/): one folder beside the
 * compiled server, found from this module whether it runs from dist/ or, in tests, from src/.
 */
export const INSPECTOR_ROOT = fileURLToPath(new URL('../../dist/inspector/', import.meta.url));

/**
 * Its files, served by @fastify/static in a small Fastify instance of their own, built on the
 * first request for them (as the docs are: src/plugins/openapi.ts): loading @fastify/static and
 * what it needs at every start made the default start-up ~10 % slower (BENCHMARKS.md), and most
 * runs (CI, tests) never open the page.
 */
async function buildFilesApp(root: string): Promise<FastifyInstance> {
  const { default: fastifyStatic } = await import('@fastify/static');
  const files = Fastify({ logger: false });
  await files.register(fastifyStatic, {
    root,
    prefix: INSPECTOR_PATH,
    index: 'index.html',
    // Hashed asset names (Vite): cached for good; index.html is revalidated every time.
    setHeaders: (reply, path) => reply.header('cache-control', path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable'),
  });
  // A file that is not there is the API's 404, as anywhere else.
  files.setNotFoundHandler((request, reply) => sendApiError(reply, apiError('routeNotFound', request.method, request.url.split('?')[0] ?? request.url)));
  await files.ready();
  return files;
}

/**
 * The inspector at `/__mock/ui/` (part of the control plane: off with `--no-control`). Its files are
 * public — the page asks for the admin token before it shows anything, and every call it makes
 * carries it — and nothing is loaded from another origin. `GET /` from a browser (`Accept:
 * text/html`) goes there (or, with no page built, gets the 404 that says how to build it); any
 * other client still gets the API's 404.
 */
export async function inspectorPlugin(app: FastifyInstance, { root = INSPECTOR_ROOT }: { root?: string } = {}): Promise<void> {
  app.get('/', { schema: { hide: true } }, (request, reply) => {
    // Without a built page a redirect would only lead to a 404: the browser is told why here.
    if (request.headers.accept?.includes('text/html')) {
      return existsSync(`${root}index.html`) ? reply.redirect(INSPECTOR_PATH, 302) : sendApiError(reply, apiError('inspectorNotBuilt'));
    }
    return sendApiError(reply, apiError('routeNotFound', request.method, '/'));
  });
  app.get(`${CONTROL_PREFIX}/ui`, { schema: { hide: true } }, (_request, reply) => reply.redirect(INSPECTOR_PATH, 301));
  let files: Promise<FastifyInstance> | undefined;
  app.addHook('onClose', async () => {
    if (files) await (await files).close();
  });
  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!existsSync(`${root}index.html`)) return sendApiError(reply, apiError('inspectorNotBuilt'));
    files ??= buildFilesApp(root);
    const res = await (await files).inject({ method: request.method as 'GET' | 'HEAD', url: request.url, headers: request.headers });
    for (const name of ['content-type', 'content-length', 'cache-control', 'etag', 'last-modified', 'location']) {
      const value = res.headers[name];
      if (value !== undefined) reply.header(name, value);
    }
    return reply.code(res.statusCode).send(res.rawPayload);
  };
  app.get(INSPECTOR_PATH, { schema: { hide: true } }, serve);
  app.get(`${INSPECTOR_PATH}*`, { schema: { hide: true } }, serve);
}
