import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_HASH } from '../helpers/build.js';
import { hasChromium, launchChromium, warnIfNoChromium } from '../helpers/chromium.js';
import { GENERATED, pointedAtSource, readmeMswExamples, ROOT } from '../msw/readme-examples.js';

/**
 * MSW in a real browser: a page built with Vite whose module is the README's browser example
 * (`setupWorker` with the mock's handlers, the package import pointed at src/) starts the service
 * worker; the page's own fetch() then PATCHes a key on https://openrouter.ai and reads it back, and
 * the worker answers both in the page. Chromium resolves no host but 127.0.0.1, so nothing can leave
 * the machine: the openrouter.ai answers can only come from the worker.
 * Uses Debian's Chromium (installed by .ci/run), driven by playwright-core; never a browser download.
 */
warnIfNoChromium('MSW browser test');

const PAGE_SOURCE = join(ROOT, 'test', 'e2e', 'msw-page');
const PAGE_ROOT = join(GENERATED, 'msw-page');
const PAGE_OUT = join(GENERATED, 'msw-page-dist');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** The page's files, then a Vite production build of them (what an app's bundler would make). */
async function buildPage(): Promise<void> {
  rmSync(PAGE_ROOT, { recursive: true, force: true });
  mkdirSync(join(PAGE_ROOT, 'public'), { recursive: true });
  for (const file of ['index.html', 'main.js']) copyFileSync(join(PAGE_SOURCE, file), join(PAGE_ROOT, file));
  writeFileSync(join(PAGE_ROOT, 'mocks.ts'), pointedAtSource(readmeMswExamples().browser, PAGE_ROOT));
  // The worker script of the installed msw, served from the site's root (what `npx msw init` copies).
  copyFileSync(join(ROOT, 'node_modules', 'msw', 'lib', 'mockServiceWorker.js'), join(PAGE_ROOT, 'public', 'mockServiceWorker.js'));
  const { build } = await import('vite');
  await build({
    root: PAGE_ROOT,
    configFile: false,
    logLevel: 'silent',
    build: { outDir: PAGE_OUT, emptyOutDir: true, target: 'es2022' },
  });
}

/** A static server for the build on 127.0.0.1 (a secure context, as service workers need). */
function serve(dir: string): Server {
  return createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const file = join(dir, normalize(path === '/' ? '/index.html' : path));
    if (!file.startsWith(dir) || !existsSync(file)) return response.writeHead(404).end();
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
}

describe.runIf(hasChromium)('MSW in a real browser (headless Chromium, setupWorker)', () => {
  let site: Server;
  let origin: string;

  beforeAll(async () => {
    await buildPage();
    site = serve(PAGE_OUT);
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
  }, 60_000);
  afterAll(async () => {
    await new Promise((resolve) => site?.close(resolve));
  });

  it("the page's own fetch() updates a key on https://openrouter.ai and reads it back, answered by the worker", async () => {
    // No name resolves but the page's own address: a request that escaped the worker would fail.
    const browser = await launchChromium(['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1']);
    try {
      const tab = await browser.newPage();
      const openrouter: { url: string; fromWorker: boolean }[] = [];
      const elsewhere: string[] = [];
      tab.on('response', (response) => {
        const url = new URL(response.url());
        if (url.hostname === 'openrouter.ai') openrouter.push({ url: url.pathname, fromWorker: response.fromServiceWorker() });
        else if (url.hostname !== '127.0.0.1') elsewhere.push(response.url());
      });
      await tab.goto(`${origin}/?hash=${DOCS_HASH}`);
      await tab.waitForFunction("document.getElementById('out')?.textContent !== 'running'", undefined, { timeout: 15_000 });
      const out = JSON.parse((await tab.textContent('#out'))!) as Record<string, any>;

      expect(out.error).toBeUndefined();
      expect(out.patchStatus).toBe(200);
      expect(out.patched).toMatchObject({ hash: DOCS_HASH, name: 'Renamed in the browser', limit: 42 });
      expect(out.readStatus).toBe(200);
      expect(out.read).toEqual(out.patched);
      expect(out.mockServer).toMatch(/^openrouter-keys-mock\//);
      // The mock in the page saw exactly the page's two requests.
      expect(out.journal).toEqual([`GET /api/v1/keys/${DOCS_HASH} 200`, `PATCH /api/v1/keys/${DOCS_HASH} 200`]);
      // Both answers came from the service worker; nothing went to any other host.
      expect(openrouter).toEqual([
        { url: `/api/v1/keys/${DOCS_HASH}`, fromWorker: true },
        { url: `/api/v1/keys/${DOCS_HASH}`, fromWorker: true },
      ]);
      expect(elsewhere).toEqual([]);
      // The worker controls the page: it was MSW's, from the served root.
      expect(await tab.evaluate('navigator.serviceWorker.controller?.scriptURL')).toBe(`${origin}/mockServiceWorker.js`);
    } finally {
      await browser.close();
    }
  });
});
