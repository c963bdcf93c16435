import files from '../generated/fixtures.json' with { type: 'json' };
import { createScenarioSource, filesInMemory } from './scenario-source.js';
import type { ScenarioSource } from './scenarios.js';

/** The package's fixture files, parsed, by path from the package root (npm run generate writes them). */
export const BUNDLED_FILES: Readonly<Record<string, unknown>> = files;

/** The bundled scenarios: the same names, errors and caching as fixture-files.ts, with no file reading. */
export const bundledScenarios: ScenarioSource = createScenarioSource(filesInMemory(BUNDLED_FILES), 'fixtures/scenarios');
