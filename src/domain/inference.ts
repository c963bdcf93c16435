import type { Account, StoredKey } from './account.js';
import type { CompletionRule, CompletionRules } from './completion-rules.js';
import { ApiError, apiError } from './errors.js';
import type { Generations } from './generations.js';
import type { KeyStore } from './key-store.js';
import { FREE_MODEL_DAILY_REQUESTS, roundUsd } from './limit.js';
import type { CatalogueModel, Model, ModelCatalogue } from './models.js';
import { toIso } from './rules.js';
import { nextReset } from './windows.js';
import { checkCredits, checkKeyLimit, type LimitErrorStyle, type SpendRequest } from './spend-limit.js';
import { countPromptTokens, countTextTokens, defaultReplyTokens, generateReply, type CountedMessage } from './tokens.js';

/**
 * Chat completions as the key rules see them: which model answers, what the reply is, what it
 * costs, whether the key and the account may pay for it — checked before anything is charged —
 * and the charge, to every window of the key and to the account, with the generation kept for
 * `GET /api/v1/generation`. Pure: the HTTP layer (src/http/operations/chat.ts) frames the answer.
 *
 * A request is `begin`-ed (refused, or planned: nothing charged yet) and `settle`-d with the
 * completion tokens the client got: all of them for a plain answer and a stream that ran to its
 * end; those sent so far for a stream the client cut off (charged for what was sent) or that a
 * rule failed mid-way.
 */

/** A key principal: inference is for ordinary keys only. */
export interface KeyPrincipal {
  kind: 'key';
  account: Account;
  key: StoredKey;
}

export interface CompletionRequest {
  /** The model named, or undefined for the catalogue's default. */
  model?: string | undefined;
  messages: readonly CountedMessage[];
  /** `max_tokens` (or `max_completion_tokens`), if sent. */
  maxTokens?: number | undefined;
  stream: boolean;
}

/** A completion decided and allowed, not yet charged. */
export interface PlannedCompletion {
  readonly id: string;
  readonly principal: KeyPrincipal;
  readonly model: CatalogueModel<Model>;
  /** The provider that serves it, as OpenRouter names it. */
  readonly provider: string;
  /** What the prompt costs at the model's price (USD); 0 for a free model or a rule's fixed cost. */
  readonly promptCost: number;
  /** Unix seconds. */
  readonly created: number;
  readonly text: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly byok: boolean;
  readonly stream: boolean;
  /** Milliseconds between chunks (a rule's), 0 by default. */
  readonly chunkDelayMs: number;
  /** A rule's mid-stream failure: after this many content chunks, this error. */
  readonly failure?: { afterChunks: number; code: number; message: string };
  /** A rule's cost for the whole answer (USD), instead of the model's prices. */
  readonly fixedCost?: number;
  /** The rule that answered, by id (for the journal). */
  readonly ruleId?: string;
}

/** What a settled completion cost and counted. */
export interface Settled {
  cost: number;
  completionTokens: number;
}


export interface InferenceDeps {
  store: KeyStore;
  catalogue: ModelCatalogue<Model>;
  generations: Generations;
  rules: CompletionRules;
  /** The seed of the reply text (`--seed`). */
  seed: number;
  /** How a spent key is refused (`--limit-errors`). */
  limitErrors: LimitErrorStyle;
}

const DAY_MS = 86_400_000;

export class Inference {
  /** Free-model requests of each key today: the UTC day (epoch days) and the count. */
  private readonly freeRequests = new Map<string, { day: number; used: number }>();
  /**
   * Replies made lately, by prompt, then by the lengths asked for (bounded: see `reply`). Two
   * levels, so that a lookup hashes the prompt as it arrived, not a fresh string made of it.
   */
  private readonly replies = new Map<string, Map<string, { text: string; tokens: number }>>();
  private repliesKept = 0;

  constructor(private readonly deps: InferenceDeps) {}

  /** The free-model requests a key has made today, and its daily limit (`GET /key`). */
  freeModelRequests(hash: string): { limit: number; remaining: number; used: number } {
    const entry = this.freeRequests.get(hash);
    const used = entry && entry.day === Math.floor(this.deps.store.now() / DAY_MS) ? entry.used : 0;
    return { limit: FREE_MODEL_DAILY_REQUESTS, remaining: Math.max(0, FREE_MODEL_DAILY_REQUESTS - used), used };
  }

