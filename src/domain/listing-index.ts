import { instantOf } from './instant.js';

/**
 * The order `GET /keys` lists an account's keys in — newest `created_at` first, equal instants by
 * hash — kept up to date by every write, so that no request ever re-filters or re-sorts.
 *
 * Why this structure. A page must cost O(log n + page) whatever writes came before, and a write
 * no more than a log factor over a constant:
 * - A sorted array answers a page with a slice, but a new key is the newest and goes first: every
 *   POST would move the whole array (100,000 pointers, tens of µs — a request's whole budget), and
 *   a Fenwick tree over array positions does not survive an insert (every later position shifts).
 * - A balanced binary tree with subtree sizes is O(log n) throughout, but costs a node per key and
 *   a pointer chase per listed key.
 * - Chosen: a chunked order-statistics list (a two-level B-tree). The keys, in order, are cut into
 *   chunks of at most 256 (`MAX_CHUNK`); a Fenwick tree over the chunk sizes finds the chunk of a
 *   rank in O(log(n/256)). Insert and remove: binary search over chunk ends, then within the chunk,
 *   then a splice of at most 256 slots (a memmove of ≤ 2 KB: a constant). Chunks hold their keys
 *   oldest first, so the usual new key — the newest — is a push onto the last chunk. A page reads
 *   consecutive slots: O(log n + page). Splitting a full chunk or merging a small one rebuilds the
 *   Fenwick tree in O(n/256) (~500 additions at 100,000 keys); that happens at most once every 64
 *   updates of a chunk, so it adds an amortised constant. (Under callgrind, a delete among 20,000 keys
 *   cost ~6,000 instructions less with chunks of 256 than of 512, and ~3,500 more than with 128.)
 * - Disabled keys: each workspace keeps two such lists, every key and the enabled keys, rather than
 *   one list with per-chunk counts of enabled keys. With counts, a page with `include_disabled`
 *   false still steps over the disabled keys between the ones it returns (a workspace of mostly
 *   disabled keys would cost many pages' worth of reads); a list of only the enabled keys reads
 *   nothing it does not return. A toggle is one insert or remove there: O(log n + 256). The cost
 *   is a second pointer and instant per enabled key (~16 bytes: ~3 MB at 100,000 keys).
 * - Expiry does not enter: expired keys are listed like any other (README, "Disabled and expired
 *   keys"). Instants are compared as numbers (`instantOf`), never as ISO strings.
 * No dependency of the project offers an order-statistics container, and this one is small.
 */

/** What the index reads of a key: its identity and the fields that place it in listings. */
export interface IndexedKey {
  readonly hash: string;
  readonly created_at: string;
  readonly disabled: boolean;
  readonly workspace_id: string;
}

/** Chunks are split above this many keys. */
export const MAX_CHUNK = 256;

/**
 * A run of consecutive keys with their instants beside them, stored oldest first (the reverse of
 * listing order): a new key is almost always the newest, so it is pushed onto the end of the last
 * chunk rather than moving every slot of the first one.
 */
interface Chunk<K> {
  keys: K[];
  ats: number[];
}

/**
 * Whether (at, hash) lists before the key in `slot` of `chunk`: newer first, then the smaller
 * hash. The key object is read only on a tie: keys lie scattered in memory, and a search that read
 * every hash it passed would take a cache miss per step.
 */
function listsBefore<K extends { readonly hash: string }>(at: number, hash: string, chunk: Chunk<K>, slot: number): boolean {
  const other = chunk.ats[slot]!;
  return at > other || (at === other && hash < chunk.keys[slot]!.hash);
}

