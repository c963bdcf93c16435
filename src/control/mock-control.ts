import { parseDuration } from '../domain/duration.js';
import { apiError } from '../domain/errors.js';
import type { FaultEdit, FaultRule, FaultSpec } from '../domain/faults.js';
import { CLOCK_MAX, CLOCK_MIN, clockCanStandAt } from '../domain/instant.js';
import { JOURNAL_FILTER_KEYS, journalMatcher, type JournalEntry, type JournalFilter } from '../domain/journal.js';
import { maskKeys } from '../domain/redaction.js';
import { copyState, type Account } from '../domain/key-store.js';
import { createRandom } from '../domain/random.js';
import { parseUtcInstant, toIso } from '../domain/rules.js';
import { plaintextKey } from '../domain/secrets.js';
import type { AccountState, KeyView, StoreState } from '../domain/types.js';
import { buildAccount, fillAccount } from '../data/dataset.js';
import { ScenarioError } from '../data/scenarios.js';
import { createSeededFaker } from '../data/seeded-faker.js';
import type { Static } from '@sinclair/typebox';
import { controlSeed, generationSeed, keySeed, type MockRuntime } from '../mock-runtime.js';
import { check } from './check.js';
import { InferenceControl, InferenceCore } from './inference-control.js';
import { closestOption } from '../options.js';
import {
  AccountCreateBody,
  AccountKeysQuery as AccountKeysQuerySchema,
  KeySearchPageSchema,
  KeySearchQuery,
  ClockChangeBody,
  FaultEditBody,
  FaultSpecBody,
  HashParams,
  IdParams,
  JOURNAL_PAGE_DEFAULT,
  JournalQuery,
  ScenarioApplyBody,
  ScenarioNameParams,
  StateQuery,
  UsageBody,
} from '../schemas/control.js';
import { listKeysOptions } from '../schemas/keys.js';
import { AccountIds } from './account-ids.js';
import { checkStateDocument, type StateDocument } from './state-document.js';
import { stateError } from '../domain/state-rules.js';

export type { StateDocument } from './state-document.js';

/** `GET /__mock/state`'s query: `include=clock,faults` adds them to the export. */
export type StateQueryInput = Static<typeof StateQuery>;

/** `GET /__mock/accounts/:id/keys`' query: `GET /api/v1/keys`' own. */
export type AccountKeysQuery = Static<typeof AccountKeysQuerySchema>;
export type KeySearch = Static<typeof KeySearchQuery>;
export type KeySearchPage = Static<typeof KeySearchPageSchema>;

/** An account as the control plane describes it. */
export interface AccountSummary {
  id: string;
  user_id: string;
  default_workspace_id: string;
  workspace_ids: string[];
  management_key_label: string;
  keys: number;
}

export interface CreatedAccount extends AccountSummary {
  /** The new account's management key (plaintext; shown once, like POST /keys). */
  management_key: string;
}

/** `GET /__mock/accounts/:id/management-key`. */
export interface AccountKey {
  management_key: string | null;
}

export interface ClockState {
  now: string;
  frozen: boolean;
}

export interface ClockChange {
  /** Jump to this instant (ISO 8601). */
  now?: string;
  /** Move forward by milliseconds, or a duration such as "90s", "36h", "1d12h30m". */
  advance?: number | string;
  /** Stop (true) or restart (false) the clock. */
  frozen?: boolean;
}

export interface ScenarioSummary {
  name: string;
  description: string;
  keys: number;
}

/** What `/__mock/reset` and `PUT /__mock/state` answer: how much the state now holds. */
export interface StateSummary {
  accounts: number;
  keys: number;
}

/** What the DELETE routes answer. */
export interface Deleted {
  deleted: number;
}

/** The journal filter as `GET /__mock/requests` takes it (`since` an ISO 8601 date-time). */
export type RequestsQuery = Static<typeof JournalQuery>;

/** `GET /__mock/requests`: the entries, newest first, the journal's size and where the next page starts. */
export interface RequestsPage {
  data: JournalEntry[];
  meta: { total: number; capacity: number; enabled: boolean; next_before: number | null };
}

/** What `waitForRequest` takes besides its filter. */
export interface WaitOptions {
  /** Give up after this many milliseconds (default 5,000, at most 600,000). */
  timeout?: number;
  /** Only a request still to come: one written after the call (`after` the newest id now). */
  next?: boolean;
}

