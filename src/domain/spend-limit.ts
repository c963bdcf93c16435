import { apiError } from './errors.js';
import { usedAgainstLimit } from './limit.js';
import type { KeyRecord } from './types.js';

/**
 * What an inference request may spend, checked before anything is charged: the key's limit in its
 * window, then the account's credits. Pure rules over a key and the request's price; the
 * inference operations call them with the model's prices (src/domain/models.ts).
 *
 * Chosen where the real API is undocumented (the README says so):
 * - A request is priced at its most expensive answer: the prompt's cost plus `max_tokens`
 *   completion tokens at the completion price. It is refused when that does not fit what is left,
 *   as the live API refuses it (402, "You requested up to N tokens, but can only afford M").
 * - A free request (a `:free` model: cost 0) is never refused by a limit or by credits.
 * - A BYOK request counts toward the key's limit only with `include_byok_in_limit`, and never
 *   draws on the account's credits.
 */

/** The window a key's limit is counted in, as "Key limit exceeded (daily limit)" names it. */
export type LimitWindow = 'daily' | 'weekly' | 'monthly' | 'total';

/**
 * How a spent key is refused: `observed` — 403 `Key limit exceeded (daily limit)`, what the live
 * API answers; `documented` — 402, what OpenRouter's error documentation lists for both cases.
 */
export type LimitErrorStyle = 'observed' | 'documented';
export const LIMIT_ERROR_STYLES: readonly LimitErrorStyle[] = ['observed', 'documented'];

export const limitWindow = (key: Pick<KeyRecord, 'limit_reset'>): LimitWindow => key.limit_reset ?? 'total';

/** The price of one request before it runs. */
export interface SpendRequest {
  /** What the prompt costs, USD. */
  promptCost: number;
  /** USD a completion token. */
  completionPrice: number;
  /** The most completion tokens the answer may have (`max_tokens`, or the model's default). */
  maxTokens: number;
  /** Paid with the caller's own provider key (BYOK). */
  byok: boolean;
}

/** The account's balance, USD. */
export interface Credits {
  total_credits: number;
  total_usage: number;
}

/** The request's most expensive answer, USD. */
export const worstCost = (request: SpendRequest): number => request.promptCost + request.maxTokens * request.completionPrice;

/**
 * What is left to spend, USD, below which nothing counts (sums of fractions of a cent leave
 * floating-point noise such as 1e-17: that is nothing left).
 */
const NOTHING = 1e-10;

/** The completion tokens `left` USD pays for after the prompt: never below 0. */
function affordable(left: number, request: SpendRequest): number {
  // No per-token part (a rule's fixed cost): all of it, or none.
  if (request.completionPrice <= 0) return left + NOTHING >= request.promptCost ? request.maxTokens : 0;
  return Math.max(0, Math.floor((left - request.promptCost) / request.completionPrice + 1e-9));
}

/**
 * Refuses a request the key's limit cannot pay for: a key with nothing left in its window is 403
 * `Key limit exceeded (<window> limit)` (402 with `documented`); a request whose most expensive
 * answer does not fit what is left is 402, with `metadata.limit_source: "openrouter_key_limit"`.
 */
export function checkKeyLimit(key: KeyRecord, request: SpendRequest, style: LimitErrorStyle = 'observed'): void {
  const cost = worstCost(request);
  if (key.limit === null || cost <= 0 || (request.byok && !key.include_byok_in_limit)) return;
  const left = key.limit - usedAgainstLimit(key);
  if (left <= NOTHING) {
    throw apiError('keyLimitExceeded', style === 'observed' ? 403 : 402, limitWindow(key)).withMetadata({ limit_source: 'openrouter_key_limit' });
  }
  if (cost > left + NOTHING) {
    throw apiError('unaffordable', request.maxTokens, affordable(left, request), 'openrouter_key_limit').withMetadata({
      limit_source: 'openrouter_key_limit',
    });
  }
}

/**
 * Refuses a request the account's credits cannot pay for: none left is 402 `Insufficient
 * credits…`; not enough for its most expensive answer, 402 with what it can afford; both with
 * `metadata.limit_source: "openrouter_credits"`. BYOK requests do not draw on credits.
 */
export function checkCredits(credits: Credits, request: SpendRequest): void {
  const cost = worstCost(request);
  if (cost <= 0 || request.byok) return;
  const left = credits.total_credits - credits.total_usage;
  const metadata = { limit_source: 'openrouter_credits' };
  if (left <= NOTHING) throw apiError('insufficientCredits').withMetadata(metadata);
  if (cost > left + NOTHING) throw apiError('unaffordable', request.maxTokens, affordable(left, request), 'openrouter_credits').withMetadata(metadata);
}
