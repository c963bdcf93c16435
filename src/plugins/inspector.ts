import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { apiError } from '../domain/errors.js';
import { CONTROL_PREFIX } from '../http/control-operations.js';
import { sendApiError } from './error-handler.js';

/** Where the inspector is served. */
export const INSPECTOR_PATH = `${CONTROL_PREFIX}/ui/`;

/**
 * The built inspector (`npm run build` writes it with Vite from inspector/): one folder beside the
 * compiled server, found from this module whether it runs from dist/ or, in tests, from src/.
 */
export const INSPECTOR_ROOT = fileURLToPath(new URL('../../dist/inspector/', import.meta.url));

/**
 * The inspector at `/__mock/ui/` (part of the control plane: off with `--no-control`). Its files are
 * public — the page asks for the admin token before it shows anything, and every call it makes
 * carries it — and nothing is loaded from another origin. `GET /` from a browser (`Accept:
 * text/html`) goes there; any other client still gets the API's 404.
 */
export async function inspectorPlugin(app: FastifyInstance, { root = INSPECTOR_ROOT }: { root?: string } = {}): Promise<void> {
  app.get('/', { schema: { hide: true } }, (request, reply) => {
    if (request.headers.accept?.includes('text/html')) return reply.redirect(INSPECTOR_PATH, 302);
    return sendApiError(reply, apiError('routeNotFound', request.method, '/'));
  });
  app.get(CONTROL_PREFIX + '/ui', { schema: { hide: true } }, (_request, reply) => reply.redirect(INSPECTOR_PATH, 301));
  if (!existsSync(`${root}index.html`)) {
    app.get(`${INSPECTOR_PATH}*`, { schema: { hide: true } }, (_request, reply) => sendApiError(reply, apiError('inspectorNotBuilt')));
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: INSPECTOR_PATH,
    index: 'index.html',
    // Hashed asset names (Vite): cached for good; index.html is revalidated every time.
    setHeaders: (reply, path) => reply.header('cache-control', path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable'),
    decorateReply: false,
    schemaHide: true,
  });
}
