import * as crypto from 'node:crypto';
import { VirtualClock } from './domain/clock.js';
import { FaultRegistry } from './domain/faults.js';
import { RequestJournal } from './domain/journal.js';
import { copyState, KeyStore } from './domain/key-store.js';
import { createRandom, type RandomSource } from './domain/random.js';
import type { StoreState } from './domain/types.js';
import { buildDataset } from './data/dataset.js';
import type { Scenario } from './data/scenarios.js';
import type { MockConfig } from './config.js';
import { loadScenario, scenarioNames } from './fixture-files.js';
import { readStateFile } from './state-file.js';

/** SHA-256 hex, the one hashing primitive the domain is given on Node. */
// crypto.hash (Node ≥ 20.12) hashes in one call without a Hash object: a 100,000-key dataset
// hashes 100,000 secrets at start-up.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
export const sha256Hex = oneShot
  ? (text: string): string => oneShot('sha256', text, 'hex')
  : (text: string): string => crypto.createHash('sha256').update(text).digest('hex');

/** Where scenarios come from (the package's files on Node; injectable elsewhere). */
export interface ScenarioSource {
  names(): string[];
  load(name: string): Scenario;
}

/**
 * Everything one mock instance holds: its clock, its store, the start-up state that reset goes
 * back to, and the test-control plane's state (journal, faults). Built from a resolved config;
 * owned by one Fastify app (`app.mock`).
 */
export interface MockRuntime {
  readonly config: MockConfig;
  readonly clock: VirtualClock;
  readonly store: KeyStore;
  readonly journal: RequestJournal;
  readonly faults: FaultRegistry;
  readonly scenarios: ScenarioSource;
  /** A fresh copy of the start-up state, for the store to own (reset goes back to it). */
  initialState(): StoreState;
  /** The clock's start-up instant, where reset puts it back. */
  readonly startedAt: number;
  /** The secrets stream of `POST /keys`; reset re-seeds it. */
  keyRandom: RandomSource;
  /** The stream for control-plane secrets (new accounts' management keys). */
  controlRandom: RandomSource;
  sha256Hex(text: string): string;
}

/** Up to this many keys, reset copies a kept snapshot; beyond, it rebuilds the dataset. */
export const SNAPSHOT_LIMIT = 20_000;

/** The seeds of the two runtime random streams, derived from `--seed` so that runs replay. */
export const keySeed = (seed: number) => (seed ^ 0x5eed5eed) >>> 0;
export const controlSeed = (seed: number) => (seed ^ 0xc0c0a) >>> 0;

export function createMockRuntime(config: MockConfig, realNow: () => number = Date.now): MockRuntime {
  // The clock starts at exactly --now, and the dataset is built from that same instant: reading
  // the running clock back would be a millisecond or more later now and then, and the same --seed
  // and --now would not always give the same bytes.
  const startedAt = config.now ?? realNow();
  const clock = new VirtualClock(realNow, startedAt);
  // With --state-file, what was saved is the start-up state (and what reset goes back to).
  const saved = config.stateFile ? readStateFile(config.stateFile) : undefined;
  const build = () =>
    buildDataset({
      seed: config.seed,
      now: startedAt,
      keys: config.keys,
      fixtures: config.fixtures.entries,
      fixturesSource: config.fixtures.source,
      managementKeys: config.managementKey,
      sha256Hex,
    });
  const startState = saved ?? build();
  // A snapshot makes reset instant (the default dataset: well under a millisecond). A large
  // generated dataset is rebuilt instead — deterministic, so the same bytes — rather than kept
  // twice in memory (100,000 keys: ~20 MB of object shells).
  const snapshot = saved !== undefined || config.keys <= SNAPSHOT_LIMIT ? startState : undefined;
  const initialState = () => copyState(snapshot ?? build());
  const keyRandom = createRandom(keySeed(config.seed));
  // Secrets of keys created at run time come from their own stream, so they do not depend on
  // how many keys the dataset generated.
  const store = new KeyStore({ clock, sha256Hex, random: { next: () => runtime.keyRandom.next(), hex: (n) => runtime.keyRandom.hex(n) } });
  store.load(snapshot ? copyState(startState) : startState);
  const runtime: MockRuntime = {
    config,
    clock,
    store,
    journal: new RequestJournal(config.journalSize),
    faults: new FaultRegistry(),
    scenarios: { names: scenarioNames, load: loadScenario },
    initialState,
    startedAt,
    keyRandom,
    controlRandom: createRandom(controlSeed(config.seed)),
    sha256Hex,
  };
  return runtime;
}
