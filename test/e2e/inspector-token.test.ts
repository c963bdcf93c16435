import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockServer } from '../../src/server.js';
import { DOCS_HASH, MANAGEMENT_KEY } from '../helpers/build.js';
import { canRun, keyRow, launch, openInspector, startMock } from './inspector-harness.js';

const TOKEN = 'inspector-admin-token-1234';

/**
 * With `--admin-token` the page is public but shows nothing until the token is entered: no key,
 * no journal, no control data reaches it. After that every call carries the token, the event
 * stream too (read with fetch(), so the token is a header and never in a URL).
 */
describe.runIf(canRun)('the inspector behind --admin-token (headless Chromium)', () => {
  let mock: MockServer;
  let origin: string;
  let browser: Browser;
  let page: Page;
  const answers: { url: string; status: number; auth: string | null }[] = [];

  beforeAll(async () => {
    ({ mock, origin } = await startMock({ adminToken: TOKEN }));
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('response', (response: Response) => {
      const { pathname } = new URL(response.url());
      const data = pathname.startsWith('/api/') || (pathname.startsWith('/__mock/') && !pathname.startsWith('/__mock/ui/'));
      if (data) answers.push({ url: response.url(), status: response.status(), auth: response.request().headers().authorization ?? null });
    });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await mock?.close();
  });

  it('shows only a prompt for the token, and no data request succeeds', async () => {
    await page.goto(`${origin}/`);
    await page.getByRole('textbox', { name: 'Token' }).waitFor({ timeout: 10_000 });
    expect(await page.getByRole('table').count()).toBe(0);
    expect(await page.getByText('My Production Key').count()).toBe(0);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status < 400)).toEqual([]);
    expect(answers.every((a) => a.status === 401)).toBe(true);
  });

  it('says so when the token is wrong, and still shows nothing', async () => {
    await page.getByRole('textbox', { name: 'Token' }).fill('not-the-token');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('alert').filter({ hasText: 'refused' }).waitFor({ timeout: 2_000 });
    expect(await page.getByRole('table').count()).toBe(0);
    expect(answers.filter((a) => a.status < 400)).toEqual([]);
  });

  it('after the token, shows the keys and follows changes live; every call carried the token in a header', async () => {
    await page.getByRole('textbox', { name: 'Token' }).fill(TOKEN);
    await page.getByRole('button', { name: 'Open' }).click();
    await keyRow(page, 'My Production Key').waitFor({ timeout: 5_000 });
    await page.getByText('Events: Live').waitFor({ timeout: 5_000 });

    await fetch(`${mock.url}/keys/${DOCS_HASH}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${MANAGEMENT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Renamed behind the token' }),
    });
    await keyRow(page, 'Renamed behind the token').waitFor({ timeout: 1_000 });

    const control = answers.filter((a) => new URL(a.url).pathname.startsWith('/__mock/') && a.status < 400);
    expect(control.length).toBeGreaterThan(0);
    expect(control.every((a) => a.auth === `Bearer ${TOKEN}`)).toBe(true);
    expect(answers.some((a) => a.url.endsWith('/__mock/events') && a.status === 200)).toBe(true);
    expect(answers.every((a) => !a.url.includes(TOKEN))).toBe(true);
  });

  it('keeps the token for the tab: a reload asks nothing', async () => {
    await page.reload();
    await openInspector(page, origin);
    expect(await page.getByRole('textbox', { name: 'Token' }).count()).toBe(0);
    expect(await page.evaluate<string[]>('Object.values(sessionStorage)')).toContain(TOKEN);
  });
});
