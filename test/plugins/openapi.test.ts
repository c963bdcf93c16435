import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/build.js';

type Operation = { tags?: string[]; responses: Record<string, unknown> };
type OpenApi = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { required?: string[]; properties: Record<string, unknown> }> };
};

/** Every field the newest official SDK's zod schema requires on a key object (UpdateKeysData). */
async function sdkRequiredKeyFields(): Promise<string[]> {
  const { UpdateKeysData$inboundSchema } = (await import('@openrouter/sdk/models/operations')) as unknown as {
    UpdateKeysData$inboundSchema: { in?: { shape: Record<string, { isOptional(): boolean }> }; _def?: { in?: { shape: Record<string, { isOptional(): boolean }> } } };
  };
  const shape = (UpdateKeysData$inboundSchema.in ?? UpdateKeysData$inboundSchema._def?.in)!.shape;
  return Object.entries(shape)
    .filter(([, field]) => !field.isOptional())
    .map(([name]) => name);
}

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 at /openapi.json and /openapi.yaml', async () => {
    const app = buildTestApp();
    const json = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(json.statusCode).toBe(200);
    expect((json.json() as OpenApi).openapi).toBe('3.1.0');
    const yaml = await app.inject({ method: 'GET', url: '/openapi.yaml' });
    expect(yaml.statusCode).toBe(200);
    expect(yaml.headers['content-type']).toMatch(/yaml/);
    expect(yaml.body).toMatch(/^openapi: 3\.1\.0/m);
  });

  it('describes every route, tagged "API Keys" or "Mock control"', async () => {
    const app = buildTestApp();
    const routes: { method: string; url: string }[] = [];
    app.addHook('onRoute', (route) => {
      // Hidden routes are pages, not operations: the inspector at /__mock/ui/ and its redirects.
      if ((route.schema as { hide?: boolean } | undefined)?.hide) return;
      for (const method of [route.method].flat()) routes.push({ method, url: route.url });
    });
    await app.ready();
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenApi;
    const documented = routes.filter((r) => (r.url.startsWith('/api/v1') || r.url.startsWith('/__mock')) && r.method !== 'HEAD');
    expect(documented.length).toBeGreaterThan(15);
    for (const { method, url } of documented) {
      const path = url.replace(/:(\w+)/g, '{$1}');
      const operation = doc.paths[path]?.[method.toLowerCase()];
      expect(operation, `${method} ${url} is missing`).toBeDefined();
      expect(operation!.tags).toEqual([url.startsWith('/api/v1') ? 'API Keys' : 'Mock control']);
    }
  });

  it('the key schema requires every field the official SDK requires', async () => {
    const app = buildTestApp();
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenApi;
    const key = doc.components.schemas.Key!;
    const required = await sdkRequiredKeyFields();
    expect(required).toContain('external_user');
    for (const field of required) {
      expect(key.required, `Key.required lacks ${field}`).toContain(field);
      expect(key.properties[field]).toBeDefined();
    }
  });

  it('documents the error envelope on the PATCH route', async () => {
    const app = buildTestApp();
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenApi;
    const patch = doc.paths['/api/v1/keys/{hash}']!.patch!;
    for (const status of ['200', '400', '401', '404', '413', '415', '429', '500']) expect(patch.responses[status], status).toBeDefined();
    expect(JSON.stringify(patch.responses['404'])).toContain('#/components/schemas/ErrorEnvelope');
  });

  it('serves Swagger UI at /docs', async () => {
    const app = buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger');
  });
});
