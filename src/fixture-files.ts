import { readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenario, SCENARIO_NAME, ScenarioError, type Scenario } from './data/scenarios.js';

/** The package's `fixtures/` folder: the embedded default dataset and the scenarios. */
export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const SCENARIOS_DIR = resolve(FIXTURES_DIR, 'scenarios');
export const DEFAULT_FIXTURES_PATH = resolve(FIXTURES_DIR, 'keys.json');

export class FileError extends Error {
  override readonly name = 'FileError';
}

/** Reads and parses a JSON file, with errors that say which file and why. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FileError(`cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new FileError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** The names of the bundled scenarios, sorted. */
export function scenarioNames(): string[] {
  return readdirSync(SCENARIOS_DIR)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .filter((name) => SCENARIO_NAME.test(name))
    .sort();
}

const cache = new Map<string, Scenario>();

/** A bundled scenario by name (read once, then cached: the files are part of the package). */
export function loadScenario(name: string): Scenario {
  const cached = cache.get(name);
  if (cached) return cached;
  if (!SCENARIO_NAME.test(name) || !scenarioNames().includes(name)) {
    throw new ScenarioError(`unknown scenario "${name.slice(0, 64)}" (available: ${scenarioNames().join(', ')})`);
  }
  const path = resolve(SCENARIOS_DIR, `${name}.json`);
  let scenario: Scenario;
  try {
    scenario = parseScenario(name, readJsonFile(path), path, (relative) => readJsonFile(resolve(dirname(path), relative)));
    // A fixtures file named by a relative path is reported by its full path.
    scenario = { ...scenario, source: resolve(dirname(path), scenario.source) };
  } catch (err) {
    if (err instanceof FileError) throw new ScenarioError(`scenario "${name}": ${err.message}`);
    throw err;
  }
  cache.set(name, scenario);
  return scenario;
}
