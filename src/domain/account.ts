import { ListingIndex } from './listing-index.js';
import { SearchIndex, type SearchField } from './search-index.js';
import type { AccountState, KeyRecord } from './types.js';

/**
 * A key as the store holds it. The fields that place it in listings are read-only here: they
 * change only through `Account` (`setDisabled`), which keeps the listings in step; `created_at`
 * and `workspace_id` never change once a key is in an account. The other fields (name, limits,
 * usage, `updated_at`) are written in place, so the PATCH path stays as cheap as it was.
 */
export type StoredKey = Omit<KeyRecord, 'hash' | 'created_at' | 'workspace_id' | 'disabled'> &
  Readonly<Pick<KeyRecord, 'hash' | 'created_at' | 'workspace_id' | 'disabled'>>;

/**
 * One account at run time: its state, its keys by hash (in the order they arrived, which is the
 * order an export writes), and the listings of `GET /keys`. Every key enters, leaves or changes
 * `disabled` here and nowhere else, so the listings cannot miss a write.
 */
export class Account {
  private readonly records = new Map<string, StoredKey>();
  /** The keys by hash; read-only — write through `load`, `add`, `delete` and `setDisabled`. */
  readonly keys: ReadonlyMap<string, StoredKey> = this.records;
  private listings = new ListingIndex<StoredKey>();
  /** The search orders (name, label, hash): each built on its field's first search (src/domain/search-index.ts). */
  private searchIndex = new SearchIndex<StoredKey>(() => this.records.values());

  constructor(readonly state: Omit<AccountState, 'keys'>) {}

  get id(): string {
    return this.state.id;
  }

  /**
   * The key with this hash, if the account holds it. The last key found is remembered: a client
   * works on one key in bursts, and the request's `:hash` is a fresh 64-character string, which the
   * map's lookup hashes character by character first (a comparison with the last one costs about
   * half of that under callgrind). Forgotten on every change to which keys the account holds.
   */
  key(hash: string): StoredKey | undefined {
    const last = this.lastFound;
    if (last !== undefined && hash === last.hash) return last;
    const key = this.records.get(hash);
    if (key !== undefined) this.lastFound = key;
    return key;
  }

  private lastFound: StoredKey | undefined;

  /** Replaces every key (hashes must be unique; checked first): the listings are built anew. */
  load(keys: readonly KeyRecord[]): void {
    this.lastFound = undefined;
    this.records.clear();
    for (const key of keys) this.records.set(key.hash, key);
    this.listings = ListingIndex.of<StoredKey>(keys);
    this.searchIndex = new SearchIndex<StoredKey>(() => this.records.values());
  }

  add(key: KeyRecord): void {
    if (this.records.has(key.hash)) throw new Error(`duplicate key hash ${key.hash}`);
    this.lastFound = undefined;
    this.records.set(key.hash, key);
    this.listings.add(key);
    this.searchIndex.add(key);
  }

  delete(hash: string): boolean {
    const key = this.records.get(hash);
    if (!key) return false;
    this.lastFound = undefined;
    this.records.delete(hash);
    this.listings.remove(key);
    this.searchIndex.remove(key);
    return true;
  }

  setDisabled(key: StoredKey, disabled: boolean): void {
    if (key.disabled === disabled) return;
    this.listings.disabledChanging(key, disabled);
    (key as KeyRecord).disabled = disabled;
  }

  /** Renames a key: its place in the name order moves with it (one remove and one insert). */
  rename(key: StoredKey, name: string): void {
    if (key.name === name) return;
    this.searchIndex.renaming(key, name);
    key.name = name;
  }

  /**
   * The keys of a workspace whose `field` starts with `prefix`: their total and up to `count` from
   * `offset` on, in that field's order (`reverse`: the other way). O(log n + count).
   */
  search(workspaceId: string, field: SearchField, prefix: string, offset: number, count: number, reverse: boolean): { total: number; keys: StoredKey[] } {
    return this.searchIndex.search(workspaceId, field, prefix, offset, count, reverse);
  }

  /** How many keys a workspace lists (all of them, or only the enabled ones). */
  count(workspaceId: string, includeDisabled: boolean): number {
    return this.listings.count(workspaceId, includeDisabled);
  }

  /** Up to `count` keys of a workspace from rank `offset` on, newest first (a new array). */
  listing(workspaceId: string, includeDisabled: boolean, offset: number, count: number): StoredKey[] {
    return this.listings.page(workspaceId, includeDisabled, offset, count);
  }
}
