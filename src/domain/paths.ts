/**
 * Where things live on the wire, named once: the two planes' prefixes, the inspector's path, the
 * OpenAPI tags, and the helpers every list of routes is derived with. The routes themselves are
 * the engine's operation table (src/http/api-operations.ts, control-operations.ts); everything
 * that needs a list of them (fault rules, MSW handlers, OpenAPI, the differential test) takes it
 * from there.
 */

/** OpenRouter's API: authenticated, faulted, delayed, journalled. */
export const API_PREFIX = '/api/v1';
/** The mock's own control plane (never faulted or journalled). */
export const CONTROL_PREFIX = '/__mock';
/** The inspector page (Vite's `base`, the server's static root). */
export const INSPECTOR_PATH = `${CONTROL_PREFIX}/ui/`;

/** The OpenAPI tag of each plane, with what the document says of it. */
export const TAGS = {
  api: { name: 'API Keys', description: "OpenRouter's key management endpoints, as the official SDK calls them" },
  control: { name: 'Mock control', description: 'Test control: reset, state, scenarios, accounts, clock, usage, faults, journal' },
} as const;

/** A method and a path with `:name` parameters (each one segment): `PATCH /api/v1/keys/:hash`. */
export interface Route {
  method: string;
  path: string;
}

/** The names of a path's parameters, in order: `/accounts/:id/keys` → `['id']`. */
export const paramNames = (path: string): string[] => path.split('/').flatMap((part) => (part.startsWith(':') ? [part.slice(1)] : []));

/** A path as the documentation writes it: `/api/v1/keys/{hash}`. */
export const shownPath = (path: string): string => path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

/** The routes with HEAD beside each GET, as every door answers HEAD with the GET route. */
export const withHeadTwins = (routes: readonly Route[]): Route[] =>
  routes.flatMap((route) => (route.method === 'GET' ? [route, { method: 'HEAD', path: route.path }] : [route]));
