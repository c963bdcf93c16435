import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/domain/clock.js';
import { KeyStore, PAGE_SIZE } from '../../src/domain/key-store.js';
import { createRandom } from '../../src/domain/random.js';
import type { KeyRecord, StoreState } from '../../src/domain/types.js';

/**
 * `KeyStore.list` through the store's own writes (create, delete, PATCH disabled or name, the
 * clock set back or forward) against a model that filters and sorts on every read.
 */

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
const T0 = Date.parse('2026-01-14T12:00:00.000Z');
const DAY = 86_400_000;
const WS_1 = '11111111-1111-4111-8111-111111111111';
const WS_2 = '22222222-2222-4222-8222-222222222222';
const MGMT = `sk-or-v1-${'a1'.repeat(32)}`;

function key(n: number, createdAt: string, workspace: string, disabled: boolean): KeyRecord {
  return {
    hash: sha256Hex(`key ${n}`),
    name: `k${n}`,
    label: `sk-or-v1-abc...${String(n).padStart(4, '0')}`,
    disabled,
    limit: null,
    limit_reset: null,
    include_byok_in_limit: false,
    usage: 0,
    usage_daily: 0,
    usage_weekly: 0,
    usage_monthly: 0,
    byok_usage: 0,
    byok_usage_daily: 0,
    byok_usage_weekly: 0,
    byok_usage_monthly: 0,
    created_at: createdAt,
    updated_at: null,
    expires_at: null,
    creator_user_id: 'user_A',
    workspace_id: workspace,
    external_user: null,
  };
}

function state(keys: KeyRecord[]): StoreState {
  return {
    accounts: [
      {
        id: 'acct_a',
        user_id: 'user_A',
        organization_id: null,
        default_workspace_id: WS_1,
        workspace_ids: [WS_1, WS_2],
        management_key: { hash: sha256Hex(MGMT), label: 'sk-or-v1-a1a...a1a1', name: 'Management key', created_at: new Date(T0 - 400 * DAY).toISOString() },
        keys,
      },
    ],
  };
}

function setup(keys: KeyRecord[]) {
  const clock = new VirtualClock(() => 0, T0);
  const store = new KeyStore({ clock, sha256Hex, random: createRandom(3) });
  store.load(state(keys));
  return { store, clock, account: store.account('acct_a')! };
}

interface ModelKey {
  hash: string;
  at: number;
  workspace: string;
  disabled: boolean;
}

const modelPage = (model: ModelKey[], workspace: string, includeDisabled: boolean, offset: number): string[] =>
  model
    .filter((k) => k.workspace === workspace && (includeDisabled || !k.disabled))
    .sort((a, b) => (a.at !== b.at ? b.at - a.at : a.hash < b.hash ? -1 : 1))
    .slice(offset, offset + PAGE_SIZE)
    .map((k) => k.hash);

type Op =
  | { kind: 'create'; workspace: string }
  | { kind: 'delete'; pick: number }
  | { kind: 'disable'; pick: number; disabled: boolean }
  | { kind: 'rename'; pick: number }
  | { kind: 'clock'; by: number }
  | { kind: 'list'; workspace: string; includeDisabled: boolean; offset: number };

const workspace = fc.constantFrom(WS_1, WS_2);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('create' as const), workspace }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('disable' as const), pick: fc.nat(), disabled: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename' as const), pick: fc.nat() }) },
  // mostly back in time (a key created then lands among older ones), sometimes forward
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('clock' as const), by: fc.integer({ min: -40 * DAY, max: 5 * DAY }) }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('list' as const), workspace, includeDisabled: fc.boolean(), offset: fc.nat({ max: 400 }) }),
  },
);

