import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MockServer } from '../../src/server.js';
import { DOCS_HASH, MANAGEMENT_KEY } from '../helpers/build.js';
import { canRun, keyRow, launch, openInspector, resetMock, startMock } from './inspector-harness.js';

/**
 * The inspector in headless Chromium against a real server: it shows the keys, follows changes made
 * by other clients as they happen, and edits through the real API and the control plane.
 */
describe.runIf(canRun)('the inspector (headless Chromium)', () => {
  let mock: MockServer;
  let origin: string;
  let browser: Browser;
  let page: Page;
  const auth = { authorization: `Bearer ${MANAGEMENT_KEY}` };

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
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });
  afterEach(async () => {
    await page?.close();
  });

  it('lands on /__mock/ui/ from / and shows the default dataset as rows of a table', async () => {
    await openInspector(page, origin);
    expect(new URL(page.url()).pathname).toBe('/__mock/ui/');
    const table = page.getByRole('table', { name: /^Keys/ });
    const headers = await table.getByRole('columnheader').allTextContents();
    expect(headers).toEqual(['Name', 'State', 'Limit', 'Remaining', 'Today', 'Week', 'Month', 'Total', 'A chat call gets', 'Created, updated']);
    // Every key of the default workspace, disabled ones included: 24 of the 25 (one is in the second workspace).
    const listed = (await (await fetch(`${mock.url}/keys?include_disabled=true`, { headers: auth })).json()) as { data: { name: string }[] };
    expect(await table.getByRole('row').count()).toBe(listed.data.length + 1);
    const docs = keyRow(page, 'My Production Key');
    await expect.poll(() => docs.getByRole('cell').nth(3).textContent()).toContain('$74.50');
    expect(await docs.getByRole('cell').nth(1).textContent()).toBe('Active');
    expect(await keyRow(page, 'Old CI key').getByRole('cell').nth(1).textContent()).toContain('Disabled');
  });

  it('shows another client’s PATCH within a second, in the table and in the journal, without a reload', async () => {
    await openInspector(page, origin);
    const response = await fetch(`${mock.url}/keys/${DOCS_HASH}`, {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Renamed by another client' }),
    });
    expect(response.status).toBe(200);
    await keyRow(page, 'Renamed by another client').waitFor({ timeout: 1_000 });
    const journal = page.getByRole('table', { name: /requests/ });
    const patchRow = journal.getByRole('row').filter({ hasText: 'PATCH' });
    await patchRow.first().waitFor({ timeout: 1_000 });
    expect(await patchRow.first().textContent()).toContain('200');
    // The request body, on click.
    await patchRow.first().getByRole('button').click();
    // The request's body (the answer's, which has the name too, is shown below it).
    await journal.getByText('"name": "Renamed by another client"').first().waitFor({ timeout: 1_000 });
  });

  it('edits a key’s limit through the real PATCH: the API returns it and the journal holds the request', async () => {
    await openInspector(page, origin);
    await keyRow(page, 'My Production Key').getByRole('button', { name: 'My Production Key' }).click();
    const dialog = page.getByRole('dialog', { name: 'My Production Key' });
    await dialog.getByLabel(/^Limit/).fill('150');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Saved "My Production Key"' }).waitFor({ timeout: 2_000 });

    const read = (await (await fetch(`${mock.url}/keys/${DOCS_HASH}`, { headers: auth })).json()) as { data: { limit: number; limit_remaining: number } };
    expect(read.data.limit).toBe(150);
    expect(read.data.limit_remaining).toBe(124.5);
    const journalled = (await (await fetch(`${origin}/__mock/requests?method=PATCH&hash=${DOCS_HASH}`)).json()) as { data: unknown[] };
    // Only the field that changed was sent.
    expect(journalled.data).toMatchObject([{ method: 'PATCH', status: 200, body: { limit: 150 } }]);
    // The table follows (through the `keys` event).
    await expect.poll(() => keyRow(page, 'My Production Key').getByRole('cell').nth(2).textContent()).toContain('$150.00');
  });

  it('records usage and deletes a key from its panel', async () => {
    await openInspector(page, origin);
    await keyRow(page, 'My Production Key').getByRole('button', { name: 'My Production Key' }).click();
    const dialog = page.getByRole('dialog', { name: 'My Production Key' });
    await dialog.getByLabel('Amount (USD)').fill('4.5');
    await dialog.getByRole('button', { name: 'Record' }).click();
    await expect.poll(() => keyRow(page, 'My Production Key').locator('[data-window="daily"]').textContent()).toBe('$30.00');
    await dialog.getByRole('button', { name: 'Delete key…' }).click();
    await dialog.getByRole('button', { name: /for good/ }).click();
    await keyRow(page, 'My Production Key').waitFor({ state: 'detached', timeout: 2_000 });
    expect((await fetch(`${mock.url}/keys/${DOCS_HASH}`, { headers: auth })).status).toBe(404);
    expect((await mock.requests({ method: 'DELETE', hash: DOCS_HASH })).length).toBe(1);
  });

  it('advances the virtual clock past midnight UTC: the daily usage shown drops to 0', async () => {
    await openInspector(page, origin);
    const daily = keyRow(page, 'My Production Key').locator('[data-window="daily"]');
    expect(await daily.textContent()).toBe('$25.50');
    const monthly = keyRow(page, 'My Production Key').locator('[data-window="monthly"]');
    await page.getByText('Clock 2026-01-14 23:50:00 UTC').click();
    await page.getByLabel('Advance by').fill('15m');
    await page.getByRole('button', { name: 'Advance', exact: true }).click();
    await expect.poll(() => daily.textContent(), { timeout: 2_000 }).toBe('$0.00');
    // Only the day rolled over: the month keeps its spend.
    expect(await monthly.textContent()).toBe('$25.50');
    await page.getByText('Clock 2026-01-15 00:05:00 UTC').waitFor({ timeout: 1_000 });
    expect((await mock.clock.now()).now).toBe('2026-01-15T00:05:00.000Z');
  });

  it('adds a 429 fault that the next API call meets, and removes it', async () => {
    await openInspector(page, origin);
    await page.locator('summary', { hasText: 'Faults' }).click();
    const form = page.getByRole('group', { name: 'Add a fault' });
    await form.getByLabel('Method').selectOption('GET');
    await form.getByLabel('Path').fill('/keys');
    await form.getByLabel('Status', { exact: true }).fill('429');
    await form.getByRole('button', { name: 'Add fault' }).click();
    const rule = page.locator('.rules li', { hasText: 'GET /keys → 429 (every time)' });
    await rule.getByText('0 hits').waitFor({ timeout: 1_000 });

    const faulted = await fetch(`${mock.url}/keys`, { headers: auth });
    expect(faulted.status).toBe(429);
    expect(faulted.headers.get('retry-after')).toBe('1');
    // The page follows the rule's hits (a `faults` event).
    await rule.getByText('1 hit, last').waitFor({ timeout: 1_000 });

    await page.getByRole('button', { name: /^Remove fault/ }).click();
    await page.getByText('No fault rules').waitFor({ timeout: 1_000 });
    expect((await fetch(`${mock.url}/keys`, { headers: auth })).status).toBe(200);
  });

  it('creates an account, showing its management key once, and lists its (empty) keys', async () => {
    await openInspector(page, origin);
    await page.locator('summary', { hasText: 'Accounts' }).click();
    await page.getByRole('button', { name: 'Create account' }).click();
    const shown = page.getByLabel(/Management key of acct_.* \(shown once\)/);
    await shown.waitFor({ timeout: 2_000 });
    const key = await shown.inputValue();
    expect(key).toMatch(/^sk-or-v1-[0-9a-f]{64}$/);
    // The new account is chosen, and the page reads its keys with that key.
    await page.getByText('No keys on this page').waitFor({ timeout: 2_000 });
    const accounts = (await (await fetch(`${origin}/__mock/accounts`)).json()) as { data: { id: string }[] };
    expect(accounts.data).toHaveLength(2);
    expect(await page.getByLabel('Account').inputValue()).toBe(accounts.data[1]!.id);
    expect((await fetch(`${mock.url}/keys`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
  });

  it('loads a scenario into the account and resets the mock', async () => {
    await openInspector(page, origin);
    await page.locator('summary', { hasText: 'Scenarios and state' }).click();
    await page.getByLabel('Scenario').selectOption('empty');
    await page.getByRole('button', { name: 'Load into this account…' }).click();
    await page.getByRole('button', { name: 'Replace the keys' }).click();
    await page.getByText('No keys on this page').waitFor({ timeout: 2_000 });
    await page.getByRole('button', { name: 'Reset…' }).click();
    await page.getByRole('button', { name: 'Reset everything' }).click();
    await keyRow(page, 'My Production Key').waitFor({ timeout: 2_000 });
  });

  it('exports the state as a file and imports it back', async () => {
    await openInspector(page, origin);
    await page.locator('summary', { hasText: 'Scenarios and state' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export state' }).click()]);
    const exported = await readFile((await download.path())!, 'utf8');
    // The export carries the clock and the fault rules too.
    expect(exported).toBe(await (await fetch(`${origin}/__mock/state?include=clock,faults`)).text());

    await mock.scenario('empty');
    await page.getByText('No keys on this page').waitFor({ timeout: 2_000 });
    await page.getByLabel('Import state').setInputFiles({ name: 'state.json', mimeType: 'application/json', buffer: Buffer.from(exported) });
    await page.getByRole('button', { name: 'Replace with the file' }).click();
    await keyRow(page, 'My Production Key').waitFor({ timeout: 2_000 });
    expect(await (await fetch(`${origin}/__mock/state?include=clock,faults`)).text()).toBe(exported);
  });

  it('pages like the API, 100 keys a page, and filters the page shown by name and state', async () => {
    await mock.scenario('many-keys');
    await openInspector(page, origin);
    const rows = page.getByRole('table', { name: /^Keys/ }).getByRole('row');
    await page.getByText(/^Keys 1–100 of [\d,]+ in workspace/).waitFor({ timeout: 2_000 });
    expect(await rows.count()).toBe(101);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText(/^Keys 101–200 of [\d,]+ in workspace/).waitFor({ timeout: 2_000 });
    expect(await page.locator('.pager span').allTextContents()).toEqual([expect.stringMatching(/^Page 2 of \d+$/)]);

    await page.getByRole('combobox', { name: /^State/ }).selectOption('disabled');
    await page.getByText('on this page in that state', { exact: false }).waitFor();
    const shown = await rows.count();
    expect(shown).toBeGreaterThan(1);
    expect(shown).toBeLessThan(101);
    for (const cell of await page.locator('.keys-table tbody tr td:nth-child(2)').allTextContents()) expect(cell).toContain('Disabled');
    await page.getByRole('combobox', { name: /^State/ }).selectOption('all');
    // The search is the server's, over the whole workspace: nothing starts with this.
    await page.getByRole('searchbox', { name: 'Search', exact: true }).fill('zzz-no-such-key');
    await page.getByText('No key of workspace', { exact: false }).waitFor({ timeout: 2_000 });
    expect(await page.locator('.keys-table tbody tr').count()).toBe(0);
  });
});
