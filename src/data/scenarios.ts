/**
 * Scenarios: named datasets for the states a key list must render (`fixtures/scenarios/NAME.json`).
 * A scenario file is `{ "description": "...", "keys": N, "fixtures": [ …key objects… ] }`, where
 * `fixtures` may instead be a path (relative to the scenario file) of a fixtures file, and `keys` is
 * the total the account starts with (fixtures first, then generated keys; default: the fixtures).
 */
export interface Scenario {
  name: string;
  description: string;
  /** How many keys in all: fixtures first, then generated keys up to this count. */
  keys: number;
  fixtures: unknown[];
  /** Where the fixtures came from, for error messages. */
  source: string;
}

export const SCENARIO_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

/** Where scenarios come from: the package's files on Node, the bundled copy of them elsewhere. */
export interface ScenarioSource {
  /** The scenario names, sorted. */
  names(): string[];
  /** A scenario by name; throws `ScenarioError` for an unknown name. */
  load(name: string): Scenario;
}

/**
 * Validates a parsed scenario document. `readFixtures(path)` loads a fixtures file named by a
 * relative path (injected: the data layer does no I/O).
 */
export function parseScenario(name: string, document: unknown, source: string, readFixtures: (path: string) => unknown): Scenario {
  const fail = (what: string): never => {
    throw new ScenarioError(`scenario "${name}" (${source}): ${what}`);
  };
  if (document === null || typeof document !== 'object' || Array.isArray(document)) fail('must be a JSON object');
  const doc = document as Record<string, unknown>;
  for (const field of Object.keys(doc)) {
    if (!['description', 'keys', 'fixtures'].includes(field)) fail(`unknown field "${field}" (allowed: description, keys, fixtures)`);
  }
  if (typeof doc.description !== 'string' || doc.description.trim() === '') fail('field "description" must be a non-empty string');
  let fixtures: unknown = doc.fixtures ?? [];
  let fixturesSource = source;
  if (typeof fixtures === 'string') {
    fixturesSource = fixtures;
    fixtures = readFixtures(fixtures);
  }
  if (!Array.isArray(fixtures)) fail('field "fixtures" must be an array of key objects or the path of a fixtures file');
  const entries = fixtures as unknown[];
  const keys = doc.keys ?? entries.length;
  if (typeof keys !== 'number' || !Number.isSafeInteger(keys) || keys < 0 || keys > 1_000_000) {
    fail('field "keys" must be an integer from 0 to 1000000');
  }
  return { name, description: doc.description as string, keys: keys as number, fixtures: entries, source: fixturesSource };
}
