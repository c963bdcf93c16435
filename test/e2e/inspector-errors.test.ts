import { describe, expect, it } from 'vitest';
import { canRun, inspectorSuite, openInspector } from './inspector-harness.js';

/** An error from a top control shows in that control's panel, announced, and tied to the control. */
describe.runIf(canRun)('the inspector’s control errors (headless Chromium)', () => {
  const suite = inspectorSuite();

  it('a refused clock advance shows its error inside the clock panel, as an alert the field and button are described by', async () => {
    await openInspector(suite.page, suite.origin);
    const panel = suite.page.locator('details.control').filter({ has: suite.page.locator('summary', { hasText: 'Clock' }) });
    await panel.locator('summary').click();
    await panel.getByLabel('Advance by').fill('soon');
    await panel.getByRole('button', { name: 'Advance', exact: true }).click();
    const alert = panel.getByRole('alert');
    await alert.waitFor({ timeout: 2_000 });
    expect(await alert.textContent()).toContain('400');
    const id = await alert.getAttribute('id');
    expect(id).toBeTruthy();
    expect(await panel.getByLabel('Advance by').getAttribute('aria-describedby')).toBe(id);
    expect(await panel.getByRole('button', { name: 'Advance', exact: true }).getAttribute('aria-describedby')).toBe(id);
    // Not in the page's status line far below.
    expect(await suite.page.locator('main > .status').textContent()).not.toContain('400');

    // A success clears it.
    await panel.getByLabel('Advance by').fill('1h');
    await panel.getByRole('button', { name: 'Advance', exact: true }).click();
    await alert.waitFor({ state: 'detached', timeout: 2_000 });
    expect(await panel.getByLabel('Advance by').getAttribute('aria-describedby')).toBeNull();
  });

  it('a refused state import shows its error inside the state panel', async () => {
    await openInspector(suite.page, suite.origin);
    const panel = suite.page.locator('details.control').filter({ has: suite.page.locator('summary', { hasText: 'Scenarios and state' }) });
    await panel.locator('summary').click();
    await panel.getByLabel('Import state').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"accounts": 3}') });
    await panel.getByRole('button', { name: 'Replace with the file' }).click();
    const alert = panel.getByRole('alert');
    await alert.waitFor({ timeout: 2_000 });
    expect(await alert.textContent()).toContain('Invalid state document');
    expect(await panel.getByLabel('Import state').getAttribute('aria-describedby')).toBe(await alert.getAttribute('id'));
  });
});
