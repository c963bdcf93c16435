export { buildApp } from './app.js';
export { createMockServer, startServer, createHandle, type MockServer, type MockHandle } from './server.js';
export {
  resolveConfig,
  ConfigError,
  DEFAULT_MANAGEMENT_KEY,
  type MockConfig,
  type MockOptions,
  type LogLevel,
} from './config.js';
export {
  MockControl,
  type AccountSummary,
  type AccountKey,
  type CreatedAccount,
  type ClockState,
  type ClockChange,
  type ScenarioSummary,
  type StateSummary,
  type StateDocument,
  type Deleted,
  type RequestsQuery,
} from './control/mock-control.js';
export { KeyStore, PAGE_SIZE, type Principal } from './domain/key-store.js';
export { ApiError } from './domain/errors.js';
export { limitRemaining, usedAgainstLimit } from './domain/limit.js';
export type { FaultSpec, FaultRule, FaultMatch, FaultEdit, FaultState } from './domain/faults.js';
export type { JournalEntry, JournalFilter } from './domain/journal.js';
export type { MockEvent, MockEventType } from './domain/events.js';
export { FixtureError } from './data/fixtures.js';
export { StateFileError } from './state-file.js';
export type * from './domain/types.js';
