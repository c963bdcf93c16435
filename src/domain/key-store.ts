import type { Account, StoredKey } from './account.js';
import { bearerToken, TokenHashes, type Principal } from './auth.js';
import type { Clock } from './clock.js';
import { Directory } from './directory.js';
import type { AccountChange, KeyChange, MockEvents } from './events.js';
import { apiError } from './errors.js';
import { instantOf } from './instant.js';
import { roundUsd } from './limit.js';
import { copyAccount, currentKeyView, keyView } from './key-views.js';
import type { RandomSource } from './random.js';
import {
  booleanRule,
  limitResetRule,
  limitRule,
  nameRule,
  nullableStringRule,
  parseUtcInstant,
  toIso,
  usageRule,
  type FieldRule,
} from './rules.js';
import { nextReset, windowsCrossed } from './windows.js';
import { maskedLabel, plaintextKey } from './secrets.js';
import type {
  AccountCredits,
  AccountState,
  CurrentKeyView,
  KeyCreateInput,
  KeyListQuery,
  KeyPatch,
  KeyRecord,
  KeySearchQuery,
  KeyView,
  StoreState,
} from './types.js';

export { Account, type StoredKey } from './account.js';
export type { Principal } from './auth.js';
export { copyState } from './key-views.js';

/** `GET /keys` answers this many keys a page. */
export const PAGE_SIZE = 100;

/** The credits of an account whose state says nothing of them, USD: enough for any test's chat calls. */
export const DEFAULT_CREDITS = 100;

/** What the store needs from its host; all injected so the domain runs anywhere (Node, browser). */
export interface KeyStoreDeps {
  clock: Clock;
  /** SHA-256 of a UTF-8 string, as 64 lowercase hex characters. */
  sha256Hex(text: string): string;
  /** Source of new secrets for `POST /keys` (seeded: the mock is deterministic). */
  random: RandomSource;
  /** Told of every change (the state-file saver, the event stream); optional. */
  events?: MockEvents;
}

function resetWindows(key: StoredKey, crossed: { daily: boolean; weekly: boolean; monthly: boolean }): void {
  if (crossed.daily) key.usage_daily = key.byok_usage_daily = 0;
  if (crossed.weekly) key.usage_weekly = key.byok_usage_weekly = 0;
  if (crossed.monthly) key.usage_monthly = key.byok_usage_monthly = 0;
}

/** Sums drop floating-point noise below 1e-10 USD (usage can be fractions of a cent). */
const addUsd = (a: number, b: number) => roundUsd(a + b);

/** Spend added to every window and the total: OpenRouter credits, and external BYOK spend. */
function addSpend(key: StoredKey, amount: number, byok: number): void {
  key.usage = addUsd(key.usage, amount);
  key.usage_daily = addUsd(key.usage_daily, amount);
  key.usage_weekly = addUsd(key.usage_weekly, amount);
  key.usage_monthly = addUsd(key.usage_monthly, amount);
  key.byok_usage = addUsd(key.byok_usage, byok);
  key.byok_usage_daily = addUsd(key.byok_usage_daily, byok);
  key.byok_usage_weekly = addUsd(key.byok_usage_weekly, byok);
  key.byok_usage_monthly = addUsd(key.byok_usage_monthly, byok);
}


function checkPatchField(field: keyof KeyPatch, rule: FieldRule, value: unknown): void {
  const broken = rule(value);
  if (broken) throw invalidBodyField(field, broken);
}

function invalidBodyField(field: string, rule: string) {
  return apiError('invalidField', 'request body', `field "${field}"`, rule);
}

/**
 * The key store and every rule of OpenRouter's key-management API. Pure: no HTTP, no Node APIs.
 * Methods either return the API's view of the result or throw an `ApiError`; a method that throws
 * has changed nothing (all checks run before the first write).
 */
export class KeyStore {
  /** The accounts and keys, and the indexes that find them by id and by hash. */
  private readonly directory = new Directory();

  /** The SHA-256 of the bearer tokens recently seen. */
  private readonly tokenHashes: TokenHashes;

  constructor(private readonly deps: KeyStoreDeps) {
    this.tokenHashes = new TokenHashes(deps.sha256Hex);
  }

  /** Counts changes to the state: persistence saves when it moves. */
  revision = 0;

  /** Epoch ms where the usage windows were last brought up to date, and when they next reset. */
  private windowsAsOf = 0;
  private nextWindowReset = 0;

  now(): number {
    return this.deps.clock.now();
  }