/** The filter keys `waitForRequest` takes: those of `requests()` but the paging ones. */
const WAIT_FILTER_KEYS = JOURNAL_FILTER_KEYS.filter((key) => key !== 'limit' && key !== 'before');
const WAIT_OPTION_KEYS = ['timeout', 'next'] as const;

/**
 * A misspelt filter (`methd`) would otherwise be ignored, and the filter match everything: refused
 * with the closest known name, as a misspelt option is.
 */
function refuseUnknownFilters(filter: unknown, known: readonly string[]): void {
  // Anything but an object is the schema's to refuse.
  if (filter === null || typeof filter !== 'object') return;
  for (const name of Object.keys(filter)) {
    if (known.includes(name)) continue;
    const near = closestOption(name, known);
    throw apiError(
      'invalidField',
      'query parameter',
      `field ${JSON.stringify(name.slice(0, 60))}`,
      `is not a filter (${near ? `did you mean ${JSON.stringify(near)}? ` : ''}filters: ${known.join(', ')})`,
    );
  }
}

function refuseUnknownWaitOptions(options: unknown): void {
  if (options === null || typeof options !== 'object') return;
  for (const name of Object.keys(options)) {
    if ((WAIT_OPTION_KEYS as readonly string[]).includes(name)) continue;
    const near = closestOption(name, WAIT_OPTION_KEYS);
    throw apiError(
      'badRequest',
      `waitForRequest has no option ${JSON.stringify(name.slice(0, 60))} (${near ? `did you mean ${JSON.stringify(near)}? ` : ''}options: ${WAIT_OPTION_KEYS.join(', ')})`,
    );
  }
}

/** The clock's range as messages name it. */
const CLOCK_RANGE = `${toIso(CLOCK_MIN)} to ${toIso(CLOCK_MAX)}`;

/** How long `waitForRequest` waits by default, and at most. */
export const WAIT_TIMEOUT_MS = 5_000;
export const MAX_WAIT_MS = 600_000;

const summary = (account: Account): AccountSummary => ({
  id: account.id,
  user_id: account.state.user_id,
  default_workspace_id: account.state.default_workspace_id,
  workspace_ids: [...account.state.workspace_ids],
  management_key_label: account.state.management_key.label,
  keys: account.keys.size,
});

/**
 * The test-control plane: one implementation behind the `/__mock` routes and the handle that
 * `createMockServer()` returns, so both mean the same. Each method takes what its route takes
 * (path parameters, then the body or query), as its schemas type them, and returns what its route
 * answers: the `data` of a `{data}` envelope (which the route adds), or the whole body. Every
 * method either succeeds or throws an `ApiError` having changed nothing. Its input is taken as
 * valid against the route's schemas: the routes call it once the engine has validated the request;
 * everyone else calls `MockControl`, which checks first.
 */
export class ControlCore {
  private createdAccounts = 0;
  /**
   * The plaintext of the management keys this mock has seen in plaintext (configured, or made by
   * createAccount), by their hash: the inspector calls the real API with them. An imported state's
   * own keys are not among them (a state document holds hashes only).
   */
  private readonly plaintexts = new Map<string, string>();

  private readonly ids: AccountIds;

  constructor(private readonly runtime: MockRuntime) {
    this.ids = new AccountIds(runtime.store, runtime.sha256Hex);
    for (const key of runtime.config.managementKey) this.plaintexts.set(runtime.sha256Hex(key), key);
  }

  health() {
    const accounts = this.runtime.store.listAccounts();
    return { status: 'ok' as const, accounts: accounts.length, keys: accounts.reduce((n, a) => n + a.keys.size, 0) };
  }

  /** Back to exactly the start-up state: keys, accounts, clock, secrets stream; faults and journal emptied. */
  reset(): StateSummary {
    const { runtime } = this;
    runtime.clock.freeze(false);
    runtime.clock.set(runtime.startedAt);
    this.clockChanged();
    runtime.store.load(runtime.initialState());
    runtime.keyRandom = createRandom(keySeed(runtime.config.seed));
    runtime.controlRandom = createRandom(controlSeed(runtime.config.seed));
    runtime.generationRandom = createRandom(generationSeed(runtime.config.seed));
    runtime.generations.clear();
    runtime.completionRules.clear();
    runtime.inference.forget();
    runtime.faults.clear();
    runtime.journal.clear();
    this.createdAccounts = 0;
    return this.summary();
  }

