/**
 * Contract: `GET /api/v1/models` as the official SDK reads it (`models.list()`, which validates
 * the answer with zod), against a real listening mock, with and without a credential; and a
 * `--models` catalogue served as given.
 */
import { OpenRouter } from '@openrouter/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_MODELS } from '../../src/data/models.js';
import { createMockServer, type MockServer } from '../../src/server.js';
import { LOCAL_DEV_KEY, TEST_NOW } from '../helpers/build.js';

let server: MockServer;
let own: MockServer;

beforeAll(async () => {
  server = await createMockServer({ port: 0, now: TEST_NOW });
  own = await createMockServer({ port: 0, now: TEST_NOW, models: EMBEDDED_MODELS.slice(6) });
});

afterAll(async () => {
  await Promise.all([server?.close(), own?.close()]);
});

const ids = (entries: readonly unknown[]) => entries.map((entry) => (entry as { id: string }).id);

async function listed(url: string, apiKey: string): Promise<{ id: string; pricing: { prompt: string; completion: string } }[]> {
  const sdk = new OpenRouter({ apiKey, serverURL: url, retryConfig: { strategy: 'none' } });
  const page = await sdk.models.list();
  return page.result.data;
}

describe('GET /api/v1/models through the official SDK', () => {
  it('lists the embedded catalogue in its order, prices as decimal strings, a :free variant at zero', async () => {
    const models = await listed(server.url, LOCAL_DEV_KEY);
    expect(models.map((model) => model.id)).toEqual(ids(EMBEDDED_MODELS));
    const free = models.find((model) => model.id.endsWith(':free'))!;
    expect(Number(free.pricing.prompt) + Number(free.pricing.completion)).toBe(0);
    for (const model of models) expect(model.pricing.prompt).toMatch(/^\d+(\.\d+)?$/);
    // The mock's own settings (BYOK) never reach the wire.
    const response = await fetch(`${server.url}/models`);
    expect(response.status).toBe(200);
    expect(await response.text()).not.toContain('"mock"');
  });

  it('needs no credential, as OpenRouter’s list does; a --models catalogue is served as given', async () => {
    const anonymous = (await (await fetch(`${server.url}/models`)).json()) as { data: unknown[]; total_count: number };
    expect(ids(anonymous.data)).toEqual(ids(EMBEDDED_MODELS));
    expect(anonymous.total_count).toBe(EMBEDDED_MODELS.length);
    expect((await listed(own.url, 'sk-or-v1-anything')).map((model) => model.id)).toEqual(ids(EMBEDDED_MODELS.slice(6)));
  });
});