/** The first slot of `chunk` (oldest first) whose key does not list after (at, hash). */
function positionIn<K extends { readonly hash: string }>(chunk: Chunk<K>, at: number, hash: string): number {
  let lo = 0;
  let hi = chunk.keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (listsBefore(at, hash, chunk, mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Keys in listing order with ranked access: a chunked order-statistics list (see above).
 * `maxChunk` is a parameter only so that tests can make chunks split and merge with few keys.
 */
export class OrderedKeys<K extends { readonly hash: string }> {
  /** Oldest first; listing rank r is stored rank `size - 1 - r`. */
  private chunks: Chunk<K>[] = [];
  /** Fenwick tree (1-based) over the chunk sizes. */
  private tree = new Int32Array(1);
  /** The largest power of two ≤ the number of chunks: where a rank descent starts. */
  private top = 0;
  private readonly minChunk: number;
  size = 0;

  constructor(private readonly maxChunk = MAX_CHUNK) {
    if (!Number.isInteger(maxChunk) || maxChunk < 4) throw new Error(`chunk size ${maxChunk} is below 4`);
    this.minChunk = maxChunk >>> 2;
  }

  /** A list of keys in stored order — oldest first — with their instants (a bulk load: O(n)). */
  static fromOldestFirst<K extends { readonly hash: string }>(keys: K[], ats: number[], maxChunk = MAX_CHUNK): OrderedKeys<K> {
    const list = new OrderedKeys<K>(maxChunk);
    const n = keys.length;
    // Chunks three-quarters full, of even sizes: room to grow before the first split.
    const count = Math.ceil(n / ((maxChunk * 3) >>> 2));
    for (let c = 0; c < count; c++) {
      const from = Math.floor((c * n) / count);
      const to = Math.floor(((c + 1) * n) / count);
      list.chunks.push({ keys: keys.slice(from, to), ats: ats.slice(from, to) });
    }
    list.size = n;
    list.rebuild();
    return list;
  }

  insert(key: K, at: number): void {
    if (this.chunks.length === 0) {
      this.chunks.push({ keys: [key], ats: [at] });
      this.size = 1;
      this.rebuild();
      return;
    }
    const c = this.chunkFor(at, key.hash);
    const chunk = this.chunks[c]!;
    const p = positionIn(chunk, at, key.hash);
    if (p === chunk.keys.length) {
      chunk.keys.push(key);
      chunk.ats.push(at);
    } else {
      chunk.keys.splice(p, 0, key);
      chunk.ats.splice(p, 0, at);
    }
    this.size++;
    if (chunk.keys.length > this.maxChunk) this.split(c);
    else this.add(c, 1);
  }

  /** Removes the key with this hash placed at `at`; false when it is not in the list. */
  remove(key: K, at: number): boolean {
    if (this.size === 0) return false;
    const c = this.chunkFor(at, key.hash);
    const chunk = this.chunks[c]!;
    const p = positionIn(chunk, at, key.hash);
    if (p === chunk.keys.length || chunk.keys[p]!.hash !== key.hash) return false;
    chunk.keys.splice(p, 1);
    chunk.ats.splice(p, 1);
    this.size--;
    if (chunk.keys.length < this.minChunk) this.rebalance(c);
    else this.add(c, -1);
    return true;
  }

  /** Up to `count` keys from listing rank `offset` on (a new array). */
  slice(offset: number, count: number): K[] {
    let wanted = Math.min(count, this.size - offset);
    if (!(wanted > 0)) return [];
    // Fenwick descent to the chunk holding stored rank `size - 1 - offset`, and its slot there.
    let c = 0;
    let rest = this.size - 1 - offset;
    const { tree } = this;
    const chunkCount = this.chunks.length;
    for (let step = this.top; step > 0; step >>>= 1) {
      const next = c + step;
      if (next <= chunkCount && tree[next]! <= rest) {
        c = next;
        rest -= tree[next]!;
      }
    }
    // Then backwards (newest first) through the chunks: each run copied and reversed natively.
    let page: K[] | undefined;
    let last = rest;
    for (;;) {
      const { keys } = this.chunks[c]!;
      const first = Math.max(0, last + 1 - wanted);
      const run = keys.slice(first, last + 1).reverse();
      page = page === undefined ? run : page.concat(run);
      wanted -= last + 1 - first;
      if (wanted === 0 || c === 0) return page;
      c--;
      last = this.chunks[c]!.keys.length - 1;
    }
  }

  /** The number of keys in each chunk, oldest chunk first: the structure's shape, for tests and benchmarks. */
  chunkSizes(): number[] {
    return this.chunks.map((chunk) => chunk.keys.length);
  }

  /** The chunk where (at, hash) belongs: the first whose newest key does not list after it. */
  private chunkFor(at: number, hash: string): number {
    const lastChunk = this.chunks.length - 1;
    // The usual case first: a key newer than every other belongs at the end of the last chunk.
    const newest = this.chunks[lastChunk]!;
    if (listsBefore(at, hash, newest, newest.keys.length - 1)) return lastChunk;
    let lo = 0;
    let hi = lastChunk;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid]!;
      if (listsBefore(at, hash, chunk, chunk.keys.length - 1)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private split(c: number): void {
    const chunk = this.chunks[c]!;
    const half = chunk.keys.length >>> 1;
    this.chunks.splice(c + 1, 0, { keys: chunk.keys.splice(half), ats: chunk.ats.splice(half) });
    this.rebuild();
  }

  /** A chunk fell below a quarter full: drop it if empty, else merge it with a neighbour or even the two out. */
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
    const total = a.keys.length + b.keys.length;
    if (total <= this.maxChunk) {
      a.keys.push(...b.keys);
      a.ats.push(...b.ats);
      this.chunks.splice(first + 1, 1);
    } else {
      const keys = a.keys.concat(b.keys);
      const ats = a.ats.concat(b.ats);
      const half = total >>> 1;
      this.chunks[first] = { keys: keys.slice(0, half), ats: ats.slice(0, half) };
      this.chunks[first + 1] = { keys: keys.slice(half), ats: ats.slice(half) };
    }
    this.rebuild();
  }

  /** The Fenwick tree from the chunk sizes, in O(number of chunks). */
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

  /** Chunk `c` grew or shrank by `delta`. */
  private add(c: number, delta: number): void {
    const count = this.chunks.length;
    const { tree } = this;
    for (let i = c + 1; i <= count; i += i & -i) tree[i]! += delta;
  }
}

/** One workspace's listings: every key, and only the enabled ones. */
interface WorkspaceListing<K extends { readonly hash: string }> {
  all: OrderedKeys<K>;
  enabled: OrderedKeys<K>;
}

/**
 * The listings of one account, per workspace. It is told about every key that enters or leaves the
 * account and every change of `disabled` — by `Account`, the one place those happen — and it reads
 * a key's `created_at`, `workspace_id` and `disabled` only then (they must not change otherwise).
 */
export class ListingIndex<K extends IndexedKey> {
  private readonly workspaces = new Map<string, WorkspaceListing<K>>();

  constructor(private readonly maxChunk = MAX_CHUNK) {}

  /** The index of a whole set of keys: one sort (a bulk load: scenario, state import, reset). */
  static of<K extends IndexedKey>(keys: readonly K[], maxChunk = MAX_CHUNK): ListingIndex<K> {
    const index = new ListingIndex<K>(maxChunk);
    // Every field read in one pass in the keys' own order, which is memory order; the sorted
    // passes after it touch no key object (at 100,000 keys, reading `disabled` in sorted order
    // was most of the build: a cache miss per key).
    const ats = new Float64Array(keys.length);
    const disabled = new Uint8Array(keys.length);
    const groups = new Map<string, number[]>();
    let lastWorkspace: string | undefined;
    let lastGroup: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      ats[i] = instantOf(key.created_at);
      if (key.disabled) disabled[i] = 1;
      if (key.workspace_id !== lastWorkspace) {
        lastWorkspace = key.workspace_id;
        let group = groups.get(lastWorkspace);
        if (!group) groups.set(lastWorkspace, (group = []));
        lastGroup = group;
      }
      lastGroup.push(i);
    }
    // Oldest first, as the lists store them; equal instants by hash, descending.
    const oldestFirst = (a: number, b: number) => {
      if (ats[a] !== ats[b]) return ats[a]! < ats[b]! ? -1 : 1;
      const ha = keys[a]!.hash;
      const hb = keys[b]!.hash;
      return ha > hb ? -1 : ha < hb ? 1 : 0;
    };
    for (const [workspace, group] of groups) {
      group.sort(oldestFirst);
      const all: K[] = [];
      const allAts: number[] = [];
      const enabled: K[] = [];
      const enabledAts: number[] = [];
      for (const i of group) {
        all.push(keys[i]!);
        allAts.push(ats[i]!);
        if (disabled[i] === 0) {
          enabled.push(keys[i]!);
          enabledAts.push(ats[i]!);
        }
      }
      index.workspaces.set(workspace, {
        all: OrderedKeys.fromOldestFirst(all, allAts, maxChunk),
        enabled: OrderedKeys.fromOldestFirst(enabled, enabledAts, maxChunk),
      });
    }
    return index;
  }

  add(key: K): void {
    const at = instantOf(key.created_at);
    const listing = this.workspace(key.workspace_id);
    listing.all.insert(key, at);
    if (!key.disabled) listing.enabled.insert(key, at);
  }

  remove(key: K): void {
    const at = instantOf(key.created_at);
    const listing = this.workspaces.get(key.workspace_id);
    if (!listing) return;
    listing.all.remove(key, at);
    if (!key.disabled) listing.enabled.remove(key, at);
  }

  /** Call before a key's `disabled` changes to `disabled` (a real change: the old value is read). */
  disabledChanging(key: K, disabled: boolean): void {
    if (disabled === key.disabled) return;
    const listing = this.workspace(key.workspace_id);
    const at = instantOf(key.created_at);
    if (disabled) listing.enabled.remove(key, at);
    else listing.enabled.insert(key, at);
  }

  /** Up to `count` keys of a workspace from listing rank `offset` on, newest first (a new array). */
  page(workspaceId: string, includeDisabled: boolean, offset: number, count: number): K[] {
    const listing = this.workspaces.get(workspaceId);
    if (!listing) return [];
    return (includeDisabled ? listing.all : listing.enabled).slice(offset, count);
  }

  /** How many keys a workspace lists. */
  count(workspaceId: string, includeDisabled: boolean): number {
    const listing = this.workspaces.get(workspaceId);
    return listing ? (includeDisabled ? listing.all : listing.enabled).size : 0;
  }

  private workspace(workspaceId: string): WorkspaceListing<K> {
    let listing = this.workspaces.get(workspaceId);
    if (!listing) {
      listing = { all: new OrderedKeys<K>(this.maxChunk), enabled: new OrderedKeys<K>(this.maxChunk) };
      this.workspaces.set(workspaceId, listing);
    }
    return listing;
  }
}
