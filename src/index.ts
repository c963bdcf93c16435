export { buildApp } from './app.js';
export { createMockServer, startServer, type MockServer } from './server.js';
export {
  resolveConfig,
  ConfigError,
  DEFAULT_MANAGEMENT_KEY,
  type MockConfig,
  type MockOptions,
  type LogLevel,
} from './config.js';
export { KeyStore, PAGE_SIZE, type Principal } from './domain/key-store.js';
export { ApiError } from './domain/errors.js';
export { limitRemaining, usedAgainstLimit } from './domain/limit.js';
export { FixtureError } from './data/fixtures.js';
export type * from './domain/types.js';
