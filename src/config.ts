import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULT_FIXTURES_PATH, FileError, fileScenarios, readJsonFile } from './fixture-files.js';
import { fail } from './option-values.js';
import { ConfigError, resolveOptions, type MockConfig, type MockOptions, type OptionName, type OptionsEdge } from './options.js';

/**
 * The options on Node: options.ts (the table and its validation, browser-safe) given the package's
 * scenario files, --fixtures files read from disk and the --state-file folder checked. Everything
 * options.ts exports is exported from here too, where the server, the CLI and the tests import it.
 */
export * from './options.js';
export { DEFAULT_FIXTURES_PATH };

/**
 * A state file's folder must exist and be writable, checked at start-up: the file is written by
 * replacing it (temp file, rename), and a save that cannot happen would otherwise only be noticed
 * after the state it was meant to keep is gone.
 */
function checkStateFolder(path: string): void {
  const folder = dirname(resolve(path));
  let isFolder = false;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    fail(`its folder ${folder} does not exist`);
  }
  if (!isFolder) fail(`${folder} is not a folder`);
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    fail(`its folder ${folder} is not writable`);
  }
}

function readFixtures(path: string): MockConfig['fixtures'] {
  try {
    return { source: path, entries: readJsonFile(path) };
  } catch (err) {
    if (err instanceof FileError) throw new ConfigError(`invalid --fixtures (MOCK_FIXTURES): ${err.message}`);
    throw err;
  }
}

/** A --models file's content; options.ts validates it into the catalogue. */
function readModels(path: string): { source: string; entries: unknown } {
  try {
    return { source: path, entries: readJsonFile(path) };
  } catch (err) {
    if (err instanceof FileError) throw new ConfigError(`invalid --models (MOCK_MODELS): ${err.message}`);
    throw err;
  }
}

const nodeEdge: OptionsEdge = {
  scenarios: fileScenarios,
  readFixtures,
  readModels,
  check: { stateFile: checkStateFolder },
};

/** Validates options (typed or strings) into a config. Throws `ConfigError` naming the option. */
export function resolveConfig(options: MockOptions = {}, origins: Partial<Record<OptionName, string>> = {}): MockConfig {
  return resolveOptions(options, origins, nodeEdge);
}
