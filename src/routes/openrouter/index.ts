import type { FastifyPluginAsync } from 'fastify';
import type { KeyStore } from '../../domain/key-store.js';
import { authenticate } from '../../plugins/auth.js';
import { currentKeyRoute } from './key.js';
import { keysRoutes } from './keys.js';

/** The OpenRouter API, mounted at `/api/v1`. Its hooks stay inside this scope. */
export const openRouterApi: FastifyPluginAsync<{ store: KeyStore; strict: boolean }> = async (app, { store, strict }) => {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', authenticate(store));
  await app.register(keysRoutes, { store, strict });
  await app.register(currentKeyRoute, { store });
};
