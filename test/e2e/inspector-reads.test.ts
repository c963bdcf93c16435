import { describe, expect, it } from 'vitest';
import { DOCS_HASH } from '../helpers/build.js';
import { canRun, inspectorSuite, keyRow, openInspector } from './inspector-harness.js';

/**
 * The inspector's own reads stay out of the app's way: it reads keys through the control plane,
 * so a test's journal, its `times: 1` fault rules and `--latency` see only the app's requests.
 */
describe.runIf(canRun)('the inspector’s reads (headless Chromium)', () => {
  const suite = inspectorSuite({ latency: '200' });

  it('with --latency and a times: 1 fault rule, opening the page and following events journals no read and leaves the rule unused', async () => {
    const rule = await suite.mock.fault({ match: { method: 'GET', path: '/keys' }, status: 503, times: 1 });
    await openInspector(suite.page, suite.origin);
    // A few events, each of which makes the page read the keys again.
    await suite.mock.recordUsage(DOCS_HASH, 1);
    await expect.poll(() => keyRow(suite.page, 'My Production Key').locator('[data-window="daily"]').textContent(), { timeout: 2_000 }).toBe('$26.50');
    await suite.mock.clock.advance('15m');
    await expect.poll(() => keyRow(suite.page, 'My Production Key').locator('[data-window="daily"]').textContent(), { timeout: 2_000 }).toBe('$0.00');
    await suite.mock.recordUsage(DOCS_HASH, 2);
    await expect.poll(() => keyRow(suite.page, 'My Production Key').locator('[data-window="daily"]').textContent(), { timeout: 2_000 }).toBe('$2.00');

    expect(await suite.mock.requests()).toEqual([]);
    expect((await suite.mock.faults()).find((r) => r.id === rule.id)).toMatchObject({ remaining: 1, hits: 0 });
  });
});
