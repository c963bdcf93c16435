import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { resolveConfig, type MockOptions } from '../src/config.js';
import { createMockRuntime, SNAPSHOT_LIMIT } from '../src/runtime.js';
import { MockControl } from '../src/control/mock-control.js';

const build = (keys: number) => {
  const runtime = createMockRuntime(resolveConfig({ logLevel: 'silent', now: '2026-01-14T12:00:00Z', seed: 3, keys }), () => 0);
  return { runtime, control: new MockControl(runtime) };
};

describe('the start-up state', () => {
  it.each([25, SNAPSHOT_LIMIT + 5])('reset of %i keys gives back the start-up bytes (snapshot or rebuilt)', (keys) => {
    const { runtime, control } = build(keys);
    const before = JSON.stringify(control.state());
    const account = runtime.store.listAccounts()[0]!;
    const [first] = account.keys.keys();
    runtime.store.update(account, first!, { name: 'changed', limit: 1 });
    runtime.store.remove(account, [...account.keys.keys()][1]!);
    expect(JSON.stringify(control.state())).not.toBe(before);
    control.reset();
    expect(JSON.stringify(control.state())).toBe(before);
    expect(runtime.store.listAccounts()[0]!.keys.size).toBe(keys);
  });

  it('the store never shares key objects with the kept snapshot', () => {
    const { runtime } = build(25);
    const account = runtime.store.listAccounts()[0]!;
    const [hash] = account.keys.keys();
    runtime.store.update(account, hash!, { name: 'mutated in the store' });
    const fresh = runtime.initialState().accounts[0]!.keys.find((k) => k.hash === hash)!;
    expect(fresh.name).not.toBe('mutated in the store');
  });
});

describe('--seed and --now give the same bytes', () => {
  const NOW = '2026-01-14T12:00:00Z';
  /** A machine clock that has moved on by the time anyone reads it again (1 ms a read). */
  const ticking = () => {
    let t = Date.parse('2030-06-01T00:00:00Z');
    return () => (t += 1);
  };
  const stateBytes = async (realNow: () => number) => {
    const config = resolveConfig({ logLevel: 'silent', seed: 7, now: NOW });
    const runtime = createMockRuntime(config, realNow);
    const app = buildApp(config, runtime);
    try {
      const response = await app.inject({ method: 'GET', url: '/__mock/state' });
      expect(response.statusCode).toBe(200);
      return { body: response.body, startedAt: runtime.startedAt };
    } finally {
      await app.close();
    }
  };

  it('the dataset is built from --now exactly, however far the machine clock moves during start-up', async () => {
    const still = await stateBytes(() => 0);
    const moving = await stateBytes(ticking());
    expect(moving.startedAt).toBe(Date.parse(NOW));
    expect(still.startedAt).toBe(Date.parse(NOW));
    expect(moving.body).toBe(still.body);
  });

  it('the clock starts at exactly --now and runs with real time from there', () => {
    let real = 1_000;
    const runtime = createMockRuntime(resolveConfig({ logLevel: 'silent', now: NOW }), () => real);
    real += 250;
    expect(runtime.clock.now()).toBe(Date.parse(NOW) + 250);
    expect(runtime.startedAt).toBe(Date.parse(NOW));
  });

  it('without --now the clock starts at the real time and the dataset is built from that instant', () => {
    const runtime = createMockRuntime(resolveConfig({ logLevel: 'silent' }), () => 1_768_392_000_000);
    expect(runtime.startedAt).toBe(1_768_392_000_000);
    expect(runtime.clock.now()).toBe(1_768_392_000_000);
  });
});

describe('--keys: all fixtures, then generated keys up to --keys (default: the scenario\'s count)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'orkm-runtime-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const twoKeys = join(tmp, 'two.json');
  writeFileSync(twoKeys, JSON.stringify([{ name: 'Mine A' }, { name: 'Mine B' }]));
  const keysOf = (options: MockOptions) => {
    const runtime = createMockRuntime(resolveConfig({ logLevel: 'silent', now: '2026-01-14T12:00:00Z', ...options }), () => 0);
    return runtime.initialState().accounts[0]!.keys;
  };

  // The embedded fixtures hold 5 keys; default's count is 25, near-limit's 6 (its 6 fixtures), empty's 0.
  it.each<[string, MockOptions, number]>([
    ['default', {}, 25],
    ['default, --keys 7', { keys: 7 }, 7],
    ['default, --keys 3 (fewer than the 5 fixtures)', { keys: 3 }, 5],
    ['default, --keys 0', { keys: 0 }, 5],
    ['near-limit', { scenario: 'near-limit' }, 6],
    ['near-limit, --keys 10', { scenario: 'near-limit', keys: 10 }, 10],
    ['empty', { scenario: 'empty' }, 0],
    ['empty, --keys 4', { scenario: 'empty', keys: 4 }, 4],
    ['default, --fixtures (2 keys), no --keys: the scenario\'s 25', { fixtures: twoKeys }, 25],
    ['near-limit, --fixtures (2 keys), no --keys: the scenario\'s 6', { scenario: 'near-limit', fixtures: twoKeys }, 6],
    ['empty, --fixtures (2 keys), no --keys: just the fixtures', { scenario: 'empty', fixtures: twoKeys }, 2],
    ['--fixtures (2 keys), --keys 1: just the fixtures', { fixtures: twoKeys, keys: 1 }, 2],
    ['--fixtures (2 keys), --keys 3', { fixtures: twoKeys, keys: 3 }, 3],
  ])('%s → %i keys', (_label, options, count) => {
    const keys = keysOf(options);
    expect(keys).toHaveLength(count);
    if (options.fixtures !== undefined) expect(keys.slice(0, 2).map((k) => k.name)).toEqual(['Mine A', 'Mine B']);
  });
});
