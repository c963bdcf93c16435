import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockServer, type MockServer } from '../../src/server.js';
import { TEST_NOW } from '../helpers/build.js';
import { hasChromium, launchChromium, warnIfNoChromium } from '../helpers/chromium.js';

/**
 * A page on another origin (another localhost port) tries what a hostile page would: simple
 * `no-cors` POSTs that wipe the state and create an account, and CORS reads of the state and the
 * event stream. The browser sends them as it sends them to any local server; the mock must refuse
 * every one and change nothing — while the same requests from its own origin still work.
 */
warnIfNoChromium('control-origin test');

const PAGE = `<!doctype html>
<html><body><pre id="out">running</pre>
<script type="module">
  const mock = new URLSearchParams(location.search).get('mock');
  const out = {};
  const attempt = async (name, url, init) => {
    try {
      const res = await fetch(mock + url, init);
      out[name] = res.type === 'opaque' ? 'opaque' : res.status + ' ' + (await res.text());
    } catch (error) {
      out[name] = 'refused: ' + error.name;
    }
  };
  await attempt('wipe', '/__mock/scenarios/empty', { method: 'POST', mode: 'no-cors', body: '{}' });
  await attempt('account', '/__mock/accounts', { method: 'POST', mode: 'no-cors', body: '{}' });
  await attempt('state', '/__mock/state', {});
  await attempt('events', '/__mock/events', {});
  document.getElementById('out').textContent = JSON.stringify(out);
</script></body></html>`;

describe.runIf(hasChromium)('a page on another origin, in a real browser (headless Chromium)', () => {
  let mock: MockServer;
  let page: Server;
  let pageOrigin: string;

  beforeAll(async () => {
    mock = await createMockServer({ port: 0, now: TEST_NOW });
    page = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    pageOrigin = `http://localhost:${(page.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await mock?.close();
    await new Promise((resolve) => page?.close(resolve));
  });

  it('cannot wipe the state, create an account, or read the state or the events', async () => {
    const before = JSON.stringify(await mock.state());
    const seen: { url: string; status: number }[] = [];
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      tab.on('response', (response) => seen.push({ url: response.url(), status: response.status() }));
      await tab.goto(`${pageOrigin}/?${new URLSearchParams({ mock: mock.origin })}`);
      await tab.waitForFunction("document.getElementById('out')?.textContent !== 'running'", undefined, { timeout: 15_000 });
      const out = JSON.parse((await tab.textContent('#out'))!) as Record<string, string>;
      // The no-cors answers are opaque to the page; the CORS reads fail for it.
      expect(out).toEqual({ wipe: 'opaque', account: 'opaque', state: 'refused: TypeError', events: 'refused: TypeError' });
      // What the mock answered, where the browser reports it (the no-cors POSTs): 403.
      const control = seen.filter((r) => r.url.includes('/__mock/'));
      expect(control.length).toBeGreaterThanOrEqual(2);
      for (const response of control) expect(response.status, response.url).toBe(403);
      // A page on the mock's own origin (as the inspector is) still may.
      await tab.goto(`${mock.origin}/__mock/health`);
      const created = await tab.evaluate(async () => (await fetch('/__mock/accounts', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status);
      expect(created).toBe(201);
    } finally {
      await browser.close();
    }
    const after = await mock.state();
    expect(after.accounts).toHaveLength(2); // only the same-origin create
    expect(JSON.stringify({ ...after, accounts: after.accounts.slice(0, 1) })).toBe(before);
  });
});
