import type { CompletionRule, CompletionSpec } from '../domain/completion-rules.js';
import { apiError, type ApiError } from '../domain/errors.js';
import type { Account, StoredKey } from '../domain/account.js';
import type { AccountCredits } from '../domain/types.js';
import type { MockRuntime } from '../mock-runtime.js';
import type { Static } from '@sinclair/typebox';
import { AdmissionQuery, CompletionSpecBody, CreditsBody, type AdmissionSchema } from '../schemas/inference-control.js';
import { HashParams, IdParams } from '../schemas/control.js';
import { check } from './check.js';

/** How many rules a clear removed. */
export interface Cleared {
  deleted: number;
}

export type AdmissionRequest = Static<typeof AdmissionQuery>;
export type Admission = Static<typeof AdmissionSchema>;

/** An admission's answer: the refusal's envelope as the chat route writes it (src/http/engine.ts, errorEnvelope), or accepted. */
function admissionOf(error: ApiError | null): Admission {
  if (error === null) return { accepted: true, status: 200, error: null };
  return {
    accepted: false,
    status: error.status,
    error: error.metadata ? { code: error.status, message: error.message, metadata: error.metadata } : { code: error.status, message: error.message },
  };
}

/**
 * The inference surface's part of the test-control plane: an account's credits and the
 * completion rules. `InferenceCore` takes input the engine has validated (the `/__mock` routes);
 * `InferenceControl`, what the test handle calls, checks it first against the same schemas.
 */
export class InferenceCore {
  constructor(private readonly runtime: MockRuntime) {}

  credits(accountId: string): AccountCredits {
    return this.runtime.store.credits(this.account(accountId));
  }

  setCredits(accountId: string, change: Partial<AccountCredits>): AccountCredits {
    return this.runtime.store.setCredits(this.account(accountId), change);
  }

  addCompletionRule(spec: CompletionSpec): CompletionRule {
    return this.runtime.completionRules.add(spec);
  }

  completionRules(): CompletionRule[] {
    return this.runtime.completionRules.list();
  }

  removeCompletionRule(id: string): Cleared {
    if (!this.runtime.completionRules.remove(id)) throw apiError('completionRuleNotFound', id);
    return { deleted: 1 };
  }

  clearCompletionRules(): Cleared {
    const deleted = this.runtime.completionRules.size;
    this.runtime.completionRules.clear();
    return { deleted };
  }

  /**
   * What a chat completion with this key would get right now (`Inference.admission`: the chat
   * route's own checks, nothing changed): the default request is one "Hello" to the default model.
   */
  admission(hash: string, request: AdmissionRequest = {}): Admission {
    const owner = this.runtime.store.ownerOf(hash);
    const key = owner?.keys.get(hash);
    if (!owner || !key) throw apiError('keyNotFound', hash);
    return this.admissionOf(owner, key, request);
  }

  /** The same for a key already found (the inspector's search answers one per key). */
  admissionOf(account: Account, key: StoredKey, request: AdmissionRequest = {}): Admission {
    const messages = [{ role: 'user', content: request.prompt ?? 'Hello' }];
    return admissionOf(this.runtime.inference.admission({ kind: 'key', account, key }, { model: request.model, messages, maxTokens: request.max_tokens, stream: false }));
  }

  private account(id: string) {
    const account = this.runtime.store.account(id);
    if (!account) throw apiError('accountNotFound', id);
    return account;
  }
}

export class InferenceControl {
  readonly unchecked: InferenceCore;

  constructor(runtime: MockRuntime) {
    this.unchecked = new InferenceCore(runtime);
  }

  credits(accountId: string): AccountCredits {
    check(IdParams, { id: accountId }, 'params');
    return this.unchecked.credits(accountId);
  }

  setCredits(accountId: string, change: Partial<AccountCredits>): AccountCredits {
    check(IdParams, { id: accountId }, 'params');
    return this.unchecked.setCredits(accountId, check(CreditsBody, change));
  }

  addCompletionRule(spec: CompletionSpec): CompletionRule {
    return this.unchecked.addCompletionRule(check(CompletionSpecBody, spec));
  }

  completionRules(): CompletionRule[] {
    return this.unchecked.completionRules();
  }

  removeCompletionRule(id: string): Cleared {
    check(IdParams, { id }, 'params');
    return this.unchecked.removeCompletionRule(id);
  }

  clearCompletionRules(): Cleared {
    return this.unchecked.clearCompletionRules();
  }

  admission(hash: string, request: AdmissionRequest = {}): Admission {
    check(HashParams, { hash }, 'params');
    return this.unchecked.admission(hash, check(AdmissionQuery, request, 'querystring'));
  }
}
