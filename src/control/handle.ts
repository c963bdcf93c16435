import type { CompletionRule, CompletionSpec } from '../domain/completion-rules.js';
import type { FaultEdit, FaultRule, FaultSpec } from '../domain/faults.js';
import type { AccountCredits } from '../domain/types.js';
import type { JournalEntry } from '../domain/journal.js';
import { toIso } from '../domain/rules.js';
import type { KeyView, StoreState } from '../domain/types.js';
import type { AccountKeysQuery, KeySearch, KeySearchPage, MockControl, StateDocument } from './mock-control.js';
import type { Admission, AdmissionRequest } from './inference-control.js';
import type { AccountKey, AccountSummary, ClockState, CreatedAccount, Deleted, RequestsQuery, ScenarioSummary, StateSummary, WaitOptions } from './mock-control.js';

/**
 * The test handle: the `/__mock` control API as methods. Each calls the `MockControl` method of
 * its route, which checks the input against the route's schemas (a bad input rejects with the
 * route's 400: the same `ApiError`, status and message) and then runs the very `ControlCore` method
 * the route runs, so it resolves to the same JSON — the route's `data` when it answers `{data: …}`,
 * else its whole body. Asynchronous so that a handle over HTTP could share the interface.
 */
export interface MockHandle {
  /** `POST /__mock/reset`: back to exactly the start-up state; faults and journal emptied. */
  reset(): Promise<StateSummary>;
  /** `GET /__mock/state`: every account and key; `{include: ['clock', 'faults']}` (either or both) adds them. */
  state(options?: { include?: readonly ('clock' | 'faults')[] }): Promise<StateDocument>;
  /** `PUT /__mock/state`: replaces the whole state (validated: a bad document changes nothing); a document's clock and faults, when present, too. */
  load(state: StateDocument): Promise<StateSummary>;
  /** `GET /__mock/scenarios`. */
  scenarios(): Promise<ScenarioSummary[]>;
  /** `POST /__mock/scenarios/:name`: replaces an account's keys (default: the first account's). */
  scenario(name: string, options?: { account_id?: string; seed?: number }): Promise<AccountSummary>;
  /** `POST /__mock/accounts`: a fresh, isolated account; its `management_key` is its bearer token. */
  createAccount(options?: { scenario?: string; seed?: number }): Promise<CreatedAccount>;
  /** `GET /__mock/accounts/:id/management-key`: its plaintext, or null for an imported account. */
  accountKey(id: string): Promise<AccountKey>;
  /** `DELETE /__mock/accounts/:id`. */
  deleteAccount(id: string): Promise<Deleted>;
  /** `GET /__mock/accounts/:id/keys`: its keys as `GET /api/v1/keys` lists them, without journal, faults or latency. */
  accountKeys(id: string, query?: AccountKeysQuery): Promise<KeyView[]>;
  /** `GET /__mock/accounts/:id/keys/search`: keys by the start of a name, label or hash (or all), the total, and each one's admission. */
  keySearch(id: string, query?: KeySearch): Promise<KeySearchPage>;
  /** `GET /__mock/keys/:hash/admission`: what a chat completion with this key would get now (accepted, or the refusal). */
  admission(hash: string, request?: AdmissionRequest): Promise<Admission>;
  /** `GET /__mock/accounts`. */
  accounts(): Promise<AccountSummary[]>;
  /** `GET /__mock/clock` and `POST /__mock/clock`: each answers `{now, frozen}`. */
  clock: {
    now(): Promise<ClockState>;
    /** `{"now": at}`; a Date or epoch milliseconds is sent as its ISO 8601 form. */
    set(at: Date | string | number): Promise<ClockState>;
    /** `{"advance": by}`: milliseconds, or a duration such as "90s", "36h", "1d12h30m". */
    advance(by: number | string): Promise<ClockState>;
    /** `{"frozen": true}`. */
    freeze(): Promise<ClockState>;
    /** `{"frozen": false}`. */
    unfreeze(): Promise<ClockState>;
  };
  /** `POST /__mock/keys/:hash/usage`: spend (USD) in every window; a number is `{amount}`. */
  recordUsage(hash: string, spend: number | { amount: number; byok?: number }): Promise<KeyView>;
  /** `GET /__mock/accounts/:id/credits`: an account's credits (USD). */
  credits(accountId: string): Promise<AccountCredits>;
  /** `POST /__mock/accounts/:id/credits`: sets either figure, or both. */
  setCredits(accountId: string, change: Partial<AccountCredits>): Promise<AccountCredits>;
  /** `POST /__mock/completions`: what matching chat completions answer (reply, tokens, cost, delay, a mid-stream error, BYOK). */
  completion(spec: CompletionSpec): Promise<CompletionRule>;
  /** `GET /__mock/completions`. */
  completions(): Promise<CompletionRule[]>;
  /** `DELETE /__mock/completions/:id`. */
  removeCompletion(id: string): Promise<Deleted>;
  /** `DELETE /__mock/completions`. */
  clearCompletions(): Promise<Deleted>;
  /** `POST /__mock/faults`. */
  fault(spec: FaultSpec): Promise<FaultRule>;
  /** `GET /__mock/faults`. */
  faults(): Promise<FaultRule[]>;
  /** `PATCH /__mock/faults/:id`: enable, disable or change a rule (a null clears a field; `times` restarts the count). */
  editFault(id: string, change: FaultEdit): Promise<FaultRule>;
  /** `DELETE /__mock/faults/:id`. */
  removeFault(id: string): Promise<Deleted>;
  /** `DELETE /__mock/faults`. */
  clearFaults(): Promise<Deleted>;
  /**
   * `GET /__mock/requests`: one page of the journal's entries, newest first (the route's `data`):
   * at most `limit` (default 1,000, at most 10,000). `after: id` keeps the entries written after
   * that one; `before: id` the older ones (the next page). `since` compares with the entries'
   * `time`, the virtual clock; it may also be a Date or epoch milliseconds, sent as ISO 8601.
   */
  requests(filter?: Omit<RequestsQuery, 'since'> & { since?: Date | string | number }): Promise<JournalEntry[]>;
  /** `DELETE /__mock/requests`. */
  clearRequests(): Promise<Deleted>;
  /**
   * The first journal entry matching `filter` (as `requests()` takes it, without `limit` and
   * `before`): the oldest already recorded, else the next to arrive — what an end-to-end test
   * waits for after a click. `{ next: true }`: only a request written after this call. Rejects
   * after `timeout` ms (default 5,000) saying what it waited for. No route: a wait is not a request.
   */
  waitForRequest(filter?: Omit<RequestsQuery, 'since' | 'limit' | 'before'> & { since?: Date | string | number }, options?: WaitOptions): Promise<JournalEntry>;
}