  private summary(): StateSummary {
    const { accounts, keys } = this.health();
    return { accounts, keys };
  }

  /** Every account and key; with `include`, the clock and the fault rules too (a document `load` takes back). */
  state(query: StateQueryInput = {}): StateDocument {
    const document: StateDocument = this.runtime.store.export();
    const include = query.include?.split(',') ?? [];
    if (include.includes('clock')) document.clock = this.clock();
    if (include.includes('faults')) document.faults = this.runtime.faults.specs();
    return document;
  }

  /**
   * Replaces the whole state; a document of the wrong shape or that breaks a rule is a 400 naming
   * the entry. Its `clock` and `faults`, when present, replace the clock and the rules (all checked
   * before anything changes); absent, those stay as they are.
   */
  load(document: unknown): StateSummary {
    const checked = checkStateDocument(document);
    const { runtime } = this;
    const at = checked.clock === undefined ? undefined : this.clockTarget(checked.clock.now, (reason) => stateError(document, ['clock', 'now'], reason));
    if (checked.faults !== undefined) runtime.faults.check(checked.faults, (i, field, reason) => stateError(document, ['faults', i, ...field.split('.')], reason));
    runtime.store.load(copyState({ accounts: checked.accounts }));
    if (checked.faults !== undefined) runtime.faults.replace(checked.faults);
    if (checked.clock !== undefined) {
      runtime.clock.freeze(checked.clock.frozen);
      runtime.clock.set(at!);
      this.clockChanged();
    }
    return this.summary();
  }

  scenarios(): ScenarioSummary[] {
    return this.runtime.scenarios.names().map((name) => {
      const scenario = this.scenario$(name);
      return { name, description: scenario.description, keys: scenario.keys };
    });
  }

  /** Replaces one account's keys (default: the first account) with a scenario's dataset. */
  scenario(name: string, options: Static<typeof ScenarioApplyBody> = {}): AccountSummary {
    const scenario = this.scenario$(name);
    const { store } = this.runtime;
    const target = options.account_id === undefined ? store.listAccounts()[0] : store.account(options.account_id);
    if (!target) throw apiError('accountNotFound', options.account_id ?? '(none)');
    const state = { ...structuredClone(target.state), keys: [] };
    this.fill(state, scenario.name, { seed: options.seed, first: target === store.listAccounts()[0] });
    return summary(store.replaceAccount(state));
  }

  /** A fresh, isolated account with its own management key (and a scenario's keys, if named). */
  createAccount(options: Static<typeof AccountCreateBody> = {}): CreatedAccount {
    const { runtime } = this;
    if (options.scenario !== undefined) this.scenario$(options.scenario);
    const managementKey = plaintextKey(runtime.controlRandom.hex(64));
    const now = runtime.store.now();
    const seed = options.seed ?? runtime.config.seed + ++this.createdAccounts;
    const faker = createSeededFaker(seed, now);
    const state = buildAccount({ managementKey, first: false, faker, now, sha256Hex: runtime.sha256Hex });
    if (runtime.store.account(state.id)) throw apiError('badRequest', 'account id collision; try again');
    // The same seed draws the same workspace ids: one another account holds is replaced by a fresh one.
    this.ids.ownWorkspaces(state, seed);
    if (options.scenario !== undefined) this.fill(state, options.scenario, { seed, first: false });
    const account = runtime.store.addAccount(state);
    this.plaintexts.set(state.management_key.hash, managementKey);
    return { ...summary(account), management_key: managementKey };
  }

  accounts(): AccountSummary[] {
    return this.runtime.store.listAccounts().map(summary);
  }

  /** An account's management key in plaintext, when this mock knows it (null: an imported account's). */
  accountKey(id: string): AccountKey {
    const account = this.runtime.store.account(id);
    if (!account) throw apiError('accountNotFound', id);
    return { management_key: this.plaintexts.get(account.state.management_key.hash) ?? null };
  }

  /**
   * An account's keys as `GET /api/v1/keys` lists them (same query, same store listing), read
   * without its management key and outside the API: not journalled, faulted or delayed (the inspector reads with it).
   */
  accountKeys(id: string, query: AccountKeysQuery = {}): KeyView[] {
    const account = this.runtime.store.account(id);
    if (!account) throw apiError('accountNotFound', id);
    return this.runtime.store.list(account, listKeysOptions(query));
  }

