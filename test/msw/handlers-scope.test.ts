/**
 * The MSW handlers take only what the mock serves: one handler per operation of the engine's table
 * (HEAD with each GET), so an app's own handler for another endpoint on the same origin answers
 * beside them (they ended in catch-alls answering 404 for every path under the base before).
 * `catchAll: true` brings the mock's 404 back for the rest of its prefixes. msw 2 here; msw 3 in
 * msw3.test.ts.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createMswHandlers } from '../../src/msw.js';
import { createInProcessMock } from '../../src/in-process-mock.js';
import { DOCS_HASH, TEST_NOW } from '../helpers/build.js';

const EMBEDDINGS = 'https://openrouter.ai/api/v1/embeddings';
/** The app's own handler for an endpoint the mock does not serve. */
const appEmbeddings = http.post(EMBEDDINGS, () => HttpResponse.json({ object: 'list', data: [], model: 'from-the-app' }));

let server: ReturnType<typeof setupServer> | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

async function listening(options: Parameters<typeof createMswHandlers>[0], ...after: Parameters<typeof setupServer>) {
  const built = await createMswHandlers({ seed: 7, now: TEST_NOW, ...options });
  server = setupServer(...built.handlers, ...after);
  server.listen({ onUnhandledRequest: 'error' });
  return built;
}

describe('createMswHandlers takes only the operations the mock serves', () => {
  it("an app's handler for POST /api/v1/embeddings, registered after the mock's, answers; the mock's routes still do", async () => {
    const { mock } = await listening({}, appEmbeddings);
    const embeddings = await fetch(EMBEDDINGS, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"model":"x","input":"hello"}' });
    expect(embeddings.status).toBe(200);
    expect(await embeddings.json()).toEqual({ object: 'list', data: [], model: 'from-the-app' });
    const auth = { Authorization: `Bearer ${mock.managementKey}` };
    const listed = await fetch('https://openrouter.ai/api/v1/keys', { headers: auth });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('x-mock-server')).toBeTruthy();
    const head = await fetch(`https://openrouter.ai/api/v1/keys/${DOCS_HASH}`, { method: 'HEAD', headers: auth });
    expect(head.status).toBe(200);
    expect((await fetch('https://openrouter.ai/__mock/health')).status).toBe(200);
    // The mock's journal saw its own requests only.
    expect((await mock.requests()).map((entry) => entry.method)).toEqual(['HEAD', 'GET']);
  });

  it("the handlers are the engine's operation table (HEAD with each GET), on the base URL", async () => {
    const { handlers } = await createMswHandlers({ seed: 7, baseUrl: 'http://localhost:5173/openrouter' });
    const { operations } = createInProcessMock({ seed: 7 }, 'test').door;
    const expected = operations.flatMap((op) => [`${op.method} ${op.url}`, ...(op.method === 'GET' ? [`HEAD ${op.url}`] : [])]);
    // Each handler, in order, is its operation's method, and its pattern takes that route's paths.
    expect(handlers.map((handler) => String(handler.info.method))).toEqual(expected.map((entry) => entry.split(' ')[0]));
    handlers.forEach((handler, i) => {
      const url = expected[i]!.split(' ')[1]!;
      const pattern = handler.info.path as RegExp;
      expect(pattern.test(`http://localhost:5173/openrouter${url.replace(/:[a-z]+/g, 'some-value')}`), expected[i]).toBe(true);
      expect(pattern.test(`http://localhost:5173${url}`), `${expected[i]} needs the base path`).toBe(false);
      if (url.includes(':')) expect(pattern.test(`http://localhost:5173/openrouter${url.replace(/:[a-z]+/g, 'a/b')}`), 'a parameter is one segment').toBe(false);
    });
  });

  it("a malformed percent-escape in a path gets the mock's 400, as on the server (MSW's own match would answer 500 with a stack)", async () => {
    const { mock } = await listening({});
    const response = await fetch(`https://openrouter.ai/api/v1/keys/%E0%A4%A`, { headers: { Authorization: `Bearer ${mock.managementKey}` } });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 400, message: expect.stringContaining('Malformed URL') } });
    expect(text).not.toContain('stack');
  });

  it('without the control plane (control: false), /__mock paths but /__mock/health are not taken', async () => {
    await listening({ control: false }, http.get('https://openrouter.ai/__mock/state', () => HttpResponse.json({ app: true })));
    expect(await (await fetch('https://openrouter.ai/__mock/state')).json()).toEqual({ app: true });
    expect((await fetch('https://openrouter.ai/__mock/health')).status).toBe(200);
  });

  it('catchAll: true answers every other path under /api/v1 and /__mock with the mock’s 404, before later handlers', async () => {
    await listening({ catchAll: true }, appEmbeddings);
    const embeddings = await fetch(EMBEDDINGS, { method: 'POST', body: '{}' });
    expect(embeddings.status).toBe(404);
    expect(await embeddings.json()).toEqual({ error: { code: 404, message: expect.stringContaining('/api/v1/embeddings') } });
    expect((await fetch('https://openrouter.ai/__mock/nothing-here')).status).toBe(404);
  });

  it('an OPTIONS request is not the mock’s (no CORS in process); the fetch handler answers it 404', async () => {
    await listening({}, http.options('https://openrouter.ai/api/v1/keys', () => new HttpResponse(null, { status: 299 })));
    const preflight = { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'PATCH' };
    expect((await fetch('https://openrouter.ai/api/v1/keys', { method: 'OPTIONS', headers: preflight })).status).toBe(299);
    const { mock } = createInProcessMock({ seed: 7 }, 'createMockFetch');
    const answered = await mock.fetch('/api/v1/keys', { method: 'OPTIONS', headers: preflight });
    expect(answered.status).toBe(404);
    expect(answered.headers.get('access-control-allow-origin')).toBeNull();
    expect(answered.headers.get('access-control-allow-methods')).toBeNull();
  });
});

describe('createMswHandlers baseUrl', () => {
  it("the SDK's form, ending in /api/v1, mounts at the origin (not at /api/v1/api/v1)", async () => {
    const { mock } = await listening({ baseUrl: 'https://openrouter.ai/api/v1/' });
    const listed = await fetch('https://openrouter.ai/api/v1/keys', { headers: { Authorization: `Bearer ${mock.managementKey}` } });
    expect(listed.status).toBe(200);
  });

  it.each([
    [42, 'must be a string: an http(s) URL such as https://openrouter.ai'],
    ['not a url', 'must be an http(s) URL such as https://openrouter.ai'],
    ['openrouter.ai', 'must be an http(s) URL such as https://openrouter.ai'],
    ['ftp://openrouter.ai', 'must be an http(s) URL such as https://openrouter.ai'],
    ['https://openrouter.ai/?x=1', 'must have no query or fragment'],
  ])('refuses %j with a ConfigError naming the option and the reason', async (baseUrl, why) => {
    const attempt = createMswHandlers({ baseUrl: baseUrl as string });
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(`invalid option "baseUrl" of createMswHandlers: ${why}`);
  });

  it('a mistyped baseUrl (or catchAll) is suggested', async () => {
    await expect(createMswHandlers({ baseURL: 'https://x.test' } as never)).rejects.toThrow('unknown option "baseURL" (did you mean "baseUrl"?)');
    await expect(createMswHandlers({ catchall: true } as never)).rejects.toThrow('unknown option "catchall" (did you mean "catchAll"?)');
    await expect(createMswHandlers({ catchAll: 'yes' } as never)).rejects.toThrow('invalid option "catchAll" of createMswHandlers: must be a boolean');
  });
});