describe('KeyStore.list against a filter-and-sort model', () => {
  it('random create / delete / PATCH disabled / PATCH name / clock set back / list', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ day: fc.integer({ min: -60, max: 0 }), ws: workspace, disabled: fc.boolean() }), { maxLength: 450 }),
        fc.array(op, { maxLength: 120 }),
        (initial, ops) => {
          // Loaded keys share days (and so instants) often: ties go to the hash.
          const keys = initial.map((k, n) => key(n, new Date(T0 + k.day * DAY).toISOString(), k.ws, k.disabled));
          const { store, clock, account } = setup(keys);
          const model: ModelKey[] = keys.map((k) => ({ hash: k.hash, at: Date.parse(k.created_at), workspace: k.workspace_id, disabled: k.disabled }));
          for (const step of ops) {
            switch (step.kind) {
              case 'create': {
                const { data } = store.create(account, { name: 'new', workspace_id: step.workspace });
                model.push({ hash: data.hash, at: clock.now(), workspace: step.workspace, disabled: false });
                break;
              }
              case 'delete': {
                if (model.length === 0) break;
                const [gone] = model.splice(step.pick % model.length, 1);
                store.remove(account, gone!.hash);
                break;
              }
              case 'disable': {
                if (model.length === 0) break;
                const target = model[step.pick % model.length]!;
                store.update(account, target.hash, { disabled: step.disabled });
                target.disabled = step.disabled;
                break;
              }
              case 'rename': {
                if (model.length === 0) break;
                store.update(account, model[step.pick % model.length]!.hash, { name: 'renamed', limit: 5 });
                break;
              }
              case 'clock':
                clock.set(clock.now() + step.by);
                break;
              case 'list':
                expect(store.list(account, { workspaceId: step.workspace, includeDisabled: step.includeDisabled, offset: step.offset }).map((k) => k.hash)).toEqual(
                  modelPage(model, step.workspace, step.includeDisabled, step.offset),
                );
                break;
            }
          }
          for (const ws of [WS_1, WS_2]) {
            for (const includeDisabled of [false, true]) {
              for (let offset = 0; offset < model.length + PAGE_SIZE; offset += PAGE_SIZE) {
                expect(store.list(account, { workspaceId: ws, includeDisabled, offset }).map((k) => k.hash)).toEqual(
                  modelPage(model, ws, includeDisabled, offset),
                );
              }
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('KeyStore: instants compared as numbers', () => {
  const FAR = '+010000-01-01T00:00:00.000Z';

  it('keys from years past 9999 list before today, and a later year before an earlier one', () => {
    const keys = [
      key(1, '2026-01-01T00:00:00.000Z', WS_1, false),
      key(2, FAR, WS_1, false),
      key(3, '9999-12-31T23:59:59.999Z', WS_1, false),
      key(4, '+010001-06-01T00:00:00.000Z', WS_1, false),
      key(5, '2026-01-01T00:00:00Z', WS_1, false), // the same instant as key 1, written without milliseconds
    ];
    const { store, account } = setup(keys);
    const [k1, k2, k3, k4, k5] = keys.map((k) => k.hash);
    const tied = [k1!, k5!].sort();
    expect(store.list(account).map((k) => k.hash)).toEqual([k4, k2, k3, ...tied]);
    // a new key at the clock's now (2026-01-14) goes after every far-future key
    const { data } = store.create(account, { name: 'now' });
    expect(store.list(account).map((k) => k.hash)).toEqual([k4, k2, k3, data.hash, ...tied]);
  });

  it('updated_at is never earlier than a far-future created_at', () => {
    const far = key(1, FAR, WS_1, false);
    const { store, account } = setup([far]);
    expect(store.update(account, far.hash, { name: 'x' }).updated_at).toBe(FAR);
  });

  it('a key created with the clock in year 10000 exports in the expanded form, and loads back', () => {
    const { store, clock, account } = setup([key(1, '2026-01-01T00:00:00.000Z', WS_1, false)]);
    clock.set(Date.parse(FAR));
    const { data } = store.create(account, { name: 'far' });
    expect(data.created_at).toBe(FAR);
    const exported = store.export();
    const { store: other } = setup([]);
    other.load(structuredClone(exported));
    expect(other.export()).toEqual(exported);
    expect(other.list(other.account('acct_a')!).map((k) => k.hash)[0]).toBe(data.hash);
  });
});
