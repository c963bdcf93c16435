import { apiError } from './errors.js';

/**
 * Completion rules: what the inference surface answers to matching chat completions, a given
 * number of times or until removed — as fault rules steer the key API (src/domain/faults.ts). A
 * rule sets any of the reply's text, its token counts, its cost, a delay between streamed chunks,
 * an error in the middle of a stream, or BYOK billing; whatever it leaves unset comes from the
 * defaults (the model's prices, the deterministic reply). Pure bookkeeping: the inference
 * operation carries the rule out.
 */

/** Which requests a rule meets: every field given must hold (none: every request). */
export interface CompletionMatch {
  /** The model id the request named (or the default model it got), exactly. */
  model?: string;
  /** The hash of the key the request is authenticated with. */
  key?: string;
  /** The id of the account that key belongs to. */
  account?: string;
}

export interface CompletionSpec {
  match?: CompletionMatch;
  /** The reply's text (its completion tokens are counted from it unless `completion_tokens` is set). */
  content?: string;
  prompt_tokens?: number;
  completion_tokens?: number;
  /** USD charged, instead of tokens × the model's prices. */
  cost?: number;
  /** Milliseconds between streamed chunks (a plain answer's delay is a fault rule's `delay_ms`, or --latency). */
  chunk_delay_ms?: number;
  /**
   * A stream fails after this many content chunks: one chunk with a top-level `error` and
   * `finish_reason: "error"`. A plain answer is that error instead (its status, nothing charged).
   */
  error_after_chunks?: number;
  /** The error of that chunk (default: 502 "Upstream error from the provider (mock rule)"). */
  error?: { code: number; message: string };
  /** Billed as BYOK: to the key's `byok_usage*`, counted toward its limit only with `include_byok_in_limit`. */
  byok?: boolean;
  /** How many requests the rule answers; absent: until removed. */
  times?: number;
}

export interface CompletionRule extends CompletionSpec {
  id: string;
  match: CompletionMatch;
  /** Requests the rule still answers, or null for unlimited. */
  remaining: number | null;
  hits: number;
}

/** What a chat completion is, for matching. */
export interface CompletionRequest {
  model: string;
  keyHash: string;
  accountId: string;
}

/** At most this many rules at once (a 400 past it): every chat completion may try them all. */
export const MAX_COMPLETION_RULES = 1000;

const FIELDS: readonly (keyof CompletionSpec)[] = [
  'content',
  'prompt_tokens',
  'completion_tokens',
  'cost',
  'chunk_delay_ms',
  'error_after_chunks',
  'error',
  'byok',
  'times',
];

export class CompletionRules {
  /** Newest first: a rule added later overrides an older one that meets the same requests. */
  private rules: CompletionRule[] = [];
  private lastId = 0;

  /** `changed`: told of every rule added, removed, cleared or used (the event stream); optional. */
  constructor(private readonly changed?: (change: 'added' | 'removed' | 'cleared' | 'used', id: string | null) => void) {}

  get size(): number {
    return this.rules.length;
  }

  /** Adds a rule (its shape checked by the control plane's schema); one past MAX_COMPLETION_RULES is a 400. */
  add(spec: CompletionSpec): CompletionRule {
    if (this.rules.length >= MAX_COMPLETION_RULES) {
      throw apiError('badRequest', `at most ${MAX_COMPLETION_RULES} completion rules at once; remove some first`);
    }
    if (spec.error !== undefined && spec.error_after_chunks === undefined) {
      throw apiError('invalidField', 'request body', 'field "error"', 'needs "error_after_chunks" (the chunks sent before the error)');
    }
    const rule: CompletionRule = { match: { ...spec.match }, id: `completion_${++this.lastId}`, remaining: spec.times ?? null, hits: 0 };
    for (const field of FIELDS) if (spec[field] !== undefined) (rule as unknown as Record<string, unknown>)[field] = spec[field];
    this.rules.unshift(rule);
    this.changed?.('added', rule.id);
    return copy(rule);
  }

  list(): CompletionRule[] {
    return this.rules.map(copy);
  }

  remove(id: string): boolean {
    const at = this.rules.findIndex((rule) => rule.id === id);
    if (at === -1) return false;
    this.rules.splice(at, 1);
    this.changed?.('removed', id);
    return true;
  }

  private find(request: CompletionRequest): CompletionRule | undefined {
    return this.rules.length === 0 ? undefined : first(this.rules, request);
  }

  clear(): void {
    this.rules = [];
    this.changed?.('cleared', null);
  }

  /** The rule that would answer this request, not counted as used (a copy). */
  peek(request: CompletionRequest): CompletionRule | undefined {
    const rule = this.find(request);
    return rule && copy(rule);
  }

  /** The rule that answers this request, counted as used (an exhausted rule then disappears). */
  take(request: CompletionRequest): CompletionRule | undefined {
    const rule = this.find(request);
    if (!rule) return undefined;
    rule.hits++;
    if (rule.remaining !== null) rule.remaining--;
    this.changed?.('used', rule.id);
    const taken = copy(rule);
    if (rule.remaining !== null && rule.remaining <= 0) this.remove(rule.id);
    return taken;
  }
}

/** The newest rule that meets the request. */
function first(rules: readonly CompletionRule[], request: CompletionRequest): CompletionRule | undefined {
  return rules.find(
    ({ match }) =>
      (match.model === undefined || match.model === request.model) &&
      (match.key === undefined || match.key === request.keyHash) &&
      (match.account === undefined || match.account === request.accountId),
  );
}

/** A copy for the caller: its match's fields in a fixed order, whatever order the client sent them in. */
function copy(rule: CompletionRule): CompletionRule {
  const { model, key, account } = rule.match;
  const match: CompletionMatch = {};
  if (model !== undefined) match.model = model;
  if (key !== undefined) match.key = key;
  if (account !== undefined) match.account = account;
  const out: CompletionRule = { match, id: rule.id, remaining: rule.remaining, hits: rule.hits };
  for (const field of FIELDS) if (rule[field] !== undefined) (out as unknown as Record<string, unknown>)[field] = rule[field];
  if (out.error) out.error = { code: out.error.code, message: out.error.message };
  return out;
}