  /**
   * What a chat completion with this key would get right now: null (accepted) or the `ApiError`
   * it would be refused with — the key's own state first (disabled, expired: the bearer token's
   * rule, `KeyStore.refuseUnusable`), then every check `begin` makes, by the same code. Changes
   * nothing: no rule is used, nothing is charged or counted. Fault rules are not consulted (they
   * answer requests, not keys).
   */
  admission(principal: KeyPrincipal, request: CompletionRequest): ApiError | null {
    try {
      this.deps.store.refuseUnusable(principal.key);
      this.decide(principal, request);
      return null;
    } catch (error) {
      if (error instanceof ApiError) return error;
      throw error;
    }
  }

  /** The model, rule, reply and price of a request, and its checks (`begin`'s first half): throws to refuse, changes nothing. */
  private decide(principal: KeyPrincipal, request: CompletionRequest) {
    const { catalogue, store, rules } = this.deps;
    if (request.messages.length === 0) throw apiError('inputRequired');
    const model = request.model === undefined ? catalogue.defaultModel : catalogue.find(request.model);
    if (!model) throw apiError('unknownModel', request.model!);
    const now = store.sync();
    const match = { model: model.id, keyHash: principal.key.hash, accountId: principal.account.id };
    const rule = rules.peek(match);
    const promptText = promptTextOf(request.messages);
    const promptTokens = rule?.prompt_tokens ?? countPromptTokens(request.messages);
    let completionTokens: number;
    let text: string;
    if (rule?.content !== undefined) {
      text = rule.content;
      completionTokens = rule.completion_tokens ?? countTextTokens(text);
    } else {
      const reply = this.reply(promptText, request.maxTokens, rule?.completion_tokens);
      text = reply.text;
      completionTokens = reply.tokens;
    }
    const byok = rule?.byok ?? model.byok;
    const spend = spendOf(model, rule, promptTokens, request.maxTokens ?? maxCompletionTokens(model, completionTokens), byok);
    if (model.free) {
      if (this.freeModelRequests(principal.key.hash).remaining === 0) {
        // As OpenRouter's rate limits say it: the limit, none left, and when it resets (epoch ms).
        throw apiError('freeModelsPerDay', FREE_MODEL_DAILY_REQUESTS).withHeaders({
          'x-ratelimit-limit': String(FREE_MODEL_DAILY_REQUESTS),
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(nextReset(now)),
        });
      }
    } else {
      checkKeyLimit(principal.key, spend, this.deps.limitErrors);
      checkCredits(store.credits(principal.account), spend);
    }
    return { now, model, rule, match, text, promptTokens, completionTokens, byok, spend };
  }

  /**
   * Decides a completion and checks that it may run: the model (400 for an unknown one), the
   * rule that answers it, the key's limit, the account's credits, a free model's daily requests
   * (429). Throws an `ApiError` to refuse; a refusal charges and changes nothing, the rule's use
   * included (it is taken only once every check passed).
   */
  begin(principal: KeyPrincipal, request: CompletionRequest): PlannedCompletion {
    const { rules } = this.deps;
    const { now, model, rule, match, text, promptTokens, completionTokens, byok, spend } = this.decide(principal, request);
    // Every check passed: the rule is used now (a refused request does not use it up).
    const taken = rule ? rules.take(match) : undefined;
    // Every field written, in one order, whether a rule set it or not: one shape for every
    // completion (the readers test `failure` and `fixedCost` for undefined).
    const planned: PlannedCompletion = {
      id: this.deps.generations.newId(now),
      principal,
      model,
      provider: providerOf(model.id),
      promptCost: spend.promptCost > 0 && rule?.cost === undefined ? spend.promptCost : 0,
      created: Math.floor(now / 1000),
      text,
      promptTokens,
      completionTokens,
      byok,
      stream: request.stream,
      chunkDelayMs: rule?.chunk_delay_ms ?? 0,
      failure:
        rule?.error_after_chunks !== undefined
          ? { afterChunks: rule.error_after_chunks, code: rule.error?.code ?? 502, message: rule.error?.message ?? 'Upstream error from the provider (mock rule)' }
          : undefined,
      fixedCost: rule?.cost,
      ruleId: taken?.id,
    };
    return planned;
  }