/**
 * An instant as a query string or body would carry it. A Date or a number that is no instant is
 * passed on as text, for the schema to refuse as the route would.
 */
const wireInstant = (value: Date | string | number): string => {
  if (typeof value === 'string') return value;
  const ms = value instanceof Date ? value.getTime() : value;
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? toIso(ms) : String(value);
};

/** The handle over a mock's control plane: the server's app (`app.control`) or an in-process door's. */
export function createHandle(owner: { readonly control: MockControl }): MockHandle {
  const { control } = owner;
  return {
    reset: async () => control.reset(),
    state: async (options = {}) => control.state(options.include === undefined ? {} : { include: options.include.join(',') }),
    load: async (state) => control.load(state),
    scenarios: async () => control.scenarios(),
    scenario: async (name, options) => control.scenario(name, options),
    createAccount: async (options) => control.createAccount(options),
    accountKey: async (id) => control.accountKey(id),
    deleteAccount: async (id) => control.deleteAccount(id),
    accountKeys: async (id, query) => control.accountKeys(id, query),
    keySearch: async (id, query) => control.keySearch(id, query),
    admission: async (hash, request) => control.inference.admission(hash, request),
    accounts: async () => control.accounts(),
    clock: {
      now: async () => control.clock(),
      set: async (at) => control.setClock({ now: wireInstant(at) }),
      advance: async (by) => control.setClock({ advance: by }),
      freeze: async () => control.setClock({ frozen: true }),
      unfreeze: async () => control.setClock({ frozen: false }),
    },
    recordUsage: async (hash, spend) => control.recordUsage(hash, typeof spend === 'number' ? { amount: spend } : spend),
    credits: async (accountId) => control.inference.credits(accountId),
    setCredits: async (accountId, change) => control.inference.setCredits(accountId, change),
    completion: async (spec) => control.inference.addCompletionRule(spec),
    completions: async () => control.inference.completionRules(),
    removeCompletion: async (id) => control.inference.removeCompletionRule(id),
    clearCompletions: async () => control.inference.clearCompletionRules(),
    fault: async (spec) => control.addFault(spec),
    faults: async () => control.faults(),
    editFault: async (id, change) => control.editFault(id, change),
    removeFault: async (id) => control.removeFault(id),
    clearFaults: async () => control.clearFaults(),
    requests: async (filter = {}) => {
      const { since, ...rest } = filter;
      return control.requests({ ...rest, ...(since !== undefined ? { since: wireInstant(since) } : {}) }).data;
    },
    clearRequests: async () => control.clearRequests(),
    waitForRequest: async (filter = {}, options = {}) => {
      const { since, ...rest } = filter;
      return control.waitForRequest({ ...rest, ...(since !== undefined ? { since: wireInstant(since) } : {}) }, options);
    },
  };
}
