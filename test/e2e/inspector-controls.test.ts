import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { MANAGEMENT_KEY } from '../helpers/build.js';
import { canRun, inspectorSuite, keyRow, openInspector, seriousViolations } from './inspector-harness.js';

/** Screenshots land here on every run (git-ignored); docs/ holds a committed copy. */
const SCREENSHOTS = new URL('../.generated/', import.meta.url);

/**
 * Issue 21's controls, in headless Chromium: fault rules turned off and on, edited, with hits and
 * last hit; confirmations that say how many keys go (Escape cancels them); Escape closing panels;
 * the export carrying clock and faults; a skip link to the journal; focus kept after a removal;
 * keys and journal a tap apart on a phone; axe clean with the panels and confirmations open.
 */
describe.runIf(canRun)('the inspector’s controls (headless Chromium)', () => {
  const suite = inspectorSuite();
  const auth = { authorization: `Bearer ${MANAGEMENT_KEY}` };
  const faultsPanel = () => suite.page.locator('details.control').filter({ has: suite.page.locator('summary', { hasText: 'Faults' }) });
  const dataPanel = () => suite.page.locator('details.control').filter({ has: suite.page.locator('summary', { hasText: 'Scenarios and state' }) });

  it('a rule shows its hits and last hit (virtual clock); its switch disables and enables it on the server', async () => {
    const { page, mock } = suite;
    const rule = await mock.fault({ match: { method: 'GET', path: '/keys' }, status: 429 });
    await openInspector(page, suite.origin);
    await faultsPanel().locator('summary').click();
    const item = faultsPanel().locator('.rules li', { hasText: 'GET /keys → 429' });
    await item.getByText('0 hits').waitFor({ timeout: 2_000 });
    expect((await fetch(`${mock.url}/keys`, { headers: auth })).status).toBe(429);
    await item.getByText('1 hit, last 2026-01-14 23:50:00 UTC').waitFor({ timeout: 2_000 });

    await item.getByRole('checkbox', { name: /^Enabled/ }).click();
    await item.getByText('disabled', { exact: true }).waitFor({ timeout: 2_000 });
    expect((await mock.faults())[0]).toMatchObject({ id: rule.id, enabled: false, state: 'disabled' });
    expect((await fetch(`${mock.url}/keys`, { headers: auth })).status).toBe(200);
    await item.getByRole('checkbox', { name: /^Enabled/ }).click();
    await item.getByText('active', { exact: true }).waitFor({ timeout: 2_000 });
    expect((await fetch(`${mock.url}/keys`, { headers: auth })).status).toBe(429);
  });

  it('a times: 1 rule used up stays listed as used up', async () => {
    const { page, mock } = suite;
    await mock.fault({ match: { path: '/keys' }, status: 503, times: 1 });
    await openInspector(page, suite.origin);
    await faultsPanel().locator('summary').click();
    expect((await fetch(`${mock.url}/keys`, { headers: auth })).status).toBe(503);
    const item = faultsPanel().locator('.rules li', { hasText: 'any method /keys → 503 (used up)' });
    await item.getByText('used up', { exact: true }).waitFor({ timeout: 2_000 });
    await item.getByText('1 hit, last').waitFor();
  });

  it('edits a rule in place (only the fields changed reach the server); Escape cancels an edit; a refused edit shows its error', async () => {
    const { page, mock } = suite;
    const rule = await mock.fault({ match: { method: 'GET', path: '/keys' }, status: 429, delay_ms: 5 });
    await openInspector(page, suite.origin);
    await faultsPanel().locator('summary').click();
    await faultsPanel().getByRole('button', { name: /^Edit fault/ }).click();
    const form = faultsPanel().getByRole('group', { name: 'Edit the fault' });
    expect(await form.getByLabel('Status', { exact: true }).inputValue()).toBe('429');
    expect(await form.getByLabel('Delay (ms)').inputValue()).toBe('5');
    await form.getByLabel('Status', { exact: true }).fill('503');
    await form.getByLabel('Delay (ms)').fill('');
    await faultsPanel().getByRole('button', { name: 'Save fault' }).click();
    await faultsPanel().getByText('GET /keys → 503 (every time)').waitFor({ timeout: 2_000 });
    const [edited] = await mock.faults();
    expect(edited).toMatchObject({ id: rule.id, status: 503, match: { method: 'GET', path: '/keys' } });
    expect(edited).not.toHaveProperty('delay_ms');

    // Escape takes the edit back (the panel stays open) and the focus returns to its Edit button.
    await faultsPanel().getByRole('button', { name: /^Edit fault/ }).click();
    await form.getByLabel('Path').press('Escape');
    await form.waitFor({ state: 'detached' });
    expect(await faultsPanel().getAttribute('open')).not.toBeNull();
    expect(await page.evaluate<string>("document.activeElement.getAttribute('aria-label') || ''")).toMatch(/^Edit fault/);

    await faultsPanel().getByRole('button', { name: /^Edit fault/ }).click();
    await form.getByLabel('Path').fill('/__mock/faults');
    await faultsPanel().getByRole('button', { name: 'Save fault' }).click();
    const alert = faultsPanel().getByRole('alert');
    await alert.waitFor({ timeout: 2_000 });
    expect(await alert.textContent()).toContain('match.path');
    expect((await mock.faults())[0]).toMatchObject({ match: { path: '/keys' } });
  });

  it('after a rule is removed the focus goes to the next rule, then to the add form, never to the page', async () => {
    const { page, mock } = suite;
    await mock.fault({ match: { path: '/keys' }, status: 500 });
    await mock.fault({ match: { path: '/key' }, status: 502 });
    await openInspector(page, suite.origin);
    await faultsPanel().locator('summary').click();
    await faultsPanel().getByRole('button', { name: /^Remove fault GET|^Remove fault any method \/key →/ }).click();
    await faultsPanel().locator('.rules li').nth(1).waitFor({ state: 'detached', timeout: 2_000 });
    expect(await page.evaluate<string>("document.activeElement.getAttribute('aria-label') || ''")).toMatch(/^Remove fault any method \/keys →/);
    await page.keyboard.press('Enter');
    await faultsPanel().getByText('No fault rules').waitFor({ timeout: 2_000 });
    expect(await page.evaluate<string>("document.activeElement.name || document.activeElement.tagName")).toBe('method');
  });

  it('Escape closes an open panel and gives the focus back to its summary', async () => {
    const { page } = suite;
    await openInspector(page, suite.origin);
    await faultsPanel().locator('summary').click();
    await faultsPanel().getByLabel('Path').first().focus();
    await page.keyboard.press('Escape');
    expect(await faultsPanel().getAttribute('open')).toBeNull();
    expect(await page.evaluate<string>('document.activeElement.tagName')).toBe('SUMMARY');
  });

  it('a scenario load asks first, saying how many keys go; Escape cancels it and changes nothing', async () => {
    const { page, mock } = suite;
    const [account] = await mock.accounts();
    await openInspector(page, suite.origin);
    await dataPanel().locator('summary').click();
    await dataPanel().getByLabel('Scenario').selectOption('empty');
    await dataPanel().getByRole('button', { name: 'Load into this account…' }).click();
    const confirm = dataPanel().getByRole('alertdialog');
    expect(await confirm.textContent()).toContain(`Its ${account!.keys} keys go, replaced by the scenario's 0 keys`);
    expect(await seriousViolations(page)).toEqual([]);
    // The confirm button has the focus: Escape cancels, the focus goes back to the button that asked.
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    expect((await mock.accounts())[0]!.keys).toBe(account!.keys);
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('Load into this account…');
    expect(await dataPanel().getAttribute('open')).not.toBeNull();

    await dataPanel().getByRole('button', { name: 'Load into this account…' }).click();
    await dataPanel().getByRole('button', { name: 'Replace the keys' }).click();
    await page.getByText('No keys on this page').waitFor({ timeout: 2_000 });
    expect((await mock.accounts())[0]!.keys).toBe(0);
  });

  it('an import asks first with the count of keys that go; the export carries the clock and the fault rules', async () => {
    const { page, mock } = suite;
    await mock.fault({ match: { path: '/keys' }, status: 500, enabled: false });
    const total = (await mock.accounts()).reduce((n, a) => n + a.keys, 0);
    await openInspector(page, suite.origin);
    await dataPanel().locator('summary').click();
    const [download] = await Promise.all([page.waitForEvent('download'), dataPanel().getByRole('button', { name: 'Export state' }).click()]);
    const exported = JSON.parse(await readFile((await download.path())!, 'utf8'));
    expect(exported.clock).toEqual({ now: '2026-01-14T23:50:00.000Z', frozen: true });
    expect(exported.faults).toEqual([{ match: { path: '/keys' }, status: 500, enabled: false }]);

    await mock.clearFaults();
    await dataPanel().getByLabel('Import state').setInputFiles({ name: 'state.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(exported)) });
    const confirm = dataPanel().getByRole('alertdialog');
    expect(await confirm.textContent()).toContain(`${total} keys in 1 account go`);
    expect(await seriousViolations(page)).toEqual([]);
    await dataPanel().getByRole('button', { name: 'Cancel' }).click();
    expect(await mock.faults()).toEqual([]);

    await dataPanel().getByLabel('Import state').setInputFiles({ name: 'state.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(exported)) });
    await dataPanel().getByRole('button', { name: 'Replace with the file' }).click();
    await faultsPanel().locator('summary .count', { hasText: '1' }).waitFor({ timeout: 2_000 });
    expect(await mock.faults()).toMatchObject([{ match: { path: '/keys' }, enabled: false }]);
  });

  it('the first Tab reaches a skip link that moves the focus into the journal', async () => {
    const { page } = suite;
    await openInspector(page, suite.origin);
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('Skip to the journal');
    await page.keyboard.press('Enter');
    await page.waitForFunction("document.activeElement && document.activeElement.id === 'journal'");
    await page.keyboard.press('Tab');
    expect(await page.evaluate<boolean>("document.getElementById('journal').contains(document.activeElement)")).toBe(true);
  });

  it('at 390×844 the journal is a tap away (Keys | Journal), not below every key; axe clean in both views', async () => {
    const page = await suite.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
    try {
      await suite.mock.scenario('many-keys');
      await openInspector(page, suite.origin);
      await fetch(`${suite.mock.url}/keys`, { headers: auth });
      const journal = page.getByRole('region', { name: 'Journal', exact: true });
      // Hidden, it is out of the accessibility tree: no role matches it.
      expect(await page.locator('#journal').isVisible()).toBe(false);
      const show = page.getByRole('button', { name: /^Journal/ });
      expect(await show.getAttribute('aria-pressed')).toBe('false');
      await show.click();
      expect(await show.getAttribute('aria-pressed')).toBe('true');
      const box = await journal.boundingBox();
      // Without scrolling: the journal starts within the first screen.
      expect(box!.y).toBeLessThan(844);
      expect(await page.evaluate<number>('window.scrollY')).toBe(0);
      await journal.locator('tbody tr').first().waitFor({ timeout: 2_000 });
      expect(await keyRow(page, 'My Production Key').count()).toBe(0);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      expect(await seriousViolations(page)).toEqual([]);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: new URL('inspector-390-journal.png', SCREENSHOTS).pathname });
      await page.getByRole('button', { name: 'Keys', exact: true }).click();
      await page.getByRole('table', { name: /^Keys/ }).waitFor();
      expect(await page.locator('#journal').isVisible()).toBe(false);
    } finally {
      await page.close();
    }
  });

  it('axe finds nothing serious with the faults panel, an edit form and the reset confirmation open (hover and focus included)', async () => {
    const { page, mock } = suite;
    await mock.fault({ match: { path: '/keys' }, status: 500, times: 1 });
    await mock.fault({ match: { path: '/key' }, status: 502, enabled: false });
    await fetch(`${mock.url}/keys`, { headers: auth });
    await openInspector(page, suite.origin);
    await page.evaluate("document.querySelectorAll('details').forEach((details) => { details.open = true; })");
    await faultsPanel().getByRole('button', { name: /^Edit fault/ }).first().click();
    await dataPanel().getByRole('button', { name: 'Reset…' }).click();
    await dataPanel().getByRole('alertdialog').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: new URL('inspector-1280-controls.png', SCREENSHOTS).pathname, fullPage: true });
    for (const name of ['Reset everything', 'Cancel']) {
      const button = dataPanel().getByRole('button', { name, exact: true });
      await button.hover();
      expect(await page.evaluate<number>("axe.run([...document.querySelectorAll('button:hover')].pop(), { runOnly: ['color-contrast'] }).then((r) => r.violations.length)")).toBe(0);
    }
  });
});
