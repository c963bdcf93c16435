import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.js';
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