  /**
   * The inspector's key table: a page of an account's keys (by the start of a name, label or
   * hash, or all of them), the total, and what a chat completion with each would get now. O(log n
   * + page) (KeyStore.search); not journalled, faulted or delayed.
   */
  keySearch(id: string, query: KeySearch = {}): KeySearchPage {
    const account = this.runtime.store.account(id);
    if (!account) throw apiError('accountNotFound', id);
    const page = this.runtime.store.search(account, {
      query: query.q,
      field: query.field,
      offset: query.offset,
      reverse: query.reverse === 'true',
      workspaceId: query.workspace_id,
    });
    const inference = new InferenceCore(this.runtime);
    return {
      keys: page.data.map((view) => ({ ...view, admission: inference.admissionOf(account, account.keys.get(view.hash)!) })),
      total: page.total,
      offset: page.offset,
    };
  }

  deleteAccount(id: string): Deleted {
    if (!this.runtime.store.removeAccount(id)) throw apiError('accountNotFound', id);
    return { deleted: 1 };
  }

  clock(): ClockState {
    const { clock } = this.runtime;
    return { now: toIso(this.runtime.store.sync()), frozen: clock.frozen };
  }

  /** Sets, advances, freezes or unfreezes the virtual clock; usage windows roll as it crosses them. */
  setClock(change: ClockChange): ClockState {
    const { clock } = this.runtime;
    if (change.now !== undefined && change.advance !== undefined) {
      throw apiError('invalidField', 'request body', 'fields "now" and "advance"', 'cannot be combined; send one');
    }
    let target: number | undefined;
    if (change.now !== undefined) target = this.clockTarget(change.now);
    if (change.advance !== undefined) {
      const ms = typeof change.advance === 'number' ? change.advance : parseDuration(change.advance);
      if (ms === null || !Number.isSafeInteger(ms) || ms < 0) {
        throw apiError(
          'invalidField',
          'request body',
          'field "advance"',
          'must be whole milliseconds ≥ 0 or a duration such as "90s", "36h", "1d12h30m"',
        );
      }
      target = clock.now() + ms;
      if (!clockCanStandAt(target)) {
        throw apiError('invalidField', 'request body', 'field "advance"', `would move the clock out of its range, ${CLOCK_RANGE}`);
      }
    }
    // Frozen first, then set: `{"now": X, "frozen": true}` stands at exactly X (set first, a
    // running clock had moved on by the time it stopped).
    if (change.frozen !== undefined) clock.freeze(change.frozen);
    if (target !== undefined) clock.set(target);
    this.clockChanged();
    return this.clock();
  }

  /**
   * The instant a `now` names (ISO 8601, UTC or with an offset), or a 400: of the request body's
   * field "now", or `refuse(reason)`'s (a state document's clock).
   */
  private clockTarget(now: string, refuse?: (reason: string) => Error): number {
    const fail = (reason: string) => (refuse ? refuse(reason) : apiError('invalidField', 'request body', 'field "now"', reason));
    const at = parseUtcInstant(now) ?? (/[+-]\d{2}:\d{2}$/.test(now) ? Date.parse(now) : Number.NaN);
    if (!Number.isFinite(at)) throw fail('must be an ISO 8601 date-time such as "2026-03-01T00:00:00Z"');
    if (!clockCanStandAt(at)) throw fail(`must be within the clock's range, ${CLOCK_RANGE}`);
    return at;
  }

  /** Tells listeners where the clock now is (the clock itself only counts time). */
  private clockChanged(): void {
    const { events, clock } = this.runtime;
    if (events.listening('clock')) events.emit({ type: 'clock', now: toIso(clock.now()), frozen: clock.frozen });
  }

  recordUsage(hash: string, spend: Static<typeof UsageBody>): KeyView {
    return this.runtime.store.recordUsage(hash, spend);
  }

  addFault(spec: FaultSpec): FaultRule {
    return this.runtime.faults.add(spec);
  }

  faults(): FaultRule[] {
    return this.runtime.faults.list();
  }

  /** Edits a rule: checked as an add is; a refused edit, or one of an unknown id (404), changes nothing. */
  editFault(id: string, change: FaultEdit): FaultRule {
    const rule = this.runtime.faults.edit(id, change);
    if (!rule) throw apiError('faultNotFound', id);
    return rule;
  }

  removeFault(id: string): Deleted {
    if (!this.runtime.faults.remove(id)) throw apiError('faultNotFound', id);
    return { deleted: 1 };
  }

