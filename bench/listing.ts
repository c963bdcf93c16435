/**
 * Micro-benchmark of the listing index (src/domain/listing-index.ts) in process, at 100,000 keys
 * (the generated dataset: ~90 % in the default workspace, ~10 % disabled):
 *   node --expose-gc --import tsx bench/listing.ts      (BENCH_KEYS=100000 BENCH_OPS=20000)
 * Reports the bulk build and the heap the index keeps, each write through the store (create,
 * create with the clock set back, toggle `disabled`, PATCH of other fields, delete), and pages at
 * several offsets, each after a write — and, for comparison, what the listing cache it replaced
 * paid after each write (a re-filter and re-sort of the workspace). Times are the process's CPU
 * time (user + system) per operation, the median of 5 runs: on a shared VM, wall time also counts
 * the time other processes held the CPU.
 */
import { createHash } from 'node:crypto';
import { buildDataset } from '../src/data/dataset.js';
import { VirtualClock } from '../src/domain/clock.js';
import { KeyStore } from '../src/domain/key-store.js';
import { ListingIndex } from '../src/domain/listing-index.js';
import { createRandom } from '../src/domain/random.js';
import type { KeyRecord } from '../src/domain/types.js';

const KEYS = Number(process.env.BENCH_KEYS ?? 100_000);
const OPS = Number(process.env.BENCH_OPS ?? 20_000);
const NOW = Date.UTC(2026, 0, 14, 12);
const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
function time(label: string, runs: number, perRun: number, unit: 'ns' | 'µs' | 'ms', fn: () => void): void {
  const scale = unit === 'ns' ? 1e3 : unit === 'µs' ? 1 : 1e-3;
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const started = process.cpuUsage();
    fn();
    const used = process.cpuUsage(started);
    samples.push(((used.user + used.system) * scale) / perRun);
  }
  console.log(`${label.padEnd(72)} ${median(samples).toFixed(unit === 'ms' ? 1 : 2).padStart(10)} ${unit}`);
}

function freshStore() {
  const clock = new VirtualClock(() => 0, NOW);
  const store = new KeyStore({ clock, sha256Hex, random: createRandom(1) });
  const state = buildDataset({ seed: 1, now: NOW, keys: KEYS, fixtures: [], managementKeys: ['sk-or-v1-bench'], sha256Hex });
  store.load(state);
  const account = store.listAccounts()[0]!;
  return { store, clock, account, workspace: account.state.default_workspace_id };
}

const dataset = buildDataset({ seed: 1, now: NOW, keys: KEYS, fixtures: [], managementKeys: ['sk-or-v1-bench'], sha256Hex });
const keys = dataset.accounts[0]!.keys;
console.log(`${keys.length} keys; ${OPS} operations per write measurement\n`);

time('bulk build (ListingIndex.of: parse, group, sort, chunk)', 5, 1, 'ms', () => void ListingIndex.of(keys));
const gc = (globalThis as { gc?: () => void }).gc;
if (gc) {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = ListingIndex.of(keys);
  gc();
  console.log(`${'heap the index keeps (--expose-gc)'.padEnd(72)} ${((process.memoryUsage().heapUsed - before) / 1e6).toFixed(1).padStart(10)} MB`);
  void kept.count('', false);
}

{
  const { store, account } = freshStore();
  time('create (POST /keys path: store.create, new key first)', 5, OPS / 5, 'µs', () => {
    for (let i = 0; i < OPS / 5; i++) store.create(account, { name: 'bench' });
  });
}
{
  const { store, clock, account } = freshStore();
  // Each key further back than the last: it lands among the dataset's keys (spread over 400
  // days), and the clock never moves forward across a midnight (which zeroes every key's daily usage).
  let at = NOW;
  time('create with the clock set back (lands mid-list)', 5, OPS / 5, 'µs', () => {
    for (let i = 0; i < OPS / 5; i++) {
      at -= 1_700_000;
      clock.set(at);
      store.create(account, { name: 'bench' });
    }
  });
}
{
  const { store, account } = freshStore();
  const hashes = [...account.keys.keys()];
  let i = 0;
  time('PATCH disabled toggle (store.update, index moves the key)', 5, OPS, 'µs', () => {
    for (let n = 0; n < OPS; n++) {
      const hash = hashes[(i++ * 7919) % hashes.length]!;
      store.update(account, hash, { disabled: !account.keys.get(hash)!.disabled });
    }
  });
  time('PATCH name + limit (store.update, index untouched)', 5, OPS, 'µs', () => {
    for (let n = 0; n < OPS; n++) store.update(account, hashes[(i++ * 7919) % hashes.length]!, { name: 'renamed', limit: 5 });
  });
  time('PATCH name, the same key (the bench:instructions case)', 5, OPS, 'µs', () => {
    for (let n = 0; n < OPS; n++) store.update(account, hashes[0]!, { name: 'renamed' });
  });
}
{
  const { store, account } = freshStore();
  const hashes = [...account.keys.keys()];
  let i = 0;
  time('delete (store.remove of a random key)', 5, OPS / 5, 'µs', () => {
    for (let n = 0; n < OPS / 5; n++) {
      const at = (i++ * 7919) % hashes.length;
      const hash = hashes[at]!;
      if (account.keys.has(hash)) store.remove(account, hash);
    }
  });
}
{
  const { store, account, workspace } = freshStore();
  const listed = account.listing(workspace, true, 0, KEYS).length;
  const enabled = account.listing(workspace, false, 0, KEYS).length;
  console.log(`\ndefault workspace: ${listed} keys, ${enabled} enabled`);
  const hashes = [...account.keys.keys()];
  // Each key is toggled twice in a row, so the counts stay within one of where they started and
  // the deepest offsets still hold a full page.
  let i = 0;
  const nextHash = () => hashes[((i++ >> 1) * 7919) % hashes.length]!;
  for (const [offset, includeDisabled] of [
    [0, false],
    [0, true],
    [Math.floor(enabled / 2), false],
    [enabled - 101, false],
    [listed - 101, true],
  ] as const) {
    time(`page of 100 at offset ${offset}, include_disabled=${includeDisabled}, after a write each`, 5, 2000, 'µs', () => {
      for (let n = 0; n < 2000; n++) {
        const hash = nextHash();
        store.update(account, hash, { disabled: !account.keys.get(hash)!.disabled });
        if (store.list(account, { offset, includeDisabled }).length < 99) throw new Error('a short page');
      }
    });
  }
  time('  the same toggles alone (subtract from the lines above)', 5, 2000, 'µs', () => {
    for (let n = 0; n < 2000; n++) {
      const hash = nextHash();
      store.update(account, hash, { disabled: !account.keys.get(hash)!.disabled });
    }
  });
}
{
  // What the replaced listing cache paid on the first GET /keys after each write.
  const { account, workspace } = freshStore();
  const all = [...account.keys.values()] as KeyRecord[];
  time('for comparison: re-filter + re-sort the workspace (the old cache miss)', 5, 1, 'ms', () => {
    const list = all.filter((k) => k.workspace_id === workspace && !k.disabled);
    list.sort((a, b) => (a.created_at !== b.created_at ? (a.created_at < b.created_at ? 1 : -1) : a.hash < b.hash ? -1 : 1));
  });
}
