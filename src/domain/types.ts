/**
 * The key API's data, as the domain sees it. Records keep the wire's field names (snake_case) on
 * purpose: a stored key *is* the API object minus the derived `limit_remaining`, so export/import
 * round-trips byte for byte and no mapping layer sits on the hot path.
 */

export const LIMIT_RESETS = ['daily', 'weekly', 'monthly'] as const;
export type LimitReset = (typeof LIMIT_RESETS)[number];

/** The usage counters of a key: OpenRouter credits and external BYOK spend, per window (USD). */
export interface KeyUsage {
  usage: number;
  usage_daily: number;
  usage_weekly: number;
  usage_monthly: number;
  byok_usage: number;
  byok_usage_daily: number;
  byok_usage_weekly: number;
  byok_usage_monthly: number;
}

/** A key as stored. `limit_remaining` is never stored: it is derived on every read. */
export interface KeyRecord extends KeyUsage {
  hash: string;
  name: string;
  label: string;
  disabled: boolean;
  limit: number | null;
  limit_reset: LimitReset | null;
  include_byok_in_limit: boolean;
  created_at: string;
  updated_at: string | null;
  expires_at: string | null;
  creator_user_id: string | null;
  workspace_id: string;
  external_user: string | null;
}

/** A key as the API returns it. */
export interface KeyView extends KeyRecord {
  limit_remaining: number | null;
  /**
   * When the key was last used. The mock records no request times for keys, so always null: what
   * the real API says of a key not used since the end of 2025. The official Python SDK requires it.
   */
  last_used_at: string | null;
}

/** The fields `PATCH /keys/:hash` may change; every one optional. */
export interface KeyPatch {
  name?: string;
  disabled?: boolean;
  limit?: number | null;
  limit_reset?: LimitReset | null;
  include_byok_in_limit?: boolean;
}

/** The body of `POST /keys`. */
export interface KeyCreateInput {
  name: string;
  limit?: number | null;
  limit_reset?: LimitReset | null;
  include_byok_in_limit?: boolean;
  expires_at?: string | null;
  creator_user_id?: string | null;
  workspace_id?: string;
  external?: { user: string; api_key?: string };
}

export interface KeyListQuery {
  offset?: number;
  includeDisabled?: boolean;
  workspaceId?: string;
}

/** The inspector's search (`KeyStore.search`): a prefix of a field, or none for the listing. */
export interface KeySearchQuery {
  query?: string;
  field?: 'name' | 'label' | 'hash';
  offset?: number;
  /** Oldest first (no query), or the field's order reversed. */
  reverse?: boolean;
  workspaceId?: string;
}

/** The management key that stands for an account (its plaintext is never stored). */
export interface ManagementKeyRecord {
  hash: string;
  label: string;
  name: string;
  created_at: string;
}

/** An account's OpenRouter credits, USD (`GET /api/v1/credits`). */
export interface AccountCredits {
  total_credits: number;
  total_usage: number;
}

/** One account: one management key, its workspaces and its keys. */
export interface AccountState {
  id: string;
  user_id: string;
  organization_id: string | null;
  default_workspace_id: string;
  workspace_ids: string[];
  management_key: ManagementKeyRecord;
  /**
   * Set once the account's credits are set or spent; absent: DEFAULT_CREDITS, none used (a state
   * document from before credits, or an account nobody charged, says nothing of them).
   */
  credits?: AccountCredits;
  keys: KeyRecord[];
}

/** Everything the store holds; what start-up builds and what reset goes back to. */
export interface StoreState {
  accounts: AccountState[];
}

export const DATA_REGIONS = ['global', 'europe', 'us'] as const;
export type DataRegion = (typeof DATA_REGIONS)[number];

/** `GET /key`: the key behind the bearer token, with the fields the newest SDK requires. */
export interface CurrentKeyView extends KeyUsage {
  label: string;
  limit: number | null;
  limit_remaining: number | null;
  limit_reset: LimitReset | null;
  include_byok_in_limit: boolean;
  is_free_tier: boolean;
  is_management_key: boolean;
  is_provisioning_key: boolean;
  creator_user_id: string | null;
  expires_at: string | null;
  workspace_id: string | null;
  organization_id: string | null;
  allowed_data_regions: DataRegion[];
  /** Guardrail budgets over the key: the mock has no guardrails, so none (the Python SDK requires both). */
  budgets: never[];
  effective_budget: null;
  free_model_daily_requests: { limit: number; remaining: number; used: number };
  rate_limit: { requests: number; interval: string; note: string };
}