  clearFaults(): Deleted {
    const deleted = this.runtime.faults.listed;
    this.runtime.faults.clear();
    return { deleted };
  }

  /** One page of the journal, newest first: at most `limit` entries (default 1,000), and about 16 MiB. A filter of an unknown name is a 400. */
  requests(query: RequestsQuery = {}): RequestsPage {
    refuseUnknownFilters(query, JOURNAL_FILTER_KEYS);
    return this.page(query);
  }

  /** `requests()` of a query whose names are all filters. */
  page({ since, limit = JOURNAL_PAGE_DEFAULT, ...rest }: RequestsQuery): RequestsPage {
    const filter: JournalFilter = { ...rest, limit, ...(since !== undefined ? { since: Date.parse(since) } : {}) };
    const { journal } = this.runtime;
    const { entries, nextBefore } = journal.page(filter);
    return { data: entries, meta: { total: journal.size, capacity: journal.capacity, enabled: journal.enabled, next_before: nextBefore } };
  }

  clearRequests(): Deleted {
    const deleted = this.runtime.journal.size;
    this.runtime.journal.clear();
    return { deleted };
  }

  private scenario$(name: string) {
    try {
      return this.runtime.scenarios.load(name);
    } catch (err) {
      if (err instanceof ScenarioError) throw apiError('scenarioNotFound', name, this.runtime.scenarios.names());
      throw err;
    }
  }

  private fill(state: AccountState, scenarioName: string, { seed = this.runtime.config.seed, first }: { seed?: number | undefined; first: boolean }) {
    const { runtime } = this;
    const scenario = this.scenario$(scenarioName);
    const now = runtime.store.now();
    fillAccount(state, {
      faker: createSeededFaker(seed, now),
      now,
      sha256Hex: runtime.sha256Hex,
      fixtures: this.ids.ownFixtures(scenario.fixtures, state, first, seed),
      fixturesSource: scenario.source,
      keys: scenario.keys,
      taken: (hash) => runtime.store.hashTaken(hash, state.id),
    });
  }
}

/**
 * The test-control plane as the test handle (`createHandle`) and `app.control` call it: each
 * method `ControlCore`'s, its input checked first against the schemas its route declares, so that
 * a bad input is refused with the route's 400 (the same `ApiError`, status and message). The
 * routes call `unchecked`: the same object, on input the engine has validated already.
 */
export class MockControl {
  /** The same methods without the input checks, for the `/__mock` routes. */
  readonly unchecked: ControlCore;

  /** The inference surface's credits and completion rules (src/control/inference-control.ts). */
  readonly inference: InferenceControl;

  constructor(private readonly runtime: MockRuntime) {
    this.unchecked = new ControlCore(runtime);
    this.inference = new InferenceControl(runtime);
  }

  health() {
    return this.unchecked.health();
  }

  /** Back to exactly the start-up state: keys, accounts, clock, secrets stream; faults and journal emptied. */
  reset(): StateSummary {
    return this.unchecked.reset();
  }

  /** Every account and key; `include: "clock,faults"` (either or both) adds them. */
  state(query: StateQueryInput = {}): StateDocument {
    return this.unchecked.state(check(StateQuery, query, 'querystring'));
  }

  /** Replaces the whole state; a document of the wrong shape or that breaks a rule is a 400 naming the entry. */
  load(document: unknown): StateSummary {
    return this.unchecked.load(document);
  }

  scenarios(): ScenarioSummary[] {
    return this.unchecked.scenarios();
  }

  /** Replaces one account's keys (default: the first account) with a scenario's dataset. */
  scenario(name: string, options: { account_id?: string; seed?: number } = {}): AccountSummary {
    check(ScenarioNameParams, { name }, 'params');
    return this.unchecked.scenario(name, check(ScenarioApplyBody, options));
  }

  /** A fresh, isolated account with its own management key (and a scenario's keys, if named). */
  createAccount(options: { scenario?: string; seed?: number } = {}): CreatedAccount {
    return this.unchecked.createAccount(check(AccountCreateBody, options));
  }

  accounts(): AccountSummary[] {
    return this.unchecked.accounts();
  }

  /** An account's management key in plaintext, when this mock knows it (null: an imported account's). */
  accountKey(id: string): AccountKey {
    check(IdParams, { id }, 'params');
    return this.unchecked.accountKey(id);
  }

