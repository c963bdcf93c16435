import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MockServer } from '../../src/server.js';
import { DOCS_HASH } from '../helpers/build.js';
import { canRun, keyRow, launch, openInspector, resetMock, startMock } from './inspector-harness.js';

/**
 * The inspector's own reads stay out of the app's way: it reads keys through the control plane,
 * so a test's journal, its `times: 1` fault rules and `--latency` see only the app's requests.
 */
describe.runIf(canRun)('the inspector’s reads (headless Chromium)', () => {
  let mock: MockServer;
  let origin: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ mock, origin } = await startMock({ latency: '200' }));
    browser = await launch();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await mock?.close();
  });
  beforeEach(async () => {
    await resetMock(mock);
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });
  afterEach(async () => {
    await page?.close();
  });

  it('with --latency and a times: 1 fault rule, opening the page and following events journals no read and leaves the rule unused', async () => {
    const rule = await mock.fault({ match: { method: 'GET', path: '/keys' }, status: 503, times: 1 });
    await openInspector(page, origin);
    // A few events, each of which makes the page read the keys again.
    await mock.recordUsage(DOCS_HASH, 1);
    await expect.poll(() => keyRow(page, 'My Production Key').locator('[data-window="daily"]').textContent(), { timeout: 2_000 }).toBe('$26.50');
    await mock.clock.advance('15m');
    await expect.poll(() => keyRow(page, 'My Production Key').locator('[data-window="daily"]').textContent(), { timeout: 2_000 }).toBe('$0.00');
    await mock.recordUsage(DOCS_HASH, 2);
    await expect.poll(() => keyRow(page, 'My Production Key').locator('[data-window="daily"]').textContent(), { timeout: 2_000 }).toBe('$2.00');

    expect(await mock.requests()).toEqual([]);
    expect((await mock.faults()).find((r) => r.id === rule.id)).toMatchObject({ remaining: 1, hits: 0 });
  });
});
