import { VirtualClock } from './domain/clock.js';
import { MockEvents } from './domain/events.js';
import { CompletionRules } from './domain/completion-rules.js';
import { FaultRegistry } from './domain/faults.js';
import { Generations } from './domain/generations.js';
import { Inference } from './domain/inference.js';
import type { Route } from './domain/paths.js';
import { RequestJournal } from './domain/journal.js';
import { copyState, KeyStore } from './domain/key-store.js';
import { createRandom, type RandomSource } from './domain/random.js';
import { WindowRollover, type Scheduler } from './domain/window-rollover.js';
import type { StoreState } from './domain/types.js';
import { buildDataset } from './data/dataset.js';
import type { ScenarioSource } from './data/scenarios.js';
import type { MockConfig } from './options.js';

export type { ScenarioSource };

/**
 * Everything one mock instance holds: its clock, its store, the start-up state that reset goes
 * back to, and the test-control plane's state (journal, faults). Built from a resolved config;
 * owned by one door (the Fastify app's `app.mock`, a fetch handler, MSW handlers).
 */
export interface MockRuntime {
  readonly config: MockConfig;
  readonly clock: VirtualClock;
  readonly store: KeyStore;
  readonly journal: RequestJournal;
  readonly faults: FaultRegistry;
  /** The inference surface: completion rules, the generations answered, and the rules that charge them. */
  readonly completionRules: CompletionRules;
  readonly generations: Generations;
  readonly inference: Inference;
  readonly scenarios: ScenarioSource;
  /** Every change to the above, for whoever listens (state-file saver, event stream, waitForRequest). */
  readonly events: MockEvents;
  /** A fresh copy of the start-up state, for the store to own (reset goes back to it). */
  initialState(): StoreState;
  /** The clock's start-up instant, where reset puts it back. */
  readonly startedAt: number;
  /** The secrets stream of `POST /keys`; reset re-seeds it. */
  keyRandom: RandomSource;
  /** The stream for control-plane secrets (new accounts' management keys). */
  controlRandom: RandomSource;
  /** The stream of generation ids (`gen-…`); reset re-seeds it. */
  generationRandom: RandomSource;
  sha256Hex(text: string): string;
}

/**
 * What the platform gives a runtime, so that this module needs no Node: runtime.ts passes
 * node:crypto, the package's scenario files and a --state-file's contents; a browser door passes
 * sha256HexPortable and the bundled scenarios.
 */
export interface RuntimePlatform {
  /** SHA-256 as lowercase hex; called without `this`. */
  sha256Hex: (text: string) => string;
  scenarios: ScenarioSource;
  /** The real clock the virtual one runs forward with (default: Date.now). */
  realNow?: () => number;
  /** Timers for the usage windows' rollover events (default: setTimeout, unref'd where it can be). */
  schedule?: Scheduler;
  /** A saved state to start from (and reset back to) instead of building the dataset. */
  savedState?: StoreState | undefined;
  /** The API's routes, HEAD twins included, for the fault rules (API_ROUTES from the operation table). */
  apiRoutes: readonly Route[];
}

/** setTimeout that never keeps a process alive (Node's `unref`; a browser's timers have none and need none). */
export const unrefTimeout: Scheduler = (callback, ms) => {
  const timer = setTimeout(callback, ms);
  (timer as { unref?: () => void }).unref?.();
  return () => clearTimeout(timer);
};

/** Up to this many keys, reset copies a kept snapshot; beyond, it rebuilds the dataset. */
export const SNAPSHOT_LIMIT = 20_000;

/** The seeds of the two runtime random streams, derived from `--seed` so that runs replay. */
export const keySeed = (seed: number) => (seed ^ 0x5eed5eed) >>> 0;
export const controlSeed = (seed: number) => (seed ^ 0xc0c0a) >>> 0;
export const generationSeed = (seed: number) => (seed ^ 0x6e6e6e6e) >>> 0;

export function createRuntime(config: MockConfig, platform: RuntimePlatform): MockRuntime {
  const { sha256Hex, scenarios, realNow = Date.now, schedule = unrefTimeout, savedState: saved } = platform;
  // The clock starts at exactly --now, and the dataset is built from that same instant: reading
  // the running clock back would be a millisecond or more later now and then, and the same --seed
  // and --now would not always give the same bytes.
  const startedAt = config.now ?? realNow();
  const clock = new VirtualClock(realNow, startedAt);
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
  // A saved state is the start-up state (and what reset goes back to).
  const startState = saved ?? build();
  // A snapshot makes reset instant (the default dataset: well under a millisecond). A large
  // generated dataset is rebuilt instead — deterministic, so the same bytes — rather than kept
  // twice in memory (100,000 keys: ~20 MB of object shells).
  const snapshot = saved !== undefined || config.keys <= SNAPSHOT_LIMIT ? startState : undefined;
  const initialState = () => copyState(snapshot ?? build());
  const keyRandom = createRandom(keySeed(config.seed));
  // Secrets of keys created at run time come from their own stream, so they do not depend on
  // how many keys the dataset generated.
  const events = new MockEvents();
  const store = new KeyStore({ clock, sha256Hex, events, random: { next: () => runtime.keyRandom.next(), hex: (n) => runtime.keyRandom.hex(n) } });
  store.load(snapshot ? copyState(startState) : startState);
  // Rollovers told as they happen, not at the next request, while anyone listens (every door).
  new WindowRollover({ clock, events, sync: () => store.sync(), schedule });
  const completionRules = new CompletionRules();
  // Generation ids from a stream of their own, re-seeded by reset (through the runtime's).
  const generations = new Generations({ next: () => runtime.generationRandom.next(), hex: (n) => runtime.generationRandom.hex(n) });
  const inference = new Inference({
    store,
    // Read when a completion begins, not now: the embedded catalogue is built on first use (options.ts).
    get catalogue() {
      return config.models.catalogue;
    },
    generations,
    rules: completionRules,
    seed: config.seed,
    limitErrors: config.limitErrors,
  });
  const runtime: MockRuntime = {
    config,
    clock,
    store,
    journal: new RequestJournal(config.journalSize, events),
    faults: new FaultRegistry(platform.apiRoutes, events, () => clock.now()),
    completionRules,
    generations,
    inference,
    generationRandom: createRandom(generationSeed(config.seed)),
    scenarios,
    events,
    initialState,
    startedAt,
    keyRandom,
    controlRandom: createRandom(controlSeed(config.seed)),
    sha256Hex,
  };
  return runtime;
}
