/**
 * The page's only way out: the mock's own routes on this origin. The control plane (`/__mock`)
 * gets the admin token when one was entered; the API (`/api/v1`) gets the chosen account's
 * management key, so that every edit goes through the real routes and shows in the journal.
 */

export interface Key {
  hash: string;
  name: string;
  label: string;
  disabled: boolean;
  limit: number | null;
  limit_remaining: number | null;
  limit_reset: 'daily' | 'weekly' | 'monthly' | null;
  include_byok_in_limit: boolean;
  usage: number;
  usage_daily: number;
  usage_weekly: number;
  usage_monthly: number;
  byok_usage: number;
  byok_usage_daily: number;
  byok_usage_weekly: number;
  byok_usage_monthly: number;
  created_at: string;
  updated_at: string | null;
  expires_at: string | null;
  workspace_id: string;
}

export interface Account {
  id: string;
  user_id: string;
  default_workspace_id: string;
  workspace_ids: string[];
  management_key_label: string;
  keys: number;
}

export interface Clock {
  now: string;
  frozen: boolean;
}

export interface FaultRule {
  id: string;
  match: { method?: string; path?: string; hash?: string };
  status?: number;
  delay_ms?: number;
  times?: number;
  retry_after?: number;
  fault?: 'reset' | 'timeout';
  remaining: number | null;
  hits: number;
}

export interface JournalEntry {
  id: number;
  time: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  status: number;
  duration_ms: number;
  account_id: string | null;
  hash: string | null;
}

export interface Scenario {
  name: string;
  description: string;
  keys: number;
}

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
