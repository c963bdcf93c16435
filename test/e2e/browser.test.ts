import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockServer, type MockServer } from '../../src/server.js';
import { DOCS_HASH, MANAGEMENT_KEY, TEST_NOW } from '../helpers/build.js';
import { hasChromium, launchChromium, warnIfNoChromium } from '../helpers/chromium.js';

/**
 * A real browser on one origin updates a key on the mock at another origin with fetch(), then reads
 * it back: CORS preflight, Authorization, JSON and error bodies, as a front-end app meets them.
 * Uses Debian's Chromium (installed by .ci/run), driven by playwright-core; never a browser download.
 */
warnIfNoChromium('browser test');

const PAGE = `<!doctype html>
<html><body><pre id="out">running</pre>
<script type="module">
  const params = new URLSearchParams(location.search);
  const api = params.get('api'), token = params.get('token'), hash = params.get('hash');
  const headers = { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' };
  const out = {};
  try {
    const patched = await fetch(api + '/keys/' + hash, { method: 'PATCH', headers, body: JSON.stringify({ name: 'Renamed from the browser', limit: 42 }) });
    out.patchStatus = patched.status;
    out.patched = (await patched.json()).data;
    const read = await fetch(api + '/keys/' + hash, { headers: { Authorization: 'Bearer ' + token } });
    out.read = (await read.json()).data;
    const bad = await fetch(api + '/keys/' + hash, { method: 'PATCH', headers, body: JSON.stringify({ limit: -1 }) });
    out.badStatus = bad.status;
    out.badBody = await bad.json();
    const gone = await fetch(api + '/keys/' + hash, { method: 'DELETE', headers: { Authorization: 'Bearer ' + token } });
    out.deleteStatus = gone.status;
    out.mockServer = gone.headers.get('x-mock-server');
  } catch (error) {
    out.error = String(error);
  }
  document.getElementById('out').textContent = JSON.stringify(out);
</script></body></html>`;

describe.runIf(hasChromium)('in a real browser (headless Chromium)', () => {
  let mock: MockServer;
  let page: Server;
  let pageOrigin: string;

  beforeAll(async () => {
    mock = await createMockServer({ port: 0, now: TEST_NOW });
    page = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    // "localhost" vs "127.0.0.1": a different origin from the mock's.
    pageOrigin = `http://localhost:${(page.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await mock?.close();
    await new Promise((resolve) => page?.close(resolve));
  });

  it('updates a key cross-origin with fetch() and reads it back', async () => {
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      const query = new URLSearchParams({ api: mock.url, token: MANAGEMENT_KEY, hash: DOCS_HASH });
      await tab.goto(`${pageOrigin}/?${query}`);
      await tab.waitForFunction("document.getElementById('out')?.textContent !== 'running'", undefined, { timeout: 15_000 });
      const out = JSON.parse((await tab.textContent('#out'))!) as Record<string, any>;
      expect(out.error).toBeUndefined();
      expect(out.patchStatus).toBe(200);
      expect(out.patched).toMatchObject({ hash: DOCS_HASH, name: 'Renamed from the browser', limit: 42 });
      expect(out.read).toEqual(out.patched);
      expect(out.badStatus).toBe(400);
      expect(out.badBody.error.code).toBe(400);
      expect(out.badBody.error.message).toContain('"limit"');
      expect(out.deleteStatus).toBe(200);
      expect(out.mockServer).toMatch(/^openrouter-keys-mock\//);
      // The mock saw the browser's requests (preflights are answered before the API and not journalled).
      const sent = await mock.requests({ hash: DOCS_HASH });
      expect(sent.map((r) => r.method).reverse()).toEqual(['PATCH', 'GET', 'PATCH', 'DELETE']);
    } finally {
      await browser.close();
    }
  });
});
