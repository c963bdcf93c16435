import { parseScenario, SCENARIO_NAME, ScenarioError, type Scenario, type ScenarioSource } from './scenarios.js';

/** A file that cannot be read or parsed; the message says which file and why. */
export class FileError extends Error {
  override readonly name = 'FileError';
}

/**
 * Where a scenario source's files come from: the package's files on disk (fixture-files.ts, with
 * node:fs and node:path) or files already parsed into memory (`filesInMemory`, for the doors that
 * have no file system). Paths are whatever the store uses: absolute ones on disk, '/'-separated
 * paths from the package root in memory.
 */
export interface ScenarioFiles {
  /** The names of the entries directly in `folder`. */
  list(folder: string): string[];
  /** A file's parsed JSON; throws `FileError` when it cannot be read or is not JSON. */
  read(path: string): unknown;
  /** `relative` resolved against `folder`. */
  resolve(folder: string, relative: string): string;
}

/**
 * The scenarios in `folder` (its `NAME.json` files whose names are scenario names): each read
 * once, then cached. A scenario's `source` is its own file when its fixtures are inline, else the
 * fixtures file it names, resolved against the folder; a file that cannot be read is a
 * `ScenarioError` that names the scenario.
 */
export function createScenarioSource(files: ScenarioFiles, folder: string): ScenarioSource {
  const names = (): string[] =>
    files
      .list(folder)
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.slice(0, -'.json'.length))
      .filter((name) => SCENARIO_NAME.test(name))
      .sort();
  const cache = new Map<string, Scenario>();
  const load = (name: string): Scenario => {
    const cached = cache.get(name);
    if (cached) return cached;
    if (!SCENARIO_NAME.test(name) || !names().includes(name)) {
      throw new ScenarioError(`unknown scenario "${name.slice(0, 64)}" (available: ${names().join(', ')})`);
    }
    const path = files.resolve(folder, `${name}.json`);
    // A fixtures file named by a relative path is reported by its resolved path.
    let fixturesPath = path;
    let scenario: Scenario;
    try {
      scenario = parseScenario(name, files.read(path), path, (relative) => files.read((fixturesPath = files.resolve(folder, relative))));
    } catch (err) {
      if (err instanceof FileError) throw new ScenarioError(`scenario "${name}": ${err.message}`);
      throw err;
    }
    scenario = { ...scenario, source: fixturesPath };
    cache.set(name, scenario);
    return scenario;
  };
  return { names, load };
}

/**
 * Files already parsed, by '/'-separated path from the package root (such as
 * `fixtures/scenarios/near-limit.json`, src/generated/fixtures.json, which npm run generate writes), so
 * that a scenario's `source` says where it came from without a file system.
 */
export function filesInMemory(files: Readonly<Record<string, unknown>>): ScenarioFiles {
  return {
    list(folder) {
      const prefix = `${joinPath(folder, '.')}/`;
      return Object.keys(files)
        .filter((path) => path.startsWith(prefix) && !path.slice(prefix.length).includes('/'))
        .map((path) => path.slice(prefix.length));
    },
    read(path) {
      if (!Object.hasOwn(files, path)) throw new FileError(`cannot read ${path}: no such bundled file`);
      return files[path];
    },
    resolve: joinPath,
  };
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
