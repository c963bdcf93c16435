import { Account } from './account.js';
import type { AccountState, KeyRecord, StoreState } from './types.js';

/**
 * Which accounts and keys exist, and the indexes that find them: accounts by id (in the order
 * they arrived: "the first account" is the first), every key's account by the key's hash, and
 * accounts by the hash of their management key. Every account and key enters and leaves the store
 * through here, so the indexes cannot miss one; uniqueness (ids, key hashes, management keys) is
 * checked in full before anything changes. The rules of the key API are the store's
 * (src/domain/key-store.ts).
 */
export class Directory {
  private accounts = new Map<string, Account>();
  private keyOwners = new Map<string, Account>();
  private managementKeys = new Map<string, Account>();

  /** Replaces everything: built into fresh indexes and swapped in, so a state that breaks a rule changes nothing. */
  load(state: StoreState): void {
    const fresh = new Directory();
    for (const accountState of state.accounts) fresh.insert(accountState);
    this.accounts = fresh.accounts;
    this.keyOwners = fresh.keyOwners;
    this.managementKeys = fresh.managementKeys;
  }

  /** Adds an account and its keys; its id, key hashes and management key must be new. */
  add(accountState: AccountState): Account {
    const hashes = new Set<string>();
    for (const key of accountState.keys) {
      if (this.keyOwners.has(key.hash) || hashes.has(key.hash)) throw new Error(`duplicate key hash ${key.hash}`);
      hashes.add(key.hash);
    }
    return this.insert(accountState);
  }

  /**
   * Replaces an account's state in place (its position, and so "the first account", is kept).
   * Only that account is rebuilt: the others, their keys and their listings stay as they are.
   */
  replace(accountState: AccountState): Account {
    const old = this.accounts.get(accountState.id);
    if (!old) throw new Error(`no account ${accountState.id}`);
    const hashes = new Set<string>();
    for (const key of accountState.keys) {
      const owner = this.keyOwners.get(key.hash);
      if ((owner !== undefined && owner !== old) || hashes.has(key.hash)) throw new Error(`duplicate key hash ${key.hash}`);
      hashes.add(key.hash);
    }
    const managementOwner = this.managementKeys.get(accountState.management_key.hash);
    if (managementOwner !== undefined && managementOwner !== old) throw new Error(`duplicate management key in account ${accountState.id}`);
    for (const hash of old.keys.keys()) this.keyOwners.delete(hash);
    this.managementKeys.delete(old.state.management_key.hash);
    const before = this.accounts;
    this.accounts = new Map();
    for (const account of before.values()) {
      if (account === old) this.insert(accountState);
      else this.accounts.set(account.id, account);
    }
    return this.accounts.get(accountState.id)!;
  }

  remove(id: string): boolean {
    const account = this.accounts.get(id);
    if (!account) return false;
    for (const hash of account.keys.keys()) this.keyOwners.delete(hash);
    this.managementKeys.delete(account.state.management_key.hash);
    this.accounts.delete(id);
    return true;
  }

  /** A new key of `account` (its hash new: the store draws it so). */
  addKey(account: Account, key: KeyRecord): void {
    account.add(key);
    this.keyOwners.set(key.hash, account);
  }

  removeKey(account: Account, hash: string): void {
    account.delete(hash);
    this.keyOwners.delete(hash);
  }

  account(id: string): Account | undefined {
    return this.accounts.get(id);
  }

  /** Every account, in the order they arrived. */
  all(): IterableIterator<Account> {
    return this.accounts.values();
  }

  /** The account whose management key has this hash. */
  managedBy(hash: string): Account | undefined {
    return this.managementKeys.get(hash);
  }

  /** The account that holds the key with this hash. */
  ownerOf(hash: string): Account | undefined {
    return this.keyOwners.get(hash);
  }

  /** Whether some key or management key has this hash (a new secret must not). */
  holds(hash: string): boolean {
    return this.keyOwners.has(hash) || this.managementKeys.has(hash);
  }

  private insert(accountState: AccountState): Account {
    const { keys, ...rest } = accountState;
    if (this.accounts.has(rest.id)) throw new Error(`duplicate account id ${rest.id}`);
    if (this.managementKeys.has(rest.management_key.hash)) throw new Error(`duplicate management key in account ${rest.id}`);
    const account = new Account(rest);
    for (const key of keys) {
      if (this.keyOwners.has(key.hash)) throw new Error(`duplicate key hash ${key.hash}`);
      this.keyOwners.set(key.hash, account);
    }
    account.load(keys);
    this.accounts.set(account.id, account);
    this.managementKeys.set(rest.management_key.hash, account);
    return account;
  }
}
