/**
 * Finding a workspace's keys by the start of their name, label or hash (the inspector's search,
 * `GET /__mock/accounts/:id/keys/search`): a page of matches and their total in O(log n + page),
 * kept up to date by every write that can change a term (create, delete, rename, bulk loads).
 *
 * Why this structure. A prefix's matches are one run of a sorted order of terms, so a sorted list
 * answers a search with two binary searches (where the run starts and ends: the total is their
 * difference) and a slice. A plain sorted array would make every create and rename move up to n
 * slots, so the terms are kept as the listing index keeps keys (src/domain/listing-index.ts): in
 * chunks of at most MAX_CHUNK sorted entries, with a Fenwick tree over the chunk sizes for ranks.
 * Insert and remove are a binary search over chunk ends, one within the chunk and a splice of at
 * most MAX_CHUNK slots; a split or merge rebuilds the tree in O(n / MAX_CHUNK), at most once per
 * MAX_CHUNK / 4 writes to a chunk.
 *
 * Terms: the name lowercased (case-insensitive), the label lowercased, the hash as it is (lowercase
 * hex). Each field has its own order: a search names its field, so a key never matches twice and
 * the total is exact. Ties between equal terms go by hash.
 */

import { MAX_CHUNK } from './listing-index.js';

/** The fields a key can be found by. */
export type SearchField = 'name' | 'label' | 'hash';
export const SEARCH_FIELDS: readonly SearchField[] = ['name', 'label', 'hash'];

/** What the index reads of a key. */
export interface SearchableKey {
  readonly hash: string;
  readonly name: string;
  readonly label: string;
  readonly workspace_id: string;
}

export const searchTerm = (field: SearchField, key: Pick<SearchableKey, SearchField>): string =>
  field === 'hash' ? key.hash : key[field].toLowerCase();

interface Chunk<K> {
  terms: string[];
  keys: K[];
}

/** Whether (term, hash) sorts before entry `slot` of `chunk`. */
function before<K extends { readonly hash: string }>(term: string, hash: string, chunk: Chunk<K>, slot: number): boolean {
  const other = chunk.terms[slot]!;
  return term < other || (term === other && hash < chunk.keys[slot]!.hash);
}

/** Entries (term, key) sorted by term then hash, with ranked access: see above. */
export class SortedTerms<K extends { readonly hash: string }> {
  private chunks: Chunk<K>[] = [];
  private tree = new Int32Array(1);
  private top = 0;
  private readonly minChunk: number;
  size = 0;

  /** `maxChunk` is a parameter only so that tests can make chunks split and merge with few keys. */
  constructor(private readonly maxChunk = MAX_CHUNK) {
    if (!Number.isInteger(maxChunk) || maxChunk < 4) throw new Error(`chunk size ${maxChunk} is below 4`);
    this.minChunk = maxChunk >>> 2;
  }

  /** A bulk load: one sort, then chunks three-quarters full. */
  static of<K extends { readonly hash: string }>(entries: { term: string; key: K }[], maxChunk = MAX_CHUNK): SortedTerms<K> {
    entries.sort((a, b) => (a.term < b.term ? -1 : a.term > b.term ? 1 : a.key.hash < b.key.hash ? -1 : a.key.hash > b.key.hash ? 1 : 0));
    const list = new SortedTerms<K>(maxChunk);
    const n = entries.length;
    const count = Math.ceil(n / ((maxChunk * 3) >>> 2));
    for (let c = 0; c < count; c++) {
      const run = entries.slice(Math.floor((c * n) / count), Math.floor(((c + 1) * n) / count));
      list.chunks.push({ terms: run.map((e) => e.term), keys: run.map((e) => e.key) });
    }
    list.size = n;
    list.rebuild();
    return list;
  }

  insert(term: string, key: K): void {
    if (this.chunks.length === 0) {
      this.chunks.push({ terms: [term], keys: [key] });
      this.size = 1;
      this.rebuild();
      return;
    }
    const c = this.chunkFor(term, key.hash);
    const chunk = this.chunks[c]!;
    const p = this.slotIn(chunk, term, key.hash);
    chunk.terms.splice(p, 0, term);
    chunk.keys.splice(p, 0, key);
    this.size++;
    if (chunk.keys.length > this.maxChunk) this.split(c);
    else this.add(c, 1);
  }

