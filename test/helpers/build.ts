import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { onTestFinished } from 'vitest';
import { buildApp } from '../../src/app.js';
import { DEFAULT_MANAGEMENT_KEY, resolveConfig, type MockOptions } from '../../src/config.js';
import { createMockRuntime } from '../../src/runtime.js';

/** A fixed clock for tests: a Wednesday, mid-month, so every usage window is distinct. */
export const TEST_NOW = '2026-01-14T12:00:00.000Z';
/** OpenRouter's documentation example key, in the embedded fixtures. */
export const DOCS_HASH = 'f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943';
/** The plaintext of the "Local development" fixture key (an ordinary, non-management key). */
export const LOCAL_DEV_KEY = `sk-or-v1-${'feedface'.repeat(8)}`;
export const MANAGEMENT_KEY = DEFAULT_MANAGEMENT_KEY;

/**
 * Builds the app exactly as production does (resolveConfig → buildApp), silent, and closes it when
 * the test ends. The clock starts at TEST_NOW and stands still (its real-time source is frozen),
 * so timestamps written by the server are exact.
 */
export function buildTestApp(options: MockOptions = {}): FastifyInstance {
  const config = resolveConfig({ logLevel: 'silent', now: TEST_NOW, ...options });
  const app = buildApp(config, createMockRuntime(config, () => 0));
  onTestFinished(() => app.close());
  return app;
}

export const bearer = (token: string = MANAGEMENT_KEY) => ({ authorization: `Bearer ${token}` });

/** `inject` with the management key and a JSON body. */
export function api(
  app: FastifyInstance,
  method: InjectOptions['method'],
  url: string,
  body?: unknown,
  token: string = MANAGEMENT_KEY,
): Promise<LightMyRequestResponse> {
  return app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { ...bearer(token), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

/** `inject` on the test-control plane (`/__mock…`): a JSON body (a string is sent as is) and extra headers. */
export function ctl(
  app: FastifyInstance,
  method: InjectOptions['method'],
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method,
    url: `/__mock${path}`,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

/** The OpenRouter error envelope of a response; fails the test if it is not that shape. */
export function errorOf(response: LightMyRequestResponse): { code: number; message: string } {
  const body = response.json() as { error?: { code?: unknown; message?: unknown } };
  if (!body.error || typeof body.error.code !== 'number' || typeof body.error.message !== 'string' || Object.keys(body).length !== 1) {
    throw new Error(`not an OpenRouter error envelope: ${response.body}`);
  }
  return body.error as { code: number; message: string };
}
