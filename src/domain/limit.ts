import type { KeyRecord } from './types.js';

/**
 * What a key has spent against its limit: the usage of its reset window (`daily` → today,
 * `weekly` → this week, `monthly` → this month, none → all time), plus the BYOK spend of the same
 * window when `include_byok_in_limit` is set.
 */
export function usedAgainstLimit(key: KeyRecord): number {
  let used: number;
  let byok: number;
  switch (key.limit_reset) {
    case 'daily':
      used = key.usage_daily;
      byok = key.byok_usage_daily;
      break;
    case 'weekly':
      used = key.usage_weekly;
      byok = key.byok_usage_weekly;
      break;
    case 'monthly':
      used = key.usage_monthly;
      byok = key.byok_usage_monthly;
      break;
    default:
      used = key.usage;
      byok = key.byok_usage;
  }
  return key.include_byok_in_limit ? used + byok : used;
}

/**
 * `limit_remaining`: null without a limit, else what is left of it, never below zero — rounded to
 * micro-dollars (6 decimal places) so that floating-point noise such as 32.120000000000005 does not
 * reach clients; far finer than the cents the API is documented in.
 */
export function limitRemaining(key: KeyRecord): number | null {
  if (key.limit === null) return null;
  return roundMicro(Math.max(0, key.limit - usedAgainstLimit(key)));
}

/** Beyond 1e9 USD, scaling by 1e6 would lose precision (or overflow), and there is no noise to drop. */
export const roundMicro = (usd: number): number => (Math.abs(usd) < 1e9 ? Math.round(usd * 1e6) / 1e6 : usd);

/**
 * The free-model (`:free`) requests a key may make a day, as `GET /key` reports them: OpenRouter's
 * figure for an account that has bought credits (1,000; 50 without). Past it, a 429.
 */
export const FREE_MODEL_DAILY_REQUESTS = 1000;

/** USD as usage keeps it: floating-point noise below 1e-10 dropped (usage can be fractions of a cent). */
export const roundUsd = (usd: number): number => (Math.abs(usd) < 1e5 ? Math.round(usd * 1e10) / 1e10 : usd);
