import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MockServer } from '../../src/server.js';
import { canRun, keyRow, launch, openInspector, resetMock, startMock } from './inspector-harness.js';

/** The inspector in the states that are easy to forget: no account at all, and a failure while drawing. */
describe.runIf(canRun)('the inspector’s edge states (headless Chromium)', () => {
  let mock: MockServer;
  let origin: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ({ mock, origin } = await startMock());
    browser = await launch();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await mock?.close();
  });
  beforeEach(async () => {
    await resetMock(mock);
    pageErrors.length = 0;
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterEach(async () => {
    await page?.close();
  });

  it('with no account, says so and how to make one; creating one with a scenario shows its keys', async () => {
    await mock.load({ accounts: [] });
    await page.goto(`${origin}/__mock/ui/`);
    await page.getByRole('heading', { name: 'No accounts' }).waitFor({ timeout: 5_000 });
    await page.getByText('Events: Live').waitFor({ timeout: 5_000 });
    expect(await page.getByText('import a state document or reset the mock', { exact: false }).count()).toBe(1);
    await page.getByLabel('Scenario').first().selectOption('near-limit');
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByRole('table', { name: /^Keys/ }).getByRole('row').nth(1).waitFor({ timeout: 5_000 });
    expect((await mock.accounts()).length).toBe(1);
    expect(pageErrors).toEqual([]);
  });

  it('when every account goes away while it is open, it shows the empty state, not a blank page', async () => {
    await openInspector(page, origin);
    await mock.load({ accounts: [] });
    await page.getByRole('heading', { name: 'No accounts' }).waitFor({ timeout: 5_000 });
    await mock.reset();
    await keyRow(page, 'My Production Key').waitFor({ timeout: 5_000 });
    expect(pageErrors).toEqual([]);
  });

  it('a failure while drawing shows the error and a way back instead of a blank page', async () => {
    // An answer the page cannot draw: an account without its workspaces.
    await page.route('**/__mock/accounts', (route) =>
      route.fulfill({ contentType: 'application/json', body: JSON.stringify({ data: [{ id: 'acct_broken', keys: 0, workspace_ids: null }] }) }),
    );
    await page.goto(`${origin}/__mock/ui/`);
    const alert = page.getByRole('alert').filter({ hasText: 'The page hit an error' });
    await alert.waitFor({ timeout: 5_000 });
    expect(await alert.getByRole('button', { name: 'Try again' }).count()).toBe(1);
    // The rest of the page stays: the banner still says whether events flow.
    expect(await page.getByRole('heading', { name: /openrouter-keys-mock/ }).count()).toBe(1);
  });
});

describe.runIf(canRun)('the inspector with the journal off (headless Chromium)', () => {
  it('says the journal is off and how to turn it on, rather than "No API requests yet"', async () => {
    const { mock, origin } = await startMock({ journalSize: 0 });
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await openInspector(page, origin);
      const caption = page.locator('#journal-caption');
      await caption.getByText('The request journal is off (--journal-size 0)', { exact: false }).waitFor({ timeout: 5_000 });
      expect(await caption.textContent()).toContain('--journal-size N');
    } finally {
      await browser.close();
      await mock.close();
    }
  }, 30_000);
});
