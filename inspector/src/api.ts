/**
 * The page's only way out: the mock's own routes on this origin. The control plane (`/__mock`)
 * gets the admin token when one was entered; the API (`/api/v1`) gets the chosen account's
 * management key, so that every edit goes through the real routes and shows in the journal.
 */

// The page's types are the server's own wire types (type-only: nothing of the server is bundled).
export type { KeyView as Key } from '../../src/domain/types.js';
export type { SearchField } from '../../src/domain/search-index.js';
import type { KeySearchPage } from '../../src/control/mock-control.js';
/** A key as the search answers it: the key's fields and what a chat completion with it would get now. */
export type FoundKey = KeySearchPage['keys'][number];
export type { AccountSummary as Account, ClockState as Clock, ScenarioSummary as Scenario } from '../../src/control/mock-control.js';
export type { FaultRule } from '../../src/domain/faults.js';
export type { JournalEntry } from '../../src/domain/journal.js';

/** An answer other than 2xx, with the mock's own message (`{error: {message}}`). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_ITEM = 'openrouter-keys-mock.admin-token';

/** The admin token, kept for as long as the tab stays open (sessionStorage), never in a URL. */
export function adminToken(): string | null {
  return sessionStorage.getItem(TOKEN_ITEM);
}

export function setAdminToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_ITEM);
  else sessionStorage.setItem(TOKEN_ITEM, token);
}

export function adminHeaders(): Record<string, string> {
  const token = adminToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function send<T>(url: string, method: string, headers: Record<string, string>, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: { ...headers }, cache: 'no-store' };
  if (body !== undefined) {
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!response.ok) {
    const message = (parsed as { error?: { message?: string } } | null)?.error?.message ?? `HTTP ${response.status}`;
    throw new HttpError(response.status, `${method} ${url.replace(location.origin, '')}: ${response.status} ${message}`);
  }
  return parsed as T;
}

/** A control-plane call: `control('GET', '/clock')` → `/__mock/clock`. */
export function control<T>(method: string, path: string, body?: unknown): Promise<T> {
  return send<T>(`/__mock${path}`, method, adminHeaders(), body);
}

/** An API call as the account's management key: `api(key, 'PATCH', '/keys/…', {name})`. */
export function api<T>(managementKey: string, method: string, path: string, body?: unknown): Promise<T> {
  return send<T>(`/api/v1${path}`, method, { authorization: `Bearer ${managementKey}` }, body);
}

/** A readable message for whatever a call threw. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