  /**
   * Brings the usage windows up to the clock and returns the clock: crossing midnight UTC zeroes
   * every `usage_daily`/`byok_usage_daily`, crossing Monday 00:00 UTC the weekly ones, crossing
   * the 1st of a month the monthly ones (OpenRouter's documented reset rule). Lazy, so it holds
   * whether time passes for real or the virtual clock jumps; one comparison when nothing crossed.
   * A clock set back in time zeroes nothing (spend is not un-spent).
   */
  sync(): number {
    const now = this.deps.clock.now();
    if (now >= this.nextWindowReset || now < this.windowsAsOf) {
      const crossed = windowsCrossed(this.windowsAsOf, now);
      if (crossed.daily) {
        for (const account of this.directory.all()) {
          for (const key of account.keys.values()) resetWindows(key, crossed);
        }
        this.keysChanged('windows', null, null);
      }
      this.windowsAsOf = now;
      this.nextWindowReset = nextReset(now);
    }
    return now;
  }

  // ---- state ------------------------------------------------------------------------------

  /** Replaces the whole state. The caller hands over ownership of `state` (clone it to keep it). */
  load(state: StoreState): void {
    this.directory.load(state);
    this.accountsChanged('loaded', null);
    // A loaded state is taken as current: its windows start counting from now.
    this.windowsAsOf = this.now();
    this.nextWindowReset = nextReset(this.windowsAsOf);
  }

  /** A deep copy of the whole state, in a form `load` takes back unchanged. */
  export(): StoreState {
    this.sync();
    return { accounts: [...this.directory.all()].map((account) => this.exportAccount(account)) };
  }

  /** In the wire's field order, so that the handle's export and the HTTP one are the same bytes. */
  private exportAccount(account: Account): AccountState {
    return copyAccount({ ...account.state, keys: [...account.keys.values()] });
  }

  addAccount(accountState: AccountState): Account {
    const account = this.directory.add(accountState);
    this.accountsChanged('added', account.id);
    return account;
  }

  /**
   * Replaces an account's state in place (its position, and so "the first account", is kept).
   * Only that account is rebuilt: the others, their keys and their listings stay as they are.
   */
  replaceAccount(accountState: AccountState): Account {
    if (!this.directory.account(accountState.id)) throw new Error(`no account ${accountState.id}`);
    // The other accounts' windows are brought up to now first: the new keys are current as of now.
    this.sync();
    const account = this.directory.replace(accountState);
    this.accountsChanged('replaced', accountState.id);
    return account;
  }

  /** Whether a key hash belongs to an account other than `exceptAccountId`. */
  hashTaken(hash: string, exceptAccountId?: string): boolean {
    const owner = this.directory.ownerOf(hash);
    return owner !== undefined && owner.id !== exceptAccountId;
  }

  removeAccount(id: string): boolean {
    if (!this.directory.remove(id)) return false;
    this.accountsChanged('removed', id);
    return true;
  }

  /** The account that holds the key with this hash. */
  ownerOf(hash: string): Account | undefined {
    return this.directory.ownerOf(hash);
  }

  account(id: string): Account | undefined {
    return this.directory.account(id);
  }

  listAccounts(): Account[] {
    return [...this.directory.all()];
  }

  // ---- auth -------------------------------------------------------------------------------

  /** Resolves an `Authorization` header to a principal, or throws 401. */
  authenticate(header: string | undefined): Principal {
    // No sync() here: every operation the principal is then used for brings the windows up to
    // date itself, and the expiry check reads the clock on its own (one clock read less a request).
    const hash = header !== undefined && header === this.lastHeader ? this.lastHeaderHash : this.headerHash(header);
    const managed = this.directory.managedBy(hash);
    if (managed) return { kind: 'management', account: managed };
    const owner = this.directory.ownerOf(hash);
    const key = owner?.keys.get(hash);
    if (!owner || !key) throw apiError('authUnknown');
    this.refuseUnusable(key);
    return { kind: 'key', account: owner, key };
  }

  /**
   * Refuses a key that may not be used as a bearer token: disabled (401), expired (401). The one
   * rule `authenticate` applies, and the one the inspector's "what a chat call gets" reads.
   */
  refuseUnusable(key: Pick<KeyRecord, 'disabled' | 'expires_at'>): void {
    if (key.disabled) throw apiError('authDisabled');
    if (this.isExpired(key)) throw apiError('authExpired');
  }