  /** Removes the entry (term, key); false when it is not there. */
  remove(term: string, key: K): boolean {
    if (this.size === 0) return false;
    const c = this.chunkFor(term, key.hash);
    const chunk = this.chunks[c]!;
    const p = this.slotIn(chunk, term, key.hash);
    if (p === chunk.keys.length || chunk.keys[p]!.hash !== key.hash || chunk.terms[p] !== term) return false;
    chunk.terms.splice(p, 1);
    chunk.keys.splice(p, 1);
    this.size--;
    if (chunk.keys.length < this.minChunk) this.rebalance(c);
    else this.add(c, -1);
    return true;
  }

  /**
   * The ranks [from, to) of the entries whose term starts with `prefix`: two binary searches. The
   * terms below the prefix, then those that start with it, form a leading run of the order, so
   * "below or starting with" is true up to the end of the matches and false after.
   */
  range(prefix: string): { from: number; to: number } {
    const from = this.rankWhere((term) => term < prefix);
    const to = this.rankWhere((term) => term < prefix || term.startsWith(prefix));
    return { from, to };
  }

  /** Up to `count` keys from rank `offset` on, in term order (a new array). */
  slice(offset: number, count: number): K[] {
    let wanted = Math.min(count, this.size - offset);
    if (!(wanted > 0)) return [];
    let { c, rest } = this.locate(offset);
    const page: K[] = [];
    while (wanted > 0 && c < this.chunks.length) {
      const { keys } = this.chunks[c]!;
      const end = Math.min(keys.length, rest + wanted);
      for (let i = rest; i < end; i++) page.push(keys[i]!);
      wanted -= end - rest;
      c++;
      rest = 0;
    }
    return page;
  }

  /** The number of entries whose term satisfies `below`, a predicate true on a leading run. */
  private rankWhere(below: (term: string) => boolean): number {
    const { chunks } = this;
    let lo = 0;
    let hi = chunks.length;
    // The first chunk whose last term is not below.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const terms = chunks[mid]!.terms;
      if (below(terms[terms.length - 1]!)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === chunks.length) return this.size;
    const terms = chunks[lo]!.terms;
    let a = 0;
    let b = terms.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (below(terms[mid]!)) a = mid + 1;
      else b = mid;
    }
    return this.prefixSize(lo) + a;
  }

  /** The chunk holding rank `rank`, and the slot there (Fenwick descent). */
  private locate(rank: number): { c: number; rest: number } {
    let c = 0;
    let rest = rank;
    const { tree } = this;
    for (let step = this.top; step > 0; step >>>= 1) {
      const next = c + step;
      if (next <= this.chunks.length && tree[next]! <= rest) {
        c = next;
        rest -= tree[next]!;
      }
    }
    return { c, rest };
  }

  /** The entries in the chunks before chunk `c`. */
  private prefixSize(c: number): number {
    let sum = 0;
    for (let i = c; i > 0; i -= i & -i) sum += this.tree[i]!;
    return sum;
  }

  private slotIn(chunk: Chunk<K>, term: string, hash: string): number {
    let lo = 0;
    let hi = chunk.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(term, hash, chunk, mid)) hi = mid;
      else if (chunk.terms[mid] === term && chunk.keys[mid]!.hash === hash) return mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** The chunk where (term, hash) belongs: the first whose last entry does not sort before it. */
  private chunkFor(term: string, hash: string): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid]!;
      const last = chunk.keys.length - 1;
      const lastTerm = chunk.terms[last]!;
      if (lastTerm < term || (lastTerm === term && chunk.keys[last]!.hash < hash)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private split(c: number): void {
    const chunk = this.chunks[c]!;
    const half = chunk.keys.length >>> 1;
    this.chunks.splice(c + 1, 0, { terms: chunk.terms.splice(half), keys: chunk.keys.splice(half) });
    this.rebuild();
  }

  private rebalance(c: number): void {
    const chunk = this.chunks[c]!;
    if (chunk.keys.length === 0) {
      this.chunks.splice(c, 1);
      this.rebuild();
      return;
    }
    if (this.chunks.length === 1) {
      this.add(c, -1);
      return;
    }
    const first = c + 1 < this.chunks.length ? c : c - 1;
    const a = this.chunks[first]!;
    const b = this.chunks[first + 1]!;
    const terms = a.terms.concat(b.terms);
    const keys = a.keys.concat(b.keys);
    if (keys.length <= this.maxChunk) this.chunks.splice(first, 2, { terms, keys });
    else {
      const half = keys.length >>> 1;
      this.chunks.splice(first, 2, { terms: terms.slice(0, half), keys: keys.slice(0, half) }, { terms: terms.slice(half), keys: keys.slice(half) });
    }
    this.rebuild();
  }

  private rebuild(): void {
    const count = this.chunks.length;
    if (this.tree.length < count + 1) this.tree = new Int32Array(Math.max(count + 1, this.tree.length * 2));
    const { tree } = this;
    tree.fill(0);
    for (let i = 1; i <= count; i++) {
      tree[i]! += this.chunks[i - 1]!.keys.length;
      const parent = i + (i & -i);
      if (parent <= count) tree[parent]! += tree[i]!;
    }
    let top = 1;
    while (top * 2 <= count) top *= 2;
    this.top = count === 0 ? 0 : top;
  }

  private add(c: number, delta: number): void {
    for (let i = c + 1; i <= this.chunks.length; i += i & -i) this.tree[i]! += delta;
  }
}

