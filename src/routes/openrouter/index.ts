import type { FastifyPluginAsync } from 'fastify';
import { authenticateRoutes } from '../../plugins/auth.js';
import { trafficHooks } from '../../plugins/traffic.js';
import type { MockRuntime } from '../../runtime.js';
import { currentKeyRoute } from './key.js';
import { keysRoutes } from './keys.js';

/**
 * The OpenRouter API, mounted at `/api/v1`. Its hooks stay inside this scope: latency, then
 * authentication (onRequest: before the body is read), then injected faults (each route's handler
 * is wrapped: with the body read, before validation's error and the handler); the journal records
 * every request when its answer is decided (the wrapped handler, this scope's error handler).
 */
export const openRouterApi: FastifyPluginAsync<{ runtime: MockRuntime; strict: boolean }> = async (app, { runtime, strict }) => {
  const { store } = runtime;
  const traffic = trafficHooks(runtime);
  app.decorateRequest('principal', null);
  if (runtime.config.latency) app.addHook('onRequest', traffic.onRequest);
  app.addHook('onRoute', authenticateRoutes(store));
  app.addHook('onRoute', traffic.wrapHandlers);
  // Errors of this scope (auth, bodies, validation, rules) are answered as everywhere, and journalled.
  app.setErrorHandler(traffic.errorHandler);
  await app.register(keysRoutes, { store, strict });
  await app.register(currentKeyRoute, { store });
};
