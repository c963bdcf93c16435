import * as crypto from 'node:crypto';
import type { MockConfig } from './config.js';
import { fileScenarios } from './fixture-files.js';
import { API_ROUTES } from './http/api-operations.js';
import { createRuntime, type MockRuntime } from './mock-runtime.js';
import { readStateFile } from './state-file.js';

/** The runtime on Node: the browser-safe one (mock-runtime.ts) given node:crypto and the package's files. */
export { controlSeed, createRuntime, keySeed, SNAPSHOT_LIMIT, type MockRuntime, type RuntimePlatform, type ScenarioSource } from './mock-runtime.js';

/** SHA-256 hex, the one hashing primitive the domain is given on Node. */
// crypto.hash (Node ≥ 20.12) hashes in one call without a Hash object: a 100,000-key dataset
// hashes 100,000 secrets at start-up.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
export const sha256Hex = oneShot
  ? (text: string): string => oneShot('sha256', text, 'hex')
  : (text: string): string => crypto.createHash('sha256').update(text).digest('hex');

export function createMockRuntime(config: MockConfig, realNow: () => number = Date.now): MockRuntime {
  // With --state-file, what was saved is the start-up state (and what reset goes back to).
  const savedState = config.stateFile ? readStateFile(config.stateFile) : undefined;
  return createRuntime(config, { sha256Hex, scenarios: fileScenarios, realNow, savedState, apiRoutes: API_ROUTES });
}
