import type { FastifyPluginAsync } from 'fastify';
import { authenticate } from '../../plugins/auth.js';
import { trafficHooks } from '../../plugins/traffic.js';
import type { MockRuntime } from '../../runtime.js';
import { currentKeyRoute } from './key.js';
import { keysRoutes } from './keys.js';

/**
 * The OpenRouter API, mounted at `/api/v1`. Its hooks stay inside this scope: injected faults and
 * latency first (a failing server fails before it checks credentials), then authentication; the
 * journal records every answered request.
 */
export const openRouterApi: FastifyPluginAsync<{ runtime: MockRuntime; strict: boolean }> = async (app, { runtime, strict }) => {
  const { store } = runtime;
  const traffic = trafficHooks(runtime);
  app.decorateRequest('principal', null);
  app.addHook('onRequest', traffic.onRequest);
  app.addHook('onRequest', authenticate(store));
  if (runtime.journal.enabled) app.addHook('onResponse', traffic.onResponse);
  await app.register(keysRoutes, { store, strict });
  await app.register(currentKeyRoute, { store });
};