  /** An account's keys as `GET /api/v1/keys` lists them: not journalled, faulted or delayed. */
  accountKeys(id: string, query: AccountKeysQuery = {}): KeyView[] {
    check(IdParams, { id }, 'params');
    return this.unchecked.accountKeys(id, check(AccountKeysQuerySchema, query, 'querystring'));
  }

  /** The inspector's key table: a page of keys found (or listed), their total, and each one's admission. */
  keySearch(id: string, query: KeySearch = {}): KeySearchPage {
    check(IdParams, { id }, 'params');
    return this.unchecked.keySearch(id, check(KeySearchQuery, query, 'querystring'));
  }

  deleteAccount(id: string): Deleted {
    check(IdParams, { id }, 'params');
    return this.unchecked.deleteAccount(id);
  }

  clock(): ClockState {
    return this.unchecked.clock();
  }

  /** Sets, advances, freezes or unfreezes the virtual clock; usage windows roll as it crosses them. */
  setClock(change: ClockChange): ClockState {
    return this.unchecked.setClock(check(ClockChangeBody, change));
  }

  recordUsage(hash: string, spend: { amount: number; byok?: number }): KeyView {
    check(HashParams, { hash }, 'params');
    return this.unchecked.recordUsage(hash, check(UsageBody, spend));
  }

  addFault(spec: FaultSpec): FaultRule {
    return this.unchecked.addFault(check(FaultSpecBody, spec));
  }

  faults(): FaultRule[] {
    return this.unchecked.faults();
  }

  editFault(id: string, change: FaultEdit): FaultRule {
    check(IdParams, { id }, 'params');
    return this.unchecked.editFault(id, check(FaultEditBody, change));
  }

  removeFault(id: string): Deleted {
    check(IdParams, { id }, 'params');
    return this.unchecked.removeFault(id);
  }

  clearFaults(): Deleted {
    return this.unchecked.clearFaults();
  }

  /** One page of the journal, newest first: at most `limit` entries (default 1,000), and about 16 MiB. */
  requests(query: RequestsQuery = {}): RequestsPage {
    refuseUnknownFilters(query, JOURNAL_FILTER_KEYS);
    return this.unchecked.page(check(JournalQuery, query, 'querystring'));
  }

  /**
   * The first journal entry that matches `filter` (the filter of `requests()` without `limit` and
   * `before`): the oldest already recorded, else the next to arrive — with `next`, only one written
   * after the call. Rejects after `timeout` ms (default 5,000) saying what it waited for, and at
   * once when the journal is off (`--journal-size 0`).
   */
  waitForRequest(filter: RequestsQuery = {}, options: WaitOptions = {}): Promise<JournalEntry> {
    refuseUnknownFilters(filter, WAIT_FILTER_KEYS);
    refuseUnknownWaitOptions(options);
    const { since, ...rest } = check(JournalQuery, filter, 'querystring');
    const { timeout = WAIT_TIMEOUT_MS, next = false } = options;
    if (!Number.isSafeInteger(timeout) || timeout < 0 || timeout > MAX_WAIT_MS) {
      throw apiError('badRequest', `timeout must be whole milliseconds from 0 to ${MAX_WAIT_MS}`);
    }
    if (typeof next !== 'boolean') throw apiError('badRequest', 'next must be true or false');
    const { journal, events } = this.runtime;
    const journalFilter: JournalFilter = {
      ...rest,
      ...(since !== undefined ? { since: Date.parse(since) } : {}),
      ...(next ? { after: Math.max(rest.after ?? 0, journal.lastId) } : {}),
    };
    const described = maskKeys(JSON.stringify(filter) + (next ? ', {next: true}' : ''));
    if (!journal.enabled) return Promise.reject(new Error(`waitForRequest(${described}): the journal is off (--journal-size 0)`));
    const recorded = journal.oldest(journalFilter);
    if (recorded) return Promise.resolve(recorded);
    const matches = journalMatcher(journalFilter);
    return new Promise((resolve, reject) => {
      const stop = events.on(
        (event) => {
          if (event.type !== 'request') return;
          const { entry } = event;
          if (!matches(entry.id, entry.method, entry.path, entry.hash, entry.status, Date.parse(entry.time))) return;
          stop();
          clearTimeout(timer);
          resolve(entry);
        },
        ['request'],
      );
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`waitForRequest(${described}): no such request within ${timeout} ms (the journal holds ${journal.size})`));
      }, timeout);
    });
  }

  clearRequests(): Deleted {
    return this.unchecked.clearRequests();
  }
}
