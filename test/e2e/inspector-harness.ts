import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { hasChromium, launchChromium, warnIfNoChromium } from '../helpers/chromium.js';
import { createMockServer, type MockServer } from '../../src/server.js';
import { INSPECTOR_ROOT } from '../../src/plugins/inspector.js';

/**
 * What the inspector's browser tests share: Debian's Chromium driven by playwright-core (never a
 * browser download: test/helpers/chromium.ts), a mock on a random port whose clock stands still
 * just before midnight UTC, and axe-core injected from node_modules.
 */
export const hasBuild = existsSync(`${INSPECTOR_ROOT}index.html`);
warnIfNoChromium('inspector tests');
if (!hasBuild) console.warn('inspector tests skipped: dist/inspector is not built (npm run build)');
export const canRun = hasChromium && hasBuild;

/** Ten minutes before midnight UTC on a Wednesday: a jump of 15 minutes resets every daily window. */
export const BEFORE_MIDNIGHT = '2026-01-14T23:50:00.000Z';

/** Chromium with hinting off, so that screenshots do not depend on the font hinting of the machine. */
export const launch = (): Promise<Browser> => launchChromium(['--font-render-hinting=none']);

/** A mock on port 0 at BEFORE_MIDNIGHT, with its clock frozen so that the page shows fixed times. */
export async function startMock(options: Parameters<typeof createMockServer>[0] = {}): Promise<{ mock: MockServer; origin: string }> {
  const mock = await createMockServer({ port: 0, now: BEFORE_MIDNIGHT, ...options });
  await stillClock(mock);
  return { mock, origin: new URL(mock.url).origin };
}

/** Back to the start-up state, the clock stopped at exactly BEFORE_MIDNIGHT. */
export async function resetMock(mock: MockServer): Promise<void> {
  await mock.reset();
  await stillClock(mock);
}

async function stillClock(mock: MockServer): Promise<void> {
  await mock.clock.freeze();
  await mock.clock.set(BEFORE_MIDNIGHT);
}

/** Opens the page at `/` (the redirect a browser gets) and waits for the first rows of keys. */
export async function openInspector(page: Page, origin: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.getByRole('table', { name: /^Keys/ }).getByRole('row').nth(1).waitFor({ timeout: 10_000 });
  // The event stream is live: changes made from now on reach the page.
  await page.getByText('Events: Live').waitFor({ timeout: 5_000 });
}

/** The row of the keys table whose name button reads `name`. */
export function keyRow(page: Page, name: string) {
  return page.getByRole('table', { name: /^Keys/ }).getByRole('row').filter({ has: page.getByRole('button', { name, exact: true }) });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  const require = createRequire(import.meta.url);
  if (!(await page.evaluate<boolean>("'axe' in window"))) await page.addScriptTag({ path: require.resolve('axe-core') });
  // Page code as a string: the tests are type-checked without the DOM's types.
  const violations = await page.evaluate<AxeViolation[]>(
    'axe.run().then((result) => result.violations.map(({ id, impact, help, nodes }) => ({ id, impact, help, nodes: nodes.map((n) => ({ target: n.target })) })))',
  );
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * The set-up most inspector suites share, as hooks of the calling `describe`: one mock and one
 * browser for the suite, the mock reset and a fresh 1280×800 page for each test. Read the fields
 * inside tests (they are set by the hooks).
 */
export function inspectorSuite(options: Parameters<typeof createMockServer>[0] = {}): { mock: MockServer; origin: string; browser: Browser; page: Page } {
  const suite = {} as { mock: MockServer; origin: string; browser: Browser; page: Page };
  beforeAll(async () => {
    Object.assign(suite, await startMock(options));
    suite.browser = await launch();
  }, 30_000);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.mock?.close();
  });
  beforeEach(async () => {
    await resetMock(suite.mock);
    suite.page = await suite.browser.newPage({ viewport: { width: 1280, height: 800 } });
  });
  afterEach(async () => {
    await suite.page?.close();
  });
  return suite;
}