  /**
   * The token hash of an `Authorization` header, or 401 (missing, malformed). The last header
   * is remembered: a client sends the same one on every request, and comparing it with the last
   * costs less than the hash table's lookup (which hashes the fresh header string first).
   */
  private headerHash(header: string | undefined): string {
    if (header === undefined || header.trim() === '') throw apiError('authMissing');
    const token = bearerToken(header);
    if (token === undefined) throw apiError('authMalformed');
    const hash = this.tokenHashes.of(token);
    this.lastHeader = header;
    this.lastHeaderHash = hash;
    return hash;
  }

  /** The last `Authorization` header `headerHash` read, and its token's hash. Never logged or exported. */
  private lastHeader: string | undefined;
  private lastHeaderHash = '';

  /** The account of a management principal, or 403 for an ordinary key. */
  requireManagement(principal: Principal): Account {
    if (principal.kind !== 'management') throw apiError('managementRequired');
    return principal.account;
  }

  isExpired(key: Pick<KeyRecord, 'expires_at'>): boolean {
    if (key.expires_at === null) return false;
    const expiresAt = Date.parse(key.expires_at);
    return Number.isFinite(expiresAt) && expiresAt <= this.now();
  }

  // ---- the key API ------------------------------------------------------------------------

  list(account: Account, query: KeyListQuery = {}): KeyView[] {
    this.sync();
    const workspaceId = query.workspaceId ?? account.state.default_workspace_id;
    if (!account.state.workspace_ids.includes(workspaceId)) {
      throw apiError('invalidField', 'query parameter', '"workspace_id"', "is not one of this account's workspaces");
    }
    const offset = query.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw apiError('invalidField', 'query parameter', '"offset"', 'must be an integer ≥ 0');
    }
    return account.listing(workspaceId, query.includeDisabled ?? false, offset, PAGE_SIZE).map(keyView);
  }

  /**
   * A page of a workspace's keys (disabled ones too) with their total, for the inspector: without
   * `query`, in `GET /keys`'s order (newest first) or its reverse; with one, the keys whose `field`
   * (name, label or hash) starts with it, case-insensitively, in that field's order or its
   * reverse. O(log n + page) either way (src/domain/search-index.ts).
   */
  search(account: Account, query: KeySearchQuery): { data: KeyView[]; total: number; offset: number } {
    this.sync();
    const workspaceId = query.workspaceId ?? account.state.default_workspace_id;
    if (!account.state.workspace_ids.includes(workspaceId)) {
      throw apiError('invalidField', 'query parameter', '"workspace_id"', "is not one of this account's workspaces");
    }
    const offset = query.offset ?? 0;
    const reverse = query.reverse ?? false;
    const text = query.query ?? '';
    if (text !== '') {
      const found = account.search(workspaceId, query.field ?? 'name', text, offset, PAGE_SIZE, reverse);
      return { data: found.keys.map(keyView), total: found.total, offset };
    }
    const total = account.count(workspaceId, true);
    if (!reverse) return { data: account.listing(workspaceId, true, offset, PAGE_SIZE).map(keyView), total, offset };
    const end = total - offset;
    const from = Math.max(0, end - PAGE_SIZE);
    const keys = end > 0 ? account.listing(workspaceId, true, from, end - from).reverse() : [];
    return { data: keys.map(keyView), total, offset };
  }

  get(account: Account, hash: string): KeyView {
    this.sync();
    return keyView(this.find(account, hash));
  }

  /**
   * Partial update. Only the fields present in `patch` change; `updated_at` moves to now when at
   * least one updatable field is present (even with its current value). Other properties of
   * `patch` are ignored here; strict mode rejects them earlier, at the schema.
   */
  update(account: Account, hash: string, patch: KeyPatch): KeyView {
    const now = this.sync();
    // Field by field rather than through a `changes` object and Object.assign: a PATCH is the
    // hot path, and the generic version cost about 2 µs a request (BENCHMARKS.md).
    // The fields the caller named: own properties (an inherited one is not named), read in one
    // pass over the body's own names rather than an `Object.hasOwn` per field (five builtin calls
    // a PATCH; a parsed JSON body's properties are all own and enumerable, and `Object.keys` of a
    // small object is its cached key list). Undefined when absent, or sent as `undefined`.
    let name: KeyPatch['name'];
    let disabled: KeyPatch['disabled'];
    let limit: KeyPatch['limit'];
    let limitReset: KeyPatch['limit_reset'];
    let includeByok: KeyPatch['include_byok_in_limit'];
    for (const field of Object.keys(patch)) {
      switch (field) {
        case 'name':
          name = patch.name;
          break;
        case 'disabled':
          disabled = patch.disabled;
          break;
        case 'limit':
          limit = patch.limit;
          break;
        case 'limit_reset':
          limitReset = patch.limit_reset;
          break;
        case 'include_byok_in_limit':
          includeByok = patch.include_byok_in_limit;
          break;
      }
    }
    // Every field is checked before anything changes (and before the lookup's 404).
    if (name !== undefined) checkPatchField('name', nameRule, name);
    if (disabled !== undefined) checkPatchField('disabled', booleanRule, disabled);
    if (limit !== undefined) checkPatchField('limit', limitRule, limit);
    if (limitReset !== undefined) checkPatchField('limit_reset', limitResetRule, limitReset);
    if (includeByok !== undefined) checkPatchField('include_byok_in_limit', booleanRule, includeByok);
    const key = this.find(account, hash);
    if (name === undefined && disabled === undefined && limit === undefined && limitReset === undefined && includeByok === undefined) {
      return keyView(key);
    }
    if (name !== undefined) account.rename(key, name);
    if (disabled !== undefined) account.setDisabled(key, disabled);
    if (limit !== undefined) key.limit = limit;
    if (limitReset !== undefined) key.limit_reset = limitReset;
    if (includeByok !== undefined) key.include_byok_in_limit = includeByok;
    key.updated_at = this.stamp(key.created_at, now);
    this.keysChanged('updated', account, hash);
    return keyView(key);
  }

  create(account: Account, input: KeyCreateInput): { data: KeyView; key: string } {
    const now = this.sync();
    const check = (field: string, rule: FieldRule, value: unknown) => {
      const broken = rule(value);
      if (broken) throw invalidBodyField(field, broken);
    };
    check('name', nameRule, input.name);
    if (input.limit !== undefined) check('limit', limitRule, input.limit);
    if (input.limit_reset !== undefined) check('limit_reset', limitResetRule, input.limit_reset);
    if (input.include_byok_in_limit !== undefined) check('include_byok_in_limit', booleanRule, input.include_byok_in_limit);
    if (input.creator_user_id !== undefined) check('creator_user_id', nullableStringRule, input.creator_user_id);
    let expiresAt: string | null = null;
    if (input.expires_at !== undefined && input.expires_at !== null) {
      const at = parseUtcInstant(input.expires_at);
      if (at === null) {
        throw invalidBodyField('expires_at', 'must be an ISO 8601 UTC timestamp ending in "Z" (other offsets are rejected)');
      }
      if (at <= now) throw invalidBodyField('expires_at', 'must be in the future');
      expiresAt = toIso(at);
    }
    const workspaceId = input.workspace_id ?? account.state.default_workspace_id;
    if (!account.state.workspace_ids.includes(workspaceId)) {
      throw invalidBodyField('workspace_id', "is not one of this account's workspaces");
    }
    if (input.external !== undefined) check('external.user', nullableStringRule, input.external.user);

    const { plaintext, hash } = this.freshSecret();
    const record: KeyRecord = {
      hash,
      name: input.name,
      label: maskedLabel(plaintext),
      disabled: false,
      limit: input.limit ?? null,
      limit_reset: input.limit_reset ?? null,
      include_byok_in_limit: input.include_byok_in_limit ?? false,
      // Spelled out rather than spread from NO_USAGE: stored keys keep one fast shape.
      usage: 0,
      usage_daily: 0,
      usage_weekly: 0,
      usage_monthly: 0,
      byok_usage: 0,
      byok_usage_daily: 0,
      byok_usage_weekly: 0,
      byok_usage_monthly: 0,
      created_at: toIso(now),
      updated_at: null,
      expires_at: expiresAt,
      creator_user_id: input.creator_user_id === undefined ? account.state.user_id : input.creator_user_id,
      workspace_id: workspaceId,
      external_user: input.external?.user ?? null,
    };
    this.directory.addKey(account, record);
    this.keysChanged('created', account, record.hash);
    return { data: keyView(record), key: plaintext };
  }

  remove(account: Account, hash: string): void {
    this.sync();
    this.find(account, hash);
    this.directory.removeKey(account, hash);
    this.keysChanged('deleted', account, hash);
  }

  /** `GET /key`: what the bearer token itself is. */
  currentKey(principal: Principal): CurrentKeyView {
    this.sync();
    return currentKeyView(principal.account, principal.kind === 'key' ? principal.key : undefined);
  }

  /**
   * Records spend on a key (any account's: this is the test-control plane's door), in every window
   * and the total; `byok` is external BYOK spend. `limit_remaining` follows on the next read.
   */
  recordUsage(hash: string, spend: { amount: number; byok?: number }): KeyView {
    for (const [field, value] of [['amount', spend.amount], ['byok', spend.byok ?? 0]] as const) {
      const broken = usageRule(value);
      if (broken) throw invalidBodyField(field, broken);
    }
    this.sync();
    const owner = this.directory.ownerOf(hash);
    const key = owner?.keys.get(hash);
    if (!key) throw apiError('keyNotFound', hash);
    addSpend(key, spend.amount, spend.byok ?? 0);
    this.keysChanged('usage', owner!, hash);
    return keyView(key);
  }

  /**
   * Charges an answered inference request to the key that made it: `amount` USD in every window
   * and the total — to `byok_usage*` for a BYOK request — on windows first brought up to the
   * clock, so a charge after midnight lands in the new day. Checks come first
   * (src/domain/spend-limit.ts): this only adds.
   */
  charge(principal: Extract<Principal, { kind: 'key' }>, amount: number, byok: boolean): void {
    this.sync();
    if (byok) addSpend(principal.key, 0, amount);
    else {
      addSpend(principal.key, amount, 0);
      const credits = this.credits(principal.account);
      principal.account.state.credits = { total_credits: credits.total_credits, total_usage: addUsd(credits.total_usage, amount) };
    }
    this.keysChanged('usage', principal.account, principal.key.hash);
  }

  /** An account's credits (a copy): as its state sets them, or DEFAULT_CREDITS with none used. */
  credits(account: Account): AccountCredits {
    const credits = account.state.credits;
    return credits ? { total_credits: credits.total_credits, total_usage: credits.total_usage } : { total_credits: DEFAULT_CREDITS, total_usage: 0 };
  }

  /** Sets an account's credits, either figure or both (the test-control plane): each a finite amount ≥ 0. */
  setCredits(account: Account, change: Partial<AccountCredits>): AccountCredits {
    for (const field of ['total_credits', 'total_usage'] as const) {
      const value = change[field];
      if (value !== undefined) {
        const broken = usageRule(value);
        if (broken) throw invalidBodyField(field, broken);
      }
    }
    const current = this.credits(account);
    account.state.credits = { total_credits: change.total_credits ?? current.total_credits, total_usage: change.total_usage ?? current.total_usage };
    this.accountsChanged('credits', account.id);
    return this.credits(account);
  }

  // ---- helpers ----------------------------------------------------------------------------

  /**
   * The next secret of the seeded stream whose hash no key (and no management key) holds. A fresh
   * start never collides, so it gets the same bytes for the same seed; a state loaded after a
   * restart (a state file, an imported export) holds the secrets the stream made last time, and
   * those are drawn past (each check one lookup in the hash index) instead of failing the create.
   */
  private freshSecret(): { plaintext: string; hash: string } {
    for (;;) {
      const plaintext = plaintextKey(this.deps.random.hex(64));
      const hash = this.deps.sha256Hex(plaintext);
      if (!this.directory.holds(hash)) return { plaintext, hash };
    }
  }

  /** A change to keys: counted (persistence saves when the revision moves) and told to listeners. */
  private keysChanged(change: KeyChange, account: Account | null, hash: string | null): void {
    this.revision++;
    const events = this.deps.events;
    if (events?.listening('keys')) events.emit({ type: 'keys', change, account_id: account?.id ?? null, hash });
  }

  private accountsChanged(change: AccountChange, accountId: string | null): void {
    this.revision++;
    const events = this.deps.events;
    if (events?.listening('accounts')) events.emit({ type: 'accounts', change, account_id: accountId });
  }

  /** A key of this account, or 404 — also for another account's key, so nothing leaks. */
  private find(account: Account, hash: string): StoredKey {
    const key = account.key(hash);
    if (!key) throw apiError('keyNotFound', hash);
    return key;
  }

  /**
   * Now, as an ISO timestamp never earlier than `notBefore` (the virtual clock may be set back).
   * Compared as instants: as text, `+010000-…` would sort before `2026-…`.
   */
  private stamp(notBefore: string, at: number): string {
    return at < instantOf(notBefore) ? notBefore : toIso(at);
  }
}

