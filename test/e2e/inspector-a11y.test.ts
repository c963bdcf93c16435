import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MockServer } from '../../src/server.js';
import { DOCS_HASH, MANAGEMENT_KEY } from '../helpers/build.js';
import { canRun, keyRow, launch, openInspector, resetMock, seriousViolations, startMock } from './inspector-harness.js';

/** Screenshots land here on every run (git-ignored); docs/ holds a committed copy. */
const SCREENSHOTS = new URL('../.generated/', import.meta.url);

/**
 * The inspector's accessibility at a desktop and a phone width: axe-core finds no serious or
 * critical violation (landmarks, labels, contrast, table semantics), also with every control
 * panel and a key's dialog open, and a phone never scrolls sideways.
 */
describe.runIf(canRun)('the inspector’s accessibility and layout (headless Chromium)', () => {
  let mock: MockServer;
  let origin: string;
  let browser: Browser;
  const auth = { authorization: `Bearer ${MANAGEMENT_KEY}` };

  beforeAll(async () => {
    ({ mock, origin } = await startMock());
    browser = await launch();
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await mock?.close();
  });
  beforeEach(() => resetMock(mock));

  /** A journal that shows a little of everything, in an order that does not depend on timing. */
  async function stageTraffic(page: Page): Promise<void> {
    await fetch(`${origin}/__mock/requests`, { method: 'DELETE' });
    await page.getByText('No API requests yet').waitFor({ timeout: 2_000 });
    await fetch(`${mock.url}/keys/${DOCS_HASH}`, {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ limit: 120 }),
    });
    // The page reloads its keys after the PATCH through the control plane: that read is not journalled.
    await page.getByText('1 of the newest 1 requests', { exact: false }).waitFor({ timeout: 2_000 });
    await fetch(`${mock.url}/keys/${'0'.repeat(64)}`, { headers: auth });
    await fetch(`${mock.url}/keys`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"name": ""}' });
    await page.getByText('3 of the newest 3 requests', { exact: false }).waitFor({ timeout: 2_000 });
  }

  /**
   * axe's color-contrast rule on every visible button of `scope` while it is hovered, then while it
   * has the keyboard focus: the states a plain axe run never sees. Returns what failed, as
   * "hover|focus <button text>".
   */
  async function buttonStateContrast(page: Page, scope: string): Promise<string[]> {
    const require = createRequire(import.meta.url);
    if (!(await page.evaluate<boolean>("'axe' in window"))) await page.addScriptTag({ path: require.resolve('axe-core') });
    const failed: string[] = [];
    const buttons = page.locator(`${scope} button:visible`);
    const count = await buttons.count();
    for (let i = 0; i < count; i++) {
      const button = buttons.nth(i);
      for (const state of ['hover', 'focus'] as const) {
        if (state === 'hover') await button.hover();
        else {
          await page.mouse.move(0, 0); // focus alone, not hover as well
          await button.focus();
        }
        // Page code as a string (the tests are type-checked without the DOM's types): the button in that state.
        const target = state === 'hover' ? "[...document.querySelectorAll('button:hover')].pop()" : 'document.activeElement';
        const violations = await page.evaluate<number>(`axe.run(${target}, { runOnly: ['color-contrast'] }).then((result) => result.violations.length)`);
        if (violations > 0) failed.push(`${state} ${(await button.textContent())?.trim()}`);
      }
    }
    await page.mouse.move(0, 0);
    return failed;
  }

  async function openEveryPanel(page: Page): Promise<void> {
    await page.evaluate("document.querySelectorAll('details').forEach((details) => { details.open = true; })");
  }

  it('at 1280×800: keys and journal side by side, no serious or critical axe violation', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await openInspector(page, origin);
      await stageTraffic(page);
      // Both visible at once: the journal beside the keys, not below them.
      const keys = await page.getByRole('region', { name: 'Keys', exact: true }).boundingBox();
      const journal = await page.getByRole('region', { name: 'Journal', exact: true }).boundingBox();
      expect(journal!.x).toBeGreaterThan(keys!.x + keys!.width - 1);
      expect(journal!.y).toBeLessThan(800);
      await page.screenshot({ path: new URL('inspector-1280.png', SCREENSHOTS).pathname });

      expect(await seriousViolations(page)).toEqual([]);
      await openEveryPanel(page);
      expect(await seriousViolations(page)).toEqual([]);
      await keyRow(page, 'My Production Key').getByRole('button', { name: 'My Production Key' }).click();
      await page.getByRole('dialog').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('at 390×844: keys or journal, a tap apart; no sideways scroll, no serious or critical axe violation', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
    try {
      await openInspector(page, origin);
      // One of keys and journal at a time (inspector-controls.test.ts tests the switch): the journal first, for its traffic.
      await page.getByRole('button', { name: /^Journal/ }).click();
      await stageTraffic(page);
      await page.getByRole('button', { name: 'Keys', exact: true }).click();
      await page.screenshot({ path: new URL('inspector-390.png', SCREENSHOTS).pathname });
      expect(await page.getByRole('region', { name: 'Keys', exact: true }).isVisible()).toBe(true);
      expect(await page.locator('#journal').isVisible()).toBe(false);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      expect(await seriousViolations(page)).toEqual([]);

      await openEveryPanel(page);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      expect(await seriousViolations(page)).toEqual([]);
      await keyRow(page, 'My Production Key').getByRole('button', { name: 'My Production Key' }).click();
      await page.getByRole('dialog').waitFor();
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('keeps 4.5:1 contrast on buttons while hovered and focused, destructive ones included', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await openInspector(page, origin);
      await openEveryPanel(page);
      await page.getByRole('button', { name: 'Reset…' }).click();
      await page.getByRole('button', { name: 'Reset everything' }).waitFor();
      // The key names are link buttons, one style: the first stands for them all.
      await page.evaluate("document.querySelectorAll('tbody button.link').forEach((b, i) => { if (i > 0) b.style.display = 'none'; })");
      expect(await buttonStateContrast(page, '.controls')).toEqual([]);
      expect(await buttonStateContrast(page, '.layout')).toEqual([]);
      await page.evaluate("document.querySelectorAll('tbody button.link').forEach((b) => { b.style.display = ''; })");
      await keyRow(page, 'My Production Key').getByRole('button', { name: 'My Production Key' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete key…' }).click();
      await page.getByRole('dialog').getByRole('button', { name: /for good/ }).waitFor();
      expect(await buttonStateContrast(page, 'dialog')).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('labels every control and shows where the keyboard focus is', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await openInspector(page, origin);
      await openEveryPanel(page);
      // Page code as a string: the tests are type-checked without the DOM's types.
      const unlabelled = await page.evaluate<string[]>(`[...document.querySelectorAll('input, select, textarea, button')]
        .filter((element) => {
          const labelled = element.labels?.length || element.getAttribute('aria-label') || element.getAttribute('aria-labelledby');
          return element.tagName === 'BUTTON' ? element.textContent.trim() === '' && !labelled : !labelled;
        })
        .map((element) => element.outerHTML)`);
      expect(unlabelled).toEqual([]);
      // Landmarks: the banner, the main content, and the live region for status messages.
      expect(await page.getByRole('banner').count()).toBe(1);
      expect(await page.getByRole('main').count()).toBe(1);
      expect(await page.getByRole('status').count()).toBe(1);
      await page.keyboard.press('Tab');
      const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
      expect(outline).not.toBe('none');
    } finally {
      await page.close();
    }
  });
});
