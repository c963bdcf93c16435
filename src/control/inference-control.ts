import type { CompletionRule, CompletionSpec } from '../domain/completion-rules.js';
import { apiError } from '../domain/errors.js';
import type { AccountCredits } from '../domain/types.js';
import type { MockRuntime } from '../mock-runtime.js';
import { CompletionSpecBody, CreditsBody } from '../schemas/inference-control.js';
import { IdParams } from '../schemas/control.js';
import { check } from './check.js';

/** How many rules a clear removed. */
export interface Cleared {
  deleted: number;
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
}
