import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createScenarioSource, FileError, type ScenarioFiles } from './data/scenario-source.js';
import type { ScenarioSource } from './data/scenarios.js';

export { FileError };

/** The package's `fixtures/` folder: the embedded default dataset and the scenarios. */
export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const SCENARIOS_DIR = resolve(FIXTURES_DIR, 'scenarios');
export const DEFAULT_FIXTURES_PATH = resolve(FIXTURES_DIR, 'keys.json');

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

/** The file system as scenario-source.ts's store: absolute paths, read as JSON. */
const filesOnDisk: ScenarioFiles = { list: (folder) => readdirSync(folder), read: readJsonFile, resolve };

/**
 * The package's scenarios, fixtures/scenarios/*.json, read from disk (each once, then cached: the
 * files are part of the package); a scenario's `source` is a full path.
 */
export const fileScenarios: ScenarioSource = createScenarioSource(filesOnDisk, SCENARIOS_DIR);
