import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ListingIndex, MAX_CHUNK, OrderedKeys, type IndexedKey } from '../../src/domain/listing-index.js';

/**
 * The listing index against a naive model: the keys in a plain array, filtered and sorted on every
 * read by instants that `Date.parse` gives (not the index's own parser). Small chunk sizes make
 * chunks split, merge and even out within a few dozen operations.
 */

interface TestKey extends IndexedKey {
  disabled: boolean;
}

const WORKSPACES = ['ws-a', 'ws-b', 'ws-c'];
const T0 = Date.parse('2026-01-14T12:00:00.000Z');
const DAY = 86_400_000;

/** Instants that collide (ties broken by hash), cross 1970 and 9999, and come without milliseconds. */
const instantText = fc.oneof(
  fc.integer({ min: -20, max: 20 }).map((d) => new Date(T0 + d * DAY).toISOString()),
  fc.integer({ min: -20, max: 20 }).map((d) => new Date(T0 + d * DAY).toISOString().replace('.000Z', 'Z')),
  fc.integer({ min: 0, max: 5 }).map((n) => new Date(Date.UTC(10_000 + n, 0, 1)).toISOString()),
  fc.integer({ min: 0, max: 5 }).map((n) => new Date(Date.UTC(-1 - n, 0, 1)).toISOString()),
  fc.constantFrom('1969-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'),
);

const parsed = new Map<string, number>();
const dateParse = (text: string): number => {
  let at = parsed.get(text);
  if (at === undefined) parsed.set(text, (at = Date.parse(text)));
  return at;
};

/** The order the API promises, computed the plain way. */
function modelOrder(keys: TestKey[]): TestKey[] {
  return [...keys].sort((a, b) => {
    const ta = dateParse(a.created_at);
    const tb = dateParse(b.created_at);
    if (ta !== tb) return tb - ta;
    return a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0;
  });
}

function modelPage(keys: TestKey[], workspace: string, includeDisabled: boolean, offset: number, count: number): string[] {
  return modelOrder(keys.filter((k) => k.workspace_id === workspace && (includeDisabled || !k.disabled)))
    .slice(offset, offset + count)
    .map((k) => k.hash);
}

type Op =
  | { kind: 'create'; created_at: string; workspace: string; disabled: boolean }
  | { kind: 'delete'; pick: number }
  | { kind: 'toggle'; pick: number }
  | { kind: 'list'; workspace: string; includeDisabled: boolean; offset: number; count: number };

const workspace = fc.constantFrom(...WORKSPACES);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('create' as const), created_at: instantText, workspace, disabled: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('toggle' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('list' as const),
      workspace,
      includeDisabled: fc.boolean(),
      offset: fc.nat({ max: 60 }),
      count: fc.integer({ min: 0, max: 25 }),
    }),
  },
);

const initialKey = fc.record({ created_at: instantText, workspace_id: workspace, disabled: fc.boolean() });

/** Runs `ops` on an index built from `initial` and on the model; every list must agree, and so must every page at the end. */
function runAgainstModel(initial: Omit<TestKey, 'hash'>[], ops: Op[], maxChunk: number): void {
  let serial = 0;
  const nextHash = () => (serial++ * 2_654_435_761 % 4_294_967_296).toString(16).padStart(8, '0') + `-${serial}`;
  const model: TestKey[] = initial.map((k) => ({ ...k, hash: nextHash() }));
  const index = ListingIndex.of<TestKey>(model, maxChunk);
  for (const step of ops) {
    switch (step.kind) {
      case 'create': {
        const key: TestKey = { hash: nextHash(), created_at: step.created_at, workspace_id: step.workspace, disabled: step.disabled };
        model.push(key);
        index.add(key);
        break;
      }
      case 'delete': {
        if (model.length === 0) break;
        const [key] = model.splice(step.pick % model.length, 1);
        index.remove(key!);
        break;
      }
      case 'toggle': {
        if (model.length === 0) break;
        const key = model[step.pick % model.length]!;
        index.disabledChanging(key, !key.disabled);
        key.disabled = !key.disabled;
        break;
      }
      case 'list':
        expect(index.page(step.workspace, step.includeDisabled, step.offset, step.count).map((k) => k.hash)).toEqual(
          modelPage(model, step.workspace, step.includeDisabled, step.offset, step.count),
        );
        break;
    }
  }
  for (const ws of WORKSPACES) {
    for (const includeDisabled of [false, true]) {
      const expected = modelPage(model, ws, includeDisabled, 0, model.length);
      expect(index.count(ws, includeDisabled)).toBe(expected.length);
      expect(index.page(ws, includeDisabled, 0, model.length + 1).map((k) => k.hash)).toEqual(expected);
      // every offset, a page of 3: the rank lookup lands right from any chunk boundary
      for (let offset = 0; offset <= expected.length; offset++) {
        expect(index.page(ws, includeDisabled, offset, 3).map((k) => k.hash)).toEqual(expected.slice(offset, offset + 3));
      }
    }
  }
}

