import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DOCS_HASH, LOCAL_DEV_KEY, MANAGEMENT_KEY } from '../helpers/build.js';
import { canRun, inspectorSuite, openInspector, seriousViolations } from './inspector-harness.js';

/**
 * The journal panel that explains (issue 21): an entry's detail (answer, masked request, the key
 * that authenticated, both clocks, the fault named, the error in words), copy as curl and as
 * fetch with a placeholder for the key, replay through the real API, free-text search, filters by
 * account and key, and the timeline's marks — and none of the page's own reads in the journal.
 */
describe.runIf(canRun)('the inspector’s journal (headless Chromium)', () => {
  const suite = inspectorSuite();
  const auth = { authorization: `Bearer ${MANAGEMENT_KEY}` };
  const journal = (page: Page) => page.getByRole('table', { name: /requests/ });
  const patch = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${suite.mock.url}/keys/${DOCS_HASH}`, { method: 'PATCH', headers: { ...auth, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  /** Waits for the caption to count `n` entries shown. */
  const showing = (page: Page, n: number, of = n) => page.getByText(`${n} of the newest ${of} requests`, { exact: false }).waitFor({ timeout: 3_000 });
  const region = (page: Page) => page.getByRole('region', { name: 'Journal', exact: true });
  /** The newest row whose path button reads `path` (or whose status is `status`). */
  const rowOf = (page: Page, by: { path?: string; status?: number }) =>
    journal(page)
      .getByRole('row')
      .filter({ has: by.path !== undefined ? page.getByRole('button', { name: by.path, exact: true }) : page.locator('.code', { hasText: String(by.status) }) })
      .first();
  /** Opens that row's detail and returns it. */
  const open = async (page: Page, by: { path?: string; status?: number }) => {
    const row = rowOf(page, by);
    const id = await row.getAttribute('data-id');
    await row.getByRole('button').first().click();
    const detail = page.locator(`#request-${id} .entry-detail`);
    await detail.waitFor({ timeout: 2_000 });
    return detail;
  };
  const PATCHED = `/api/v1/keys/${DOCS_HASH.slice(0, 8)}…${DOCS_HASH.slice(-5)}`;

  it('an entry’s detail: status, answer headers and body, request headers masked, the key that authenticated, both clocks', async () => {
    const { page, origin } = suite;
    await openInspector(page, origin);
    expect((await patch({ limit: 77 })).status).toBe(200);
    await showing(page, 1);
    const row = rowOf(page, { path: PATCHED });
    // Date and time on the virtual clock (frozen at 23:50) and the wall clock's beside it.
    expect(await row.textContent()).toContain('2026-01-14 23:50:00.000');
    expect(await row.textContent()).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} wall/);
    const detail = await open(page, { path: PATCHED });
    const text = (await detail.textContent())!;
    expect(text).toContain('status 200');
    expect(text).toContain('content-typeapplication/json; charset=utf-8');
    expect(text).toContain('"limit": 77');
    expect(text).toContain(`Bearer sk-or-v1-${MANAGEMENT_KEY.slice(9, 12)}...${MANAGEMENT_KEY.slice(-4)}`);
    expect(text).toMatch(/management key [0-9a-f]{64}/);
    expect(text).toContain('Virtual time2026-01-14T23:50:00.000Z');
    expect(text).toMatch(/Wall time\d{4}-/);
    expect(text).toMatch(/Duration[\d.]+ ms/);
    expect(await page.content()).not.toContain(MANAGEMENT_KEY);
  });

  it('the fault rule that answered is named after a times: 1 rule is used up; a validation error reads in words', async () => {
    const { page, origin, mock } = suite;
    await openInspector(page, origin);
    const rule = await mock.fault({ match: { method: 'PATCH', path: '/keys/*' }, status: 429, times: 1 });
    expect((await patch({ limit: 1 })).status).toBe(429);
    // Used up: listed as such, then removed; the entry still names it.
    expect(await mock.faults()).toMatchObject([{ id: rule.id, state: 'used_up' }]);
    await mock.removeFault(rule.id);
    expect(await mock.faults()).toEqual([]);
    expect((await patch({ limit: 'lots' })).status).toBe(400);
    await showing(page, 2);
    const faulted = await open(page, { status: 429 });
    expect(await faulted.getByText(`Rule ${rule.id}: status 429 on PATCH /keys/* (times: 1)`).count()).toBe(1);
    expect(await faulted.textContent()).toContain('retry-after1');
    const refused = await open(page, { status: 400 });
    const [entry] = await mock.requests({ status: 400 });
    expect(await refused.locator('.error-text').textContent()).toBe(entry!.error);
    expect(entry!.error).toMatch(/limit/);
  });

  it('copy as curl and as fetch: the key is a placeholder, never the plaintext; opening and copying journals nothing', async () => {
    const { page, origin, mock } = suite;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await openInspector(page, origin);
    await patch({ name: 'copied' });
    await showing(page, 1);
    const detail = await open(page, { path: PATCHED });
    await detail.getByRole('button', { name: 'Copy as curl' }).click();
    const curl = (await detail.locator('pre.snippet').textContent())!;
    expect(curl).toContain(`curl -X PATCH '${origin}/api/v1/keys/${DOCS_HASH}'`);
    expect(curl).toContain('-H "Authorization: Bearer $OPENROUTER_API_KEY"');
    expect(curl).toContain(`--data '{"name":"copied"}'`);
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(curl);
    await detail.getByRole('button', { name: 'Copy as fetch' }).click();
    const fetched = (await detail.locator('pre.snippet').textContent())!;
    expect(fetched).toContain(`await fetch("${origin}/api/v1/keys/${DOCS_HASH}"`);
    expect(fetched).toContain('method: "PATCH"');
    expect(fetched).toContain('Authorization: `Bearer ${OPENROUTER_API_KEY}`');
    expect(fetched).toContain('body: JSON.stringify({"name":"copied"})');
    for (const snippet of [curl, fetched]) expect(snippet).not.toContain(MANAGEMENT_KEY);
    // The page's own traffic (its reads, the detail, the copies) never lands in the journal.
    expect((await mock.requests()).map((e) => `${e.method} ${e.path}`)).toEqual([`PATCH /api/v1/keys/${DOCS_HASH}`]);
  });

  it('replay: a management-key request is sent again with the account’s key; an API key’s asks for the key', async () => {
    const { page, origin, mock } = suite;
    await openInspector(page, origin);
    await patch({ name: 'replayed' });
    await fetch(`${suite.mock.url}/key`, { headers: { authorization: `Bearer ${LOCAL_DEV_KEY}` } });
    await showing(page, 2);
    const detail = await open(page, { path: PATCHED });
    await detail.getByRole('button', { name: 'Replay' }).click();
    await detail.getByText(`Replayed PATCH /api/v1/keys/${DOCS_HASH}: 200`).waitFor({ timeout: 3_000 });
    const patches = await mock.requests({ method: 'PATCH' });
    expect(patches).toHaveLength(2);
    expect(patches[0]).toMatchObject({ body: { name: 'replayed' }, key_type: 'management', key_hash: patches[1]!.key_hash });
    await showing(page, 3);
    // An ordinary key's plaintext is not known to the page: it asks, and sends with what it is given.
    const keyDetail = await open(page, { path: '/api/v1/key' });
    await keyDetail.getByRole('button', { name: 'Replay' }).click();
    await keyDetail.getByLabel('Key to replay with').fill(LOCAL_DEV_KEY);
    await keyDetail.getByRole('button', { name: 'Send' }).click();
    await keyDetail.getByText('Replayed GET /api/v1/key: 200').waitFor({ timeout: 3_000 });
    const keys = await mock.requests({ path: '/api/v1/key' });
    expect(keys).toHaveLength(2);
    expect(keys[0]!.key_hash).toBe(keys[1]!.key_hash);
  });

  it('free-text search and the account and key filters narrow the entries shown', async () => {
    const { page, origin } = suite;
    await openInspector(page, origin);
    await patch({ name: 'needle-in-the-haystack' });
    await patch({ name: 'other' });
    await fetch(`${suite.mock.url}/key`, { headers: { authorization: `Bearer ${LOCAL_DEV_KEY}` } });
    await showing(page, 3);
    await region(page).getByLabel('Search the journal').fill('needle-in');
    await showing(page, 1, 3);
    await region(page).getByLabel('Search the journal').fill('');
    await showing(page, 3);
    const keySelect = region(page).getByRole('combobox', { name: /^Key/ });
    const options = await keySelect.locator('option').allTextContents();
    expect(options).toHaveLength(3);
    const apiKeyOption = options.find((o) => o.includes('(API key)'))!;
    await keySelect.selectOption({ label: apiKeyOption });
    await showing(page, 1, 3);
    expect(await journal(page).getByRole('row').nth(1).textContent()).toContain('/api/v1/key');
    await keySelect.selectOption({ label: 'Any' });
    const accountSelect = region(page).getByRole('combobox', { name: /^Caller/ });
    const accountOptions = await accountSelect.locator('option').allTextContents();
    expect(accountOptions.length).toBe(2);
    await accountSelect.selectOption({ label: accountOptions[1]! });
    await showing(page, 3);
  });

  it('clock moves, a scenario load and a reset are marks on the timeline, between the requests', async () => {
    const { page, origin, mock } = suite;
    await openInspector(page, origin);
    await patch({ name: 'before the jump' });
    await showing(page, 1);
    await mock.clock.advance('1d');
    await page.getByText('Clock set to 2026-01-15 23:50:00 UTC (frozen)').waitFor({ timeout: 3_000 });
    await patch({ name: 'after the jump' });
    await showing(page, 2);
    const rows = await journal(page).getByRole('row').allTextContents();
    const mark = rows.findIndex((r) => r.includes('Clock set to 2026-01-15'));
    // Newest first: the PATCH after the jump, the mark, the PATCH before it.
    expect(mark).toBe(2);
    expect(rows[1]).toContain('2026-01-15 23:50:00.000');
    expect(rows[3]).toContain('2026-01-14 23:50:00.000');
    await mock.scenario('near-limit');
    await page.getByText(/Scenario loaded into acct_/).waitFor({ timeout: 3_000 });
    await mock.reset();
    await page.getByText('State reset or imported').first().waitFor({ timeout: 3_000 });
  });

  it('axe-core finds no serious or critical violation with an entry’s detail, a snippet and the replay prompt open', async () => {
    const { page, origin } = suite;
    await openInspector(page, origin);
    await fetch(`${suite.mock.url}/key`, { headers: { authorization: `Bearer ${LOCAL_DEV_KEY}` } });
    await fetch(`${suite.mock.url}/keys/${DOCS_HASH}`, { method: 'PATCH', headers: { ...auth, 'content-type': 'application/json' }, body: '{"limit":"x"}' });
    await showing(page, 2);
    await open(page, { status: 400 });
    const detail = await open(page, { path: '/api/v1/key' });
    await detail.getByRole('button', { name: 'Copy as curl' }).click();
    await detail.getByRole('button', { name: 'Replay' }).click();
    await detail.getByLabel('Key to replay with').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