  /**
   * Charges a planned completion for the completion tokens the client got (all of them, or those
   * sent before the client left or the stream failed), and keeps its generation. A fixed cost (a
   * rule's) is charged in proportion. Free models cost nothing and count a free request.
   */
  settle(planned: PlannedCompletion, options: { completionTokens?: number; cancelled?: boolean; finishReason?: string; latencyMs?: number; generationMs?: number } = {}): Settled {
    const { store, generations } = this.deps;
    const completionTokens = Math.min(planned.completionTokens, options.completionTokens ?? planned.completionTokens);
    const whole = completionTokens === planned.completionTokens;
    let cost: number;
    if (planned.model.free) cost = 0;
    // A share of a rule's cost, rounded as usage keeps USD: what the answer says is what is charged.
    else if (planned.fixedCost !== undefined) cost = whole || planned.completionTokens === 0 ? planned.fixedCost : roundUsd((planned.fixedCost * completionTokens) / planned.completionTokens);
    else cost = roundUsd(planned.model.cost(planned.promptTokens, completionTokens));
    if (planned.model.free) this.countFree(planned.principal.key.hash);
    else store.charge(planned.principal, cost, planned.byok);
    generations.add({
      id: planned.id,
      account_id: planned.principal.account.id,
      key_hash: planned.principal.key.hash,
      created_at: toIso(planned.created * 1000),
      model: planned.model.id,
      provider_name: planned.provider,
      tokens_prompt: planned.promptTokens,
      tokens_completion: completionTokens,
      total_cost: cost,
      is_byok: planned.byok,
      streamed: planned.stream,
      finish_reason: options.finishReason ?? 'stop',
      cancelled: options.cancelled ?? false,
      latency: options.latencyMs ?? 0,
      generation_time: options.generationMs ?? 0,
      external_user: planned.principal.key.external_user,
    });
    return { cost, completionTokens };
  }

  /**
   * The seeded reply to a prompt, `tokens` long (default: 16–48, at most `maxTokens`). Kept for the
   * prompts seen last: the same prompt gets the same reply, and making it is most of a completion's
   * own cost.
   */
  private reply(prompt: string, maxTokens: number | undefined, tokens: number | undefined): { text: string; tokens: number } {
    const cacheable = prompt.length <= 4096;
    const lengths = maxTokens === undefined && tokens === undefined ? '' : `${maxTokens ?? ''}|${tokens ?? ''}`;
    const byLength = cacheable ? this.replies.get(prompt) : undefined;
    const known = byLength?.get(lengths);
    if (known) return known;
    const count = tokens ?? defaultReplyTokens(this.deps.seed, prompt, maxTokens);
    const reply = { text: generateReply(this.deps.seed, prompt, count), tokens: count };
    if (cacheable) {
      if (this.repliesKept >= 256) {
        this.replies.clear();
        this.repliesKept = 0;
      }
      let kept = this.replies.get(prompt);
      if (!kept) this.replies.set(prompt, (kept = new Map()));
      kept.set(lengths, reply);
      this.repliesKept++;
    }
    return reply;
  }

  /** Forgets the free-model request counts (a reset). */
  forget(): void {
    this.freeRequests.clear();
  }

  private countFree(hash: string): void {
    const day = Math.floor(this.deps.store.now() / DAY_MS);
    const entry = this.freeRequests.get(hash);
    if (entry && entry.day === day) entry.used++;
    else this.freeRequests.set(hash, { day, used: 1 });
  }
}

/** The prompt's text, for the seeded reply: the messages' string contents, a line each (one message: its content as it is). */
function promptTextOf(messages: readonly CountedMessage[]): string {
  const textOf = (message: CountedMessage) => (typeof message.content === 'string' ? message.content : '');
  if (messages.length === 1) return textOf(messages[0]!);
  return messages.map(textOf).join('\n');
}

/** The provider's name, as OpenRouter names the one that served a model (its id's vendor, capitalised). */
const PROVIDERS: Readonly<Record<string, string>> = { openai: 'OpenAI', anthropic: 'Anthropic', google: 'Google', 'meta-llama': 'Meta' };
export function providerOf(modelId: string): string {
  const slash = modelId.indexOf('/');
  const vendor = slash === -1 ? modelId : modelId.slice(0, slash);
  return PROVIDERS[vendor] ?? vendor.charAt(0).toUpperCase() + vendor.slice(1);
}

/** The most completion tokens a request without `max_tokens` may produce: the model's own cap, else the reply's length. */
function maxCompletionTokens(model: CatalogueModel<Model>, replyTokens: number): number {
  const cap = (model.model.top_provider as { max_completion_tokens?: unknown } | undefined)?.max_completion_tokens;
  return typeof cap === 'number' && Number.isSafeInteger(cap) && cap > 0 ? Math.max(cap, replyTokens) : replyTokens;
}

/** The request's price before it runs: the model's per-token prices, or a rule's fixed cost as the whole. */
function spendOf(model: CatalogueModel<Model>, rule: CompletionRule | undefined, promptTokens: number, maxTokens: number, byok: boolean): SpendRequest {
  if (model.free) return { promptCost: 0, completionPrice: 0, maxTokens, byok };
  if (rule?.cost !== undefined) return { promptCost: rule.cost, completionPrice: 0, maxTokens, byok };
  return { promptCost: model.cost(promptTokens, 0), completionPrice: model.cost(0, 1), maxTokens, byok };
}
