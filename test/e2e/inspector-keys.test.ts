import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { KeyView } from '../../src/domain/types.js';
import { MANAGEMENT_KEY } from '../helpers/build.js';
import { canRun, inspectorSuite, keyRow, openInspector, seriousViolations } from './inspector-harness.js';

/**
 * The inspector's keys (issues 20 and 21): each key's spend moving live as chat completions are
 * charged, with what a chat completion with it would get now; search by name, label or hash over
 * the whole workspace with a total, pages to jump to, the orders the listing has, the row that
 * just changed highlighted, and a key's own history with each PATCH's before and after.
 */

const asManager = { authorization: `Bearer ${MANAGEMENT_KEY}`, 'content-type': 'application/json' };

async function createKey(apiUrl: string, body: Record<string, unknown>): Promise<{ data: KeyView; key: string }> {
  const res = await fetch(`${apiUrl}/keys`, { method: 'POST', headers: asManager, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return (await res.json()) as { data: KeyView; key: string };
}

async function chat(apiUrl: string, key: string): Promise<Response> {
  return fetch(`${apiUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Hello' }] }),
  });
}

const table = (page: Page) => page.getByRole('table', { name: /^Keys/ });
const caption = (page: Page) => page.locator('#keys-caption');

describe.runIf(canRun)('the inspector’s keys: live spend and the refusal a customer would get (headless Chromium)', () => {
  const suite = inspectorSuite();

  it('shows a key’s spend moving as chat calls are charged, highlights the row, and the refusal as the chat route answers it', async () => {
    const { mock, page } = suite;
    const { data, key } = await createKey(mock.url, { name: 'Live spender', limit: 0.0101, limit_reset: 'daily' });
    // Every chat call with this key costs $0.004: three do not fit a $0.0101 daily limit.
    await mock.completion({ match: { key: data.hash }, cost: 0.004 });
    await openInspector(page, suite.origin);
    const row = keyRow(page, 'Live spender');
    const today = row.locator('[data-window="daily"]');
    const admission = row.locator('[data-admission]');
    expect(await today.textContent()).toBe('$0.00');
    expect(await admission.textContent()).toBe('accepted');

    expect((await chat(mock.url, key)).status).toBe(200);
    await expect.poll(() => today.textContent(), { timeout: 3_000 }).toBe('$0.0040');
    await expect.poll(() => row.getAttribute('class'), { timeout: 3_000 }).toContain('changed');
    expect((await chat(mock.url, key)).status).toBe(200);
    await expect.poll(() => today.textContent(), { timeout: 3_000 }).toBe('$0.0080');
    // $0.0021 left: the next call does not fit, and the row says what the chat route answers.
    const refusal = await chat(mock.url, key);
    expect(refusal.status).toBe(402);
    const refusalMessage = ((await refusal.json()) as { error: { message: string } }).error.message;
    await expect.poll(() => admission.textContent(), { timeout: 3_000 }).toBe(`402 ${refusalMessage}`);
    // Used up entirely: the observed 403.
    await mock.recordUsage(data.hash, 1);
    await expect.poll(() => admission.textContent(), { timeout: 3_000 }).toBe('403 Key limit exceeded (daily limit)');
    expect((await chat(mock.url, key)).status).toBe(403);

    // The dialog: state, remaining limit, usage per window and the same refusal, live.
    await row.getByRole('button', { name: 'Live spender', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Live spender' });
    expect(await dialog.locator('[data-remaining]').textContent()).toBe('$0.00');
    expect(await dialog.locator('[data-window="usage_daily"]').textContent()).toBe('$1.01');
    expect(await dialog.locator('[data-admission]').textContent()).toBe('403 Key limit exceeded (daily limit)');
    await dialog.getByText('At limit', { exact: true }).waitFor({ timeout: 2_000 });
    // Past midnight the daily window resets: the same key is accepted again, in the dialog too.
    await mock.clock.advance('15m');
    await expect.poll(() => dialog.locator('[data-admission]').textContent(), { timeout: 3_000 }).toBe('accepted');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('a key’s history: its journal entries, each PATCH with its before and after', async () => {
    const { page } = suite;
    await openInspector(page, suite.origin);
    await keyRow(page, 'My Production Key').getByRole('button', { name: 'My Production Key', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'My Production Key' });
    await dialog.getByLabel(/^Limit/).fill('7');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Saved' }).waitFor({ timeout: 2_000 });
    await dialog.getByLabel(/^Limit/).fill('9');
    await dialog.getByLabel('Reset').selectOption('weekly');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Saved "My Production Key" (PATCH limit, limit_reset)' }).waitFor({ timeout: 2_000 });
    const history = dialog.getByRole('region', { name: /^History/ }).or(dialog.locator('.key-history'));
    const entries = history.locator('li');
    await expect.poll(() => entries.count(), { timeout: 3_000 }).toBe(2);
    // Newest first: 7 → 9 (limit) and the reset's first change, whose before is older than the journal.
    const newest = entries.nth(0);
    expect(await newest.textContent()).toContain('PATCH');
    const rows = newest.getByRole('row');
    expect(await rows.filter({ hasText: 'limit_reset' }).locator('td').allTextContents()).toEqual(['(before the journal)', '"weekly"']);
    expect(await rows.filter({ hasText: /^limit7/ }).locator('td').allTextContents()).toEqual(['7', '9']);
    expect(await entries.nth(1).getByRole('row').filter({ hasText: /^limit/ }).locator('td').allTextContents()).toEqual(['(before the journal)', '7']);
    // The dialog open, with state, history and diffs: axe-core finds nothing serious.
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('after a key is deleted, the focus goes to the next row’s name (not the page body), else the previous one', async () => {
    const { page } = suite;
    await openInspector(page, suite.origin);
    const names = table(page).locator('tbody tr td.name button.link');
    const count = await names.count();
    expect(count).toBeGreaterThan(2);
    const [first, second] = [await names.nth(0).textContent(), await names.nth(1).textContent()];
    const last = [await names.nth(count - 2).textContent(), await names.nth(count - 1).textContent()];
    const remove = async (name: string) => {
      await keyRow(page, name).getByRole('button', { name, exact: true }).click();
      const dialog = page.getByRole('dialog', { name });
      await dialog.getByRole('button', { name: 'Delete key…' }).click();
      await dialog.getByRole('button', { name: /for good/ }).click();
      await keyRow(page, name).waitFor({ state: 'detached', timeout: 3_000 });
    };
    // A string, not a function: the tests compile without the DOM library.
    const focused = () => page.evaluate<string | null>("document.activeElement instanceof HTMLButtonElement ? document.activeElement.textContent : (document.activeElement?.tagName ?? null)");
    await remove(first!);
    await expect.poll(focused, { timeout: 3_000 }).toBe(second);
    // The last row has no next one: the row before it.
    await remove(last[1]!);
    await expect.poll(focused, { timeout: 3_000 }).toBe(last[0]);
  });
});

describe.runIf(canRun)('the inspector’s keys at 5,000: search, total, pages and orders (headless Chromium)', () => {
  const suite = inspectorSuite({ keys: 5000 });

  async function firstNames(page: Page, count = 3): Promise<string[]> {
    const names = await table(page).locator('tbody td.name button').allTextContents();
    return names.slice(0, count);
  }

  it('searches the whole workspace by name, label or hash, server-side, with the total', async () => {
    const { mock, page } = suite;
    const account = (await mock.accounts())[0]!;
    // A key from deep in the listing (page 31), far from the page shown.
    const deep = (await mock.keySearch(account.id, { offset: 3000 })).keys[0]!;
    const prefix = deep.name.slice(0, 4);
    const expected = await mock.keySearch(account.id, { q: prefix });
    const { total } = await mock.keySearch(account.id);
    // 5,000 keys, most of them in the default workspace.
    expect(total).toBeGreaterThan(4000);
    await openInspector(page, suite.origin);
    expect(await caption(page).textContent()).toContain(`of ${total.toLocaleString('en')} in workspace`);
    const started = Date.now();
    await page.getByLabel('Search', { exact: true }).fill(prefix);
    await caption(page).getByText(`of ${expected.total.toLocaleString('en')} whose name starts with "${prefix}"`, { exact: false }).waitFor({ timeout: 3_000 });
    const searchMs = Date.now() - started;
    console.log(`search at 5,000 keys: ${expected.total} matches shown in ${searchMs} ms (typing pause included)`);
    expect(await firstNames(page, 100)).toEqual(expected.keys.map((k) => k.name));
    expect(await table(page).locator('tbody tr').count()).toBe(Math.min(100, expected.total));
    // By hash and by label: exactly the one key.
    await page.getByLabel('Search in').selectOption('hash');
    await page.getByLabel('Search', { exact: true }).fill(deep.hash.slice(0, 12));
    await caption(page).getByText('of 1 whose hash starts with', { exact: false }).waitFor({ timeout: 3_000 });
    expect(await firstNames(page, 1)).toEqual([deep.name]);
    await page.getByLabel('Search in').selectOption('label');
    await page.getByLabel('Search', { exact: true }).fill(deep.label.toUpperCase());
    await caption(page).getByText('whose label starts with', { exact: false }).waitFor({ timeout: 3_000 });
    expect(await table(page).locator('tbody tr').first().getAttribute('data-hash')).toBe((await mock.keySearch(account.id, { q: deep.label, field: 'label' })).keys[0]!.hash);
    // Nothing matches: said in words.
    await page.getByLabel('Search', { exact: true }).fill('zzzz-no-such-label');
    await caption(page).getByText('No key of workspace', { exact: false }).waitFor({ timeout: 3_000 });
  });

  it('jumps to a page of the total, sorts oldest first, and highlights the row a PATCH just changed', async () => {
    const { mock, page } = suite;
    const account = (await mock.accounts())[0]!;
    const { total } = await mock.keySearch(account.id);
    const pages = Math.ceil(total / 100);
    const shownTotal = total.toLocaleString('en');
    await openInspector(page, suite.origin);
    await page.getByText(`Page 1 of ${pages}`).waitFor({ timeout: 2_000 });
    await page.getByLabel('Go to page').fill(String(pages));
    await page.getByRole('button', { name: 'Go', exact: true }).click();
    await caption(page).getByText(`Keys ${(pages - 1) * 100 + 1}–${total} of ${shownTotal}`, { exact: false }).waitFor({ timeout: 3_000 });
    const last = await mock.keySearch(account.id, { offset: (pages - 1) * 100 });
    expect(await firstNames(page)).toEqual(last.keys.slice(0, 3).map((k) => k.name));
    await page.getByLabel('Sort').selectOption('reverse');
    await caption(page).getByText(`Keys 1–100 of ${shownTotal} in workspace`, { exact: false }).waitFor({ timeout: 3_000 });
    expect(await caption(page).textContent()).toContain('oldest first');
    const oldest = await mock.keySearch(account.id, { reverse: 'true' });
    expect(await firstNames(page)).toEqual(oldest.keys.slice(0, 3).map((k) => k.name));
    // A PATCH from outside (the app under test) renames the second row: that row is highlighted, not the others.
    const target = oldest.keys[1]!;
    const res = await fetch(`${mock.url}/keys/${target.hash}`, { method: 'PATCH', headers: asManager, body: JSON.stringify({ name: 'Renamed by the app' }) });
    expect(res.status).toBe(200);
    const row = keyRow(page, 'Renamed by the app');
    await row.waitFor({ timeout: 3_000 });
    expect(await row.getAttribute('class')).toContain('changed');
    expect(await table(page).locator('tbody tr.changed').count()).toBe(1);
    await expect.poll(async () => (await row.getAttribute('class')) ?? '', { timeout: 5_000 }).not.toContain('changed');
  });
});
