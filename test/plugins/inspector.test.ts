/**
 * Where the inspector is served: `/__mock/ui/`, reached from `/` by a browser; JSON clients still
 * get the API's 404 at `/`; off with the control plane.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { inspectorPlugin } from '../../src/plugins/inspector.js';
import { buildTestApp, errorOf } from '../helpers/build.js';

describe('the inspector\'s address', () => {
  it('GET / from a browser redirects to /__mock/ui/', async () => {
    const app = buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/__mock/ui/');
    expect((await app.inject({ method: 'GET', url: '/__mock/ui' })).headers.location).toBe('/__mock/ui/');
  });

  it('GET / from a JSON client is still the OpenRouter-shaped 404', async () => {
    const app = buildTestApp();
    for (const accept of [undefined, 'application/json', '*/*']) {
      const res = await app.inject({ method: 'GET', url: '/', headers: accept ? { accept } : {} });
      expect(res.statusCode).toBe(404);
      expect(errorOf(res).message).toBe('Not found: no route GET /');
    }
  });

  it('is part of the control plane: gone with --no-control', async () => {
    const app = buildTestApp({ control: false });
    expect((await app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/__mock/ui/' })).statusCode).toBe(404);
  });
});

describe('the inspector, not built', () => {
  it('GET / from a browser is told how to build it, not redirected to a 404', async () => {
    const app = Fastify({ logger: false });
    await app.register(inspectorPlugin, { root: `${mkdtempSync(join(tmpdir(), 'no-inspector-'))}/` });
    const home = await app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    expect(home.statusCode).toBe(404);
    expect(home.headers.location).toBeUndefined();
    expect(errorOf(home).message).toBe('The inspector is not built: run "npm run build" (it writes dist/inspector/)');
    expect(errorOf(await app.inject({ method: 'GET', url: '/__mock/ui/' })).message).toBe(errorOf(home).message);
    await app.close();
  });
});