describe('ListingIndex against a filter-and-sort model', () => {
  it.each([4, 5, 8])('random create / delete / toggle / list, chunks of at most %i', (maxChunk) => {
    fc.assert(
      fc.property(fc.array(initialKey, { maxLength: 40 }), fc.array(op, { maxLength: 150 }), (initial, ops) => {
        runAgainstModel(initial, ops, maxChunk);
      }),
      { numRuns: 150 },
    );
  });

  it('the production chunk size: thousands of keys created newest-first, toggled and deleted, chunks split and merge', () => {
    fc.assert(
      fc.property(fc.array(initialKey, { minLength: 1500, maxLength: 2000 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (initial, seed) => {
        const ops: Op[] = [];
        let random = seed;
        const next = () => (random = (random * 48_271) % 2_147_483_647);
        // POST /keys: each key newer than the last (the clock runs), most in one workspace
        for (let i = 0; i < 1500; i++) {
          ops.push({ kind: 'create', created_at: new Date(T0 + 30 * DAY + i).toISOString(), workspace: next() % 5 === 0 ? 'ws-b' : 'ws-a', disabled: false });
          if (i % 100 === 0) ops.push({ kind: 'list', workspace: 'ws-a', includeDisabled: next() % 2 === 0, offset: next() % 40, count: 20 });
        }
        for (let i = 0; i < 600; i++) ops.push({ kind: 'toggle', pick: next() });
        for (let i = 0; i < 2800; i++) {
          ops.push({ kind: 'delete', pick: next() });
          if (i % 200 === 0) ops.push({ kind: 'list', workspace: 'ws-a', includeDisabled: next() % 2 === 0, offset: next() % 40, count: 20 });
        }
        runAgainstModel(initial, ops, MAX_CHUNK);
      }),
      { numRuns: 3 },
    );
  });

  it('a key created with the clock set back goes where it belongs, not first', () => {
    const keys: TestKey[] = [0, 1, 2, 3].map((d) => ({
      hash: `h${d}`,
      created_at: new Date(T0 - d * DAY).toISOString(),
      workspace_id: 'ws-a',
      disabled: false,
    }));
    const index = ListingIndex.of<TestKey>(keys, 4);
    const backdated: TestKey = { hash: 'late', created_at: new Date(T0 - 1.5 * DAY).toISOString(), workspace_id: 'ws-a', disabled: false };
    index.add(backdated);
    expect(index.page('ws-a', false, 0, 10).map((k) => k.hash)).toEqual(['h0', 'h1', 'late', 'h2', 'h3']);
    const newest: TestKey = { hash: 'new', created_at: new Date(T0 + 1).toISOString(), workspace_id: 'ws-a', disabled: false };
    index.add(newest);
    expect(index.page('ws-a', false, 0, 1).map((k) => k.hash)).toEqual(['new']);
  });

  it('a workspace with no keys lists nothing', () => {
    const index = ListingIndex.of<TestKey>([]);
    expect(index.page('ws-a', true, 0, 100)).toEqual([]);
    expect(index.count('ws-a', false)).toBe(0);
  });

  it('a page is a new array: changing it does not change the listing', () => {
    const keys: TestKey[] = [{ hash: 'a', created_at: new Date(T0).toISOString(), workspace_id: 'ws-a', disabled: false }];
    const index = ListingIndex.of<TestKey>(keys);
    index.page('ws-a', false, 0, 10).length = 0;
    expect(index.page('ws-a', false, 0, 10)).toHaveLength(1);
  });
});

describe('OrderedKeys', () => {
  /** Entries ordered by instant descending, then hash: the model is a sorted array. */
  const order = (a: { at: number; hash: string }, b: { at: number; hash: string }) =>
    a.at !== b.at ? b.at - a.at : a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0;

  it('inserts and removes in any order, from a bulk load or empty, with ranked slices that match a sorted array', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ at: fc.integer({ min: 0, max: 30 }), hash: fc.string({ minLength: 1, maxLength: 3 }) }), {
          selector: (e) => e.hash,
          maxLength: 120,
        }),
        fc.nat({ max: 120 }),
        fc.constantFrom(4, 6, 16),
        fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.nat({ max: 130 }), fc.integer({ min: 1, max: 20 })), { maxLength: 200 }),
        (entries, preloaded, maxChunk, steps) => {
          const loaded = [...entries.slice(0, preloaded)].sort(order);
          const oldestFirst = [...loaded].reverse();
          const list = OrderedKeys.fromOldestFirst(
            oldestFirst.map((e) => ({ hash: e.hash })),
            oldestFirst.map((e) => e.at),
            maxChunk,
          );
          const model = [...loaded];
          const outside = entries.slice(preloaded);
          for (const [insert, pick, offset, count] of steps) {
            if (insert && outside.length > 0) {
              const [entry] = outside.splice(pick % outside.length, 1);
              list.insert({ hash: entry!.hash }, entry!.at);
              model.push(entry!);
              model.sort(order);
            } else if (!insert && model.length > 0) {
              const [entry] = model.splice(pick % model.length, 1);
              expect(list.remove({ hash: entry!.hash }, entry!.at)).toBe(true);
              expect(list.remove({ hash: entry!.hash }, entry!.at)).toBe(false);
              outside.push(entry!);
            }
            expect(list.size).toBe(model.length);
            const sizes = list.chunkSizes();
            expect(sizes.every((n) => n > 0 && n <= maxChunk)).toBe(true);
            if (sizes.length > 1) expect(Math.min(...sizes)).toBeGreaterThanOrEqual(maxChunk >>> 2);
            expect(list.slice(offset, count).map((k) => k.hash)).toEqual(model.slice(offset, offset + count).map((e) => e.hash));
          }
          expect(list.slice(0, model.length + 1).map((k) => k.hash)).toEqual(model.map((e) => e.hash));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a chunk size below 4', () => {
    expect(() => new OrderedKeys(3)).toThrow(/below 4/);
  });
});
