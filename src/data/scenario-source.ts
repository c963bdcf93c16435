import { parseScenario, SCENARIO_NAME, ScenarioError, type Scenario, type ScenarioSource } from './scenarios.js';

/** A file the bundle does not hold (fixture-files.ts's FileError, without a file system). */
class MissingFile extends Error {}

/**
 * Scenarios served from files already parsed into memory (the generated bundled-fixtures.ts), with
 * the semantics of fixture-files.ts's `scenarioNames`/`loadScenario`: the same names, the same
 * errors, the same caching. Paths are '/'-separated and relative to the package root (such as
 * `fixtures/scenarios/near-limit.json`), so that a scenario's `source` says where it came from
 * without a file system.
 */
export function createScenarioSource(files: Readonly<Record<string, unknown>>, folder: string): ScenarioSource {
  const prefix = `${folder}/`;
  const names = (): string[] =>
    Object.keys(files)
      .filter((path) => path.startsWith(prefix) && path.endsWith('.json') && !path.slice(prefix.length).includes('/'))
      .map((path) => path.slice(prefix.length, -'.json'.length))
      .filter((name) => SCENARIO_NAME.test(name))
      .sort();
  const read = (path: string): unknown => {
    if (!Object.hasOwn(files, path)) throw new MissingFile(`cannot read ${path}: no such bundled file`);
    return files[path];
  };
  const cache = new Map<string, Scenario>();
  const load = (name: string): Scenario => {
    const cached = cache.get(name);
    if (cached) return cached;
    if (!SCENARIO_NAME.test(name) || !names().includes(name)) {
      throw new ScenarioError(`unknown scenario "${name.slice(0, 64)}" (available: ${names().join(', ')})`);
    }
    const path = `${prefix}${name}.json`;
    // A fixtures file named by a relative path is reported by its path from the package root.
    let fixturesPath = path;
    let scenario: Scenario;
    try {
      scenario = parseScenario(name, read(path), path, (relative) => read((fixturesPath = joinPath(folder, relative))));
    } catch (err) {
      if (err instanceof MissingFile) throw new ScenarioError(`scenario "${name}": ${err.message}`);
      throw err;
    }
    scenario = { ...scenario, source: fixturesPath };
    cache.set(name, scenario);
    return scenario;
  };
  return { names, load };
}

/** `relative` resolved against `folder`, both '/'-separated (node:path is not available here). */
export function joinPath(folder: string, relative: string): string {
  const parts = relative.startsWith('/') ? [] : folder.split('/').filter((part) => part !== '' && part !== '.');
  for (const part of relative.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '' && part !== '.') parts.push(part);
  }
  return parts.join('/');
}
