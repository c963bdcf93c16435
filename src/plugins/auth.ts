import type { FastifyRequest, onRequestHookHandler, onRouteHookHandler } from 'fastify';
import type { Account, KeyStore, Principal } from '../domain/key-store.js';

/** Who may call a route: only management keys (the default), or any valid key (`GET /key`). */
export type Access = 'management' | 'any';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

/**
 * Authentication runs in `onRequest`, before the body is read, so that 401/403 come before
 * 413/415/400, and those before the lookup's 404 — the order the real API answers in.
 */
export function authenticate(store: KeyStore, access: Access): onRequestHookHandler {
  const management = access === 'management';
  return function authHook(request, _reply, done) {
    try {
      const principal = store.authenticate(request.headers.authorization);
      if (management) store.requireManagement(principal);
      request.principal = principal;
      done();
    } catch (error) {
      done(error as Error);
    }
  };
}

/**
 * Gives every route of the scope its authentication hook, chosen once from the route's
 * `config.access` (rather than read from `request.routeOptions` on every request).
 */
export function authenticateRoutes(store: KeyStore): onRouteHookHandler {
  const hooks = { management: authenticate(store, 'management'), any: authenticate(store, 'any') };
  return (route) => {
    const access: Access = (route.config as { access?: Access } | undefined)?.access ?? 'management';
    const own = route.onRequest === undefined ? [] : [route.onRequest].flat();
    route.onRequest = [hooks[access], ...own];
  };
}

/** The caller's account on a management route (the hook has already checked the principal). */
export function accountOf(request: FastifyRequest): Account {
  return request.principal!.account;
}
