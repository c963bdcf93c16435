import type { Account } from './account.js';
import { FREE_MODEL_DAILY_REQUESTS, limitRemaining } from './limit.js';
import type { AccountState, CurrentKeyView, KeyRecord, KeyUsage, KeyView, StoreState } from './types.js';

/**
 * A copy of a key in the wire's field order. Shallow on purpose: its strings are immutable and
 * shared with the original, so keeping a start-up snapshot beside the live store costs object
 * shells, not a second copy of every hash, name and timestamp (100,000 keys: ~20 MB, not ~90 MB).
 */
export function copyKey(key: KeyRecord): KeyRecord {
  return {
    hash: key.hash,
    name: key.name,
    label: key.label,
    disabled: key.disabled,
    limit: key.limit,
    limit_reset: key.limit_reset,
    include_byok_in_limit: key.include_byok_in_limit,
    usage: key.usage,
    usage_daily: key.usage_daily,
    usage_weekly: key.usage_weekly,
    usage_monthly: key.usage_monthly,
    byok_usage: key.byok_usage,
    byok_usage_daily: key.byok_usage_daily,
    byok_usage_weekly: key.byok_usage_weekly,
    byok_usage_monthly: key.byok_usage_monthly,
    created_at: key.created_at,
    updated_at: key.updated_at,
    expires_at: key.expires_at,
    creator_user_id: key.creator_user_id,
    workspace_id: key.workspace_id,
    external_user: key.external_user,
  };
}

/**
 * The API's view of a key: one object literal in the wire's field order (`KeySchema`'s, with the
 * derived `limit_remaining` after `limit`), so that `JSON.stringify` writes the same bytes as the
 * route's compiled serializer. One literal rather than a copy plus an added field or a spread:
 * every view then has one shape from birth, and a spread copy left the object in a slow shape
 * that serialised several times slower (PATCH is the hot path).
 */
export function keyView(key: KeyRecord): KeyView {
  return {
    hash: key.hash,
    name: key.name,
    label: key.label,
    disabled: key.disabled,
    limit: key.limit,
    limit_remaining: limitRemaining(key),
    limit_reset: key.limit_reset,
    include_byok_in_limit: key.include_byok_in_limit,
    usage: key.usage,
    usage_daily: key.usage_daily,
    usage_weekly: key.usage_weekly,
    usage_monthly: key.usage_monthly,
    byok_usage: key.byok_usage,
    byok_usage_daily: key.byok_usage_daily,
    byok_usage_weekly: key.byok_usage_weekly,
    byok_usage_monthly: key.byok_usage_monthly,
    created_at: key.created_at,
    updated_at: key.updated_at,
    last_used_at: null,
    expires_at: key.expires_at,
    creator_user_id: key.creator_user_id,
    workspace_id: key.workspace_id,
    external_user: key.external_user,
  };
}

/** A copy of a whole state that `load` may own (see `copyKey`: strings are shared). */
export function copyState(state: StoreState): StoreState {
  return { accounts: state.accounts.map(copyAccount) };
}

export function copyAccount(state: AccountState): AccountState {
  const head = {
    id: state.id,
    user_id: state.user_id,
    organization_id: state.organization_id,
    default_workspace_id: state.default_workspace_id,
    workspace_ids: [...state.workspace_ids],
    management_key: {
      hash: state.management_key.hash,
      label: state.management_key.label,
      name: state.management_key.name,
      created_at: state.management_key.created_at,
    },
  };
  const keys = state.keys.map(copyKey);
  // In the order the server's serializer writes the state document (optional fields after the
  // required ones: credits after keys), credits only when the account has them.
  if (!state.credits) return { ...head, keys };
  return { ...head, keys, credits: { total_credits: state.credits.total_credits, total_usage: state.credits.total_usage } };
}

/** A management key spends nothing itself. */
const NO_USAGE: KeyUsage = {
  usage: 0,
  usage_daily: 0,
  usage_weekly: 0,
  usage_monthly: 0,
  byok_usage: 0,
  byok_usage_daily: 0,
  byok_usage_weekly: 0,
  byok_usage_monthly: 0,
};

const RATE_LIMIT_NOTE = 'This field is deprecated and safe to ignore.';

/**
 * `GET /key`: what a bearer token is — an account's management key, or one of its keys. One
 * literal in `CurrentKeySchema`'s field order for both (no spreads, whose order would follow the
 * parts rather than the schema), so `JSON.stringify` writes what the route's serializer writes.
 */
export function currentKeyView(account: Account, key?: KeyRecord): CurrentKeyView {
  const { state } = account;
  const usage: KeyUsage = key ?? NO_USAGE;
  return {
    label: key === undefined ? state.management_key.label : key.label,
    limit: key === undefined ? null : key.limit,
    limit_remaining: key === undefined ? null : limitRemaining(key),
    limit_reset: key === undefined ? null : key.limit_reset,
    include_byok_in_limit: key === undefined ? false : key.include_byok_in_limit,
    usage: usage.usage,
    usage_daily: usage.usage_daily,
    usage_weekly: usage.usage_weekly,
    usage_monthly: usage.usage_monthly,
    byok_usage: usage.byok_usage,
    byok_usage_daily: usage.byok_usage_daily,
    byok_usage_weekly: usage.byok_usage_weekly,
    byok_usage_monthly: usage.byok_usage_monthly,
    is_free_tier: false,
    is_management_key: key === undefined,
    is_provisioning_key: key === undefined,
    creator_user_id: key === undefined ? state.user_id : key.creator_user_id,
    expires_at: key === undefined ? null : key.expires_at,
    workspace_id: key === undefined ? state.default_workspace_id : key.workspace_id,
    organization_id: state.organization_id,
    allowed_data_regions: ['global'],
    budgets: [],
    effective_budget: null,
    free_model_daily_requests: { limit: FREE_MODEL_DAILY_REQUESTS, remaining: FREE_MODEL_DAILY_REQUESTS, used: 0 },
    rate_limit: { requests: -1, interval: '10s', note: RATE_LIMIT_NOTE },
  };
}