/**
 * The search orders of one account: per field, per workspace. A field's orders are built from
 * `source` (the account's keys) on that field's first search — one sort, so that start-up, resets
 * and imports do not pay for searches nobody makes — and kept up to date from then on: `Account`
 * tells the index of every key that enters or leaves and of every rename (labels, hashes and
 * workspaces never change once a key is stored).
 */
export class SearchIndex<K extends SearchableKey> {
  private readonly orders = new Map<SearchField, Map<string, SortedTerms<K>>>();

  constructor(
    private readonly source: () => Iterable<K>,
    private readonly maxChunk = MAX_CHUNK,
  ) {}

  add(key: K): void {
    for (const [field, workspaces] of this.orders) this.order(workspaces, key.workspace_id).insert(searchTerm(field, key), key);
  }

  remove(key: K): void {
    for (const [field, workspaces] of this.orders) workspaces.get(key.workspace_id)?.remove(searchTerm(field, key), key);
  }

  /** Call before a key's name changes to `name`: one remove and one insert in the name order, if it is built. */
  renaming(key: K, name: string): void {
    const workspaces = this.orders.get('name');
    if (!workspaces) return;
    const order = this.order(workspaces, key.workspace_id);
    order.remove(searchTerm('name', key), key);
    order.insert(name.toLowerCase(), key);
  }

  /**
   * The keys of a workspace whose `field` starts with `prefix` (compared lowercased): the total,
   * and up to `count` of them from `offset` on, in term order or (`reverse`) the reverse of it.
   */
  search(workspaceId: string, field: SearchField, prefix: string, offset: number, count: number, reverse = false): { total: number; keys: K[] } {
    const order = this.built(field).get(workspaceId);
    if (!order) return { total: 0, keys: [] };
    const { from, to } = order.range(prefix.toLowerCase());
    const total = to - from;
    if (offset >= total) return { total, keys: [] };
    if (!reverse) return { total, keys: order.slice(from + offset, Math.min(count, total - offset)) };
    const end = to - offset;
    const start = Math.max(from, end - count);
    return { total, keys: order.slice(start, end - start).reverse() };
  }

  /** A field's orders, built on first use: the keys grouped by workspace, one sort each. */
  private built(field: SearchField): Map<string, SortedTerms<K>> {
    let workspaces = this.orders.get(field);
    if (workspaces) return workspaces;
    const groups = new Map<string, { term: string; key: K }[]>();
    for (const key of this.source()) {
      let group = groups.get(key.workspace_id);
      if (!group) groups.set(key.workspace_id, (group = []));
      group.push({ term: searchTerm(field, key), key });
    }
    workspaces = new Map([...groups].map(([workspace, entries]) => [workspace, SortedTerms.of(entries, this.maxChunk)]));
    this.orders.set(field, workspaces);
    return workspaces;
  }

  private order(workspaces: Map<string, SortedTerms<K>>, workspaceId: string): SortedTerms<K> {
    let order = workspaces.get(workspaceId);
    if (!order) workspaces.set(workspaceId, (order = new SortedTerms<K>(this.maxChunk)));
    return order;
  }
}
