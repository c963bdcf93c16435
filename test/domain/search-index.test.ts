import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEARCH_FIELDS, SearchIndex, type SearchableKey, type SearchField } from '../../src/domain/search-index.js';

/**
 * The search index against a naive model: the keys in a plain array, filtered with `startsWith`
 * on lowercased fields and sorted on every read. Small chunk sizes make chunks split and merge
 * within a few dozen operations; names come from a tiny alphabet so that prefixes share runs,
 * names repeat (ties go by hash) and case differs.
 */

interface TestKey extends SearchableKey {
  name: string;
}

const WORKSPACES = ['ws-a', 'ws-b'];
const letters = fc.constantFrom('a', 'A', 'b', 'é', 'É', ' ', 'ab', '\uffff', '😀');
const name = fc.array(letters, { minLength: 1, maxLength: 5 }).map((parts) => parts.join(''));
const prefix = fc.oneof(fc.constant(''), fc.array(letters, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('')), fc.constantFrom('0', '1a', 'sk-or-v1-0'));

const term = (field: SearchField, key: TestKey) => (field === 'hash' ? key.hash : key[field].toLowerCase());

function modelSearch(keys: TestKey[], workspace: string, field: SearchField, text: string): string[] {
  const needle = text.toLowerCase();
  return keys
    .filter((k) => k.workspace_id === workspace && term(field, k).startsWith(needle))
    .sort((a, b) => {
      const ta = term(field, a);
      const tb = term(field, b);
      if (ta !== tb) return ta < tb ? -1 : 1;
      return a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0;
    })
    .map((k) => k.hash);
}

type Op =
  | { kind: 'create'; name: string; workspace: string }
  | { kind: 'delete'; pick: number }
  | { kind: 'rename'; pick: number; name: string }
  | { kind: 'search'; workspace: string; field: SearchField; prefix: string; offset: number; count: number; reverse: boolean };

const workspace = fc.constantFrom(...WORKSPACES);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('create' as const), name, workspace }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('rename' as const), pick: fc.nat(), name }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('search' as const),
      workspace,
      field: fc.constantFrom(...SEARCH_FIELDS),
      prefix,
      offset: fc.nat({ max: 30 }),
      count: fc.integer({ min: 0, max: 12 }),
      reverse: fc.boolean(),
    }),
  },
);

function run(initial: { name: string; workspace_id: string }[], ops: Op[], maxChunk: number): void {
  let serial = 0;
  const nextKey = (keyName: string, workspaceId: string): TestKey => {
    const hash = ((serial++ * 2_654_435_761) % 4_294_967_296).toString(16).padStart(8, '0') + serial.toString(16);
    return { hash, name: keyName, label: `sk-or-v1-${hash.slice(0, 3)}...${hash.slice(-3)}`, workspace_id: workspaceId };
  };
  const model: TestKey[] = initial.map((k) => nextKey(k.name, k.workspace_id));
  const index = new SearchIndex<TestKey>(() => model, maxChunk);
  // Half the runs build every field's order first, so that writes maintain all three from the start.
  if (initial.length % 2 === 0) for (const field of SEARCH_FIELDS) index.search(WORKSPACES[0]!, field, '', 0, 0);
  const check = (ws: string, field: SearchField, text: string, offset: number, count: number, reverse: boolean) => {
    const all = modelSearch(model, ws, field, text);
    const ordered = reverse ? [...all].reverse() : all;
    const found = index.search(ws, field, text, offset, count, reverse);
    expect(found.total).toBe(all.length);
    expect(found.keys.map((k) => k.hash)).toEqual(ordered.slice(offset, offset + count));
  };
  for (const step of ops) {
    switch (step.kind) {
      case 'create': {
        const key = nextKey(step.name, step.workspace);
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
      case 'rename': {
        if (model.length === 0) break;
        const key = model[step.pick % model.length]!;
        index.renaming(key, step.name);
        key.name = step.name;
        break;
      }
      case 'search':
        check(step.workspace, step.field, step.prefix, step.offset, step.count, step.reverse);
        break;
    }
  }
  // At the end, every key is found by its whole name, label and hash, and every prefix of one name pages right.
  for (const key of model) {
    for (const field of SEARCH_FIELDS) check(key.workspace_id, field, key[field], 0, 1000, false);
  }
  for (const ws of WORKSPACES) {
    const total = modelSearch(model, ws, 'name', '').length;
    for (let offset = 0; offset <= total; offset++) check(ws, 'name', '', offset, 3, offset % 2 === 0);
  }
}

describe('SearchIndex against a filter-and-sort model', () => {
  it.each([4, 5, 8])('random create / delete / rename / search, chunks of at most %i', (maxChunk) => {
    fc.assert(
      fc.property(fc.array(fc.record({ name, workspace_id: workspace }), { maxLength: 40 }), fc.array(op, { maxLength: 120 }), (initial, ops) => {
        run(initial, ops, maxChunk);
      }),
      { numRuns: 120 },
    );
  });

  it('the production chunk size: 3,000 keys, renamed and deleted until chunks split and merge', () => {
    const ops: Op[] = [];
    for (let i = 0; i < 3000; i++) ops.push({ kind: 'create', name: `key ${(i * 7919) % 3000}`, workspace: 'ws-a' });
    for (let i = 0; i < 1500; i++) ops.push({ kind: 'rename', pick: i * 13, name: `renamed ${i % 50}` });
    for (let i = 0; i < 2500; i++) ops.push({ kind: 'delete', pick: i * 31 });
    ops.push({ kind: 'search', workspace: 'ws-a', field: 'name', prefix: 'key 1', offset: 5, count: 100, reverse: false });
    run([], ops, 256);
  });
});
