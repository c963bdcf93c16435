import { createHash } from 'node:crypto';
import { VirtualClock } from './domain/clock.js';
import { KeyStore } from './domain/key-store.js';
import { createRandom } from './domain/random.js';
import type { StoreState } from './domain/types.js';
import { buildDataset } from './data/dataset.js';
import type { MockConfig } from './config.js';

/** SHA-256 hex, the one hashing primitive the domain is given on Node. */
export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Everything one mock instance holds: its clock, its store and the start-up state that reset goes
 * back to. Built from a resolved config; owned by one Fastify app (`app.mock`).
 */
export interface MockRuntime {
  readonly config: MockConfig;
  readonly clock: VirtualClock;
  readonly store: KeyStore;
  /** The start-up state (never handed to the store itself: the store gets clones). */
  readonly initialState: StoreState;
}

export function createMockRuntime(config: MockConfig, realNow: () => number = Date.now): MockRuntime {
  const clock = new VirtualClock(realNow, config.now);
  const initialState = buildDataset({
    seed: config.seed,
    now: clock.now(),
    keys: config.keys,
    fixtures: config.fixtures.entries,
    fixturesSource: config.fixtures.source,
    managementKeys: config.managementKey,
    sha256Hex,
  });
  // Secrets of keys created at run time come from their own stream, so they do not depend on
  // how many keys the dataset generated.
  const store = new KeyStore({ clock, sha256Hex, random: createRandom(config.seed ^ 0x5eed5eed) });
  store.load(structuredClone(initialState));
  return { config, clock, store, initialState };
}
