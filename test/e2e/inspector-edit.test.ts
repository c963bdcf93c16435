import { createHash } from 'node:crypto';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KeyView } from '../../src/domain/types.js';
import type { MockServer } from '../../src/server.js';
import { MANAGEMENT_KEY } from '../helpers/build.js';
import { canRun, keyRow, launch, openInspector, resetMock, startMock } from './inspector-harness.js';

/** The key dialog shows the key as it is and sends only what the person changed. */
describe.runIf(canRun)('the inspector’s key dialog (headless Chromium)', () => {
  let mock: MockServer;
  let origin: string;
  let browser: Browser;
  let page: Page;
  let patches: unknown[];
  let monthly: KeyView;

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
    const listed = (await (await fetch(`${mock.url}/keys`, { headers: { authorization: `Bearer ${MANAGEMENT_KEY}` } })).json()) as { data: KeyView[] };
    monthly = listed.data.find((key) => key.limit_reset === 'monthly' && key.limit !== null)!;
    expect(monthly).toBeDefined();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    patches = [];
    page.on('request', (request: Request) => {
      if (request.method() === 'PATCH') patches.push(request.postDataJSON());
    });
  });
  afterEach(async () => {
    await page?.close();
  });

  async function openDialog() {
    await openInspector(page, origin);
    await keyRow(page, monthly.name).getByRole('button', { name: monthly.name, exact: true }).click();
    return page.getByRole('dialog', { name: monthly.name });
  }

  it('shows the key’s reset window; changing only the limit sends only the limit and keeps the reset', async () => {
    const dialog = await openDialog();
    expect(await dialog.getByLabel('Reset').inputValue()).toBe('monthly');
    await dialog.getByLabel(/^Limit/).fill('120');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Saved' }).waitFor({ timeout: 2_000 });
    expect(patches).toEqual([{ limit: 120 }]);
    const read = (await (await fetch(`${mock.url}/keys/${monthly.hash}`, { headers: { authorization: `Bearer ${MANAGEMENT_KEY}` } })).json()) as { data: KeyView };
    expect(read.data).toMatchObject({ limit: 120, limit_reset: 'monthly' });
  });

  it('renaming sends only the name; saving with nothing changed sends no PATCH', async () => {
    const dialog = await openDialog();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Nothing changed' }).waitFor({ timeout: 2_000 });
    expect(patches).toEqual([]);
    await dialog.getByLabel('Name').fill('Renamed in the dialog');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Saved' }).waitFor({ timeout: 2_000 });
    expect(patches).toEqual([{ name: 'Renamed in the dialog' }]);
    expect((await mock.requests({ method: 'PATCH' })).map((entry) => entry.body)).toEqual([{ name: 'Renamed in the dialog' }]);
  });

  it('a mistyped management key for an imported account is refused, forgotten and asked for again; a key can be forgotten', async () => {
    // An imported account: the state document holds only its key's hash, so the page must ask for the key.
    const importedKey = `sk-or-v1-${'ab'.repeat(32)}`;
    const created = await mock.createAccount({ scenario: 'near-limit' });
    const state = await mock.state();
    const original = state.accounts.find((account) => account.id === created.id)!;
    const imported = { ...original, id: 'acct_imported', management_key: { ...original.management_key, hash: createHash('sha256').update(importedKey).digest('hex') } };
    await mock.load({ accounts: [state.accounts[0]!, imported] });
    const name = imported.keys[0]!.name;

    await openInspector(page, origin);
    await page.getByLabel('Account').selectOption('acct_imported');
    // Its keys show without the key (the page reads through the control plane); edits need it.
    await keyRow(page, name).waitFor({ timeout: 2_000 });
    await page.getByLabel('Management key').fill(`sk-or-v1-${'00'.repeat(32)}`);
    await page.getByRole('button', { name: 'Use it' }).click();

    await keyRow(page, name).getByRole('button', { name, exact: true }).click();
    const dialog = page.getByRole('dialog', { name });
    await dialog.getByLabel('Name').fill('Renamed with the wrong key');
    await dialog.getByRole('button', { name: 'Save' }).click();
    // Refused: the dialog closes and the prompt is back, saying why.
    await page.getByRole('alert').filter({ hasText: 'The API refused the key you pasted (401)' }).waitFor({ timeout: 2_000 });
    expect(await dialog.count()).toBe(0);
    expect(await page.evaluate('sessionStorage.getItem("openrouter-keys-mock.management-key.acct_imported")')).toBeNull();

    await page.getByLabel('Management key').fill(importedKey);
    await page.getByRole('button', { name: 'Use it' }).click();
    await keyRow(page, name).getByRole('button', { name, exact: true }).click();
    await dialog.getByLabel('Name').fill('Renamed with the right key');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Saved' }).waitFor({ timeout: 2_000 });
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(patches).toEqual([{ name: 'Renamed with the wrong key' }, { name: 'Renamed with the right key' }]);

    await page.getByRole('button', { name: 'Forget the pasted key' }).click();
    await page.getByLabel('Management key').waitFor({ timeout: 2_000 });
    expect(await page.evaluate('sessionStorage.getItem("openrouter-keys-mock.management-key.acct_imported")')).toBeNull();
  });
});
