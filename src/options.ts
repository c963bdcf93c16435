import { EMBEDDED_MODELS_SOURCE } from './data/models.js';
import { createCatalogue, embeddedCatalogue, type WireCatalogue } from './model-catalogue.js';
import { SCENARIO_NAME, ScenarioError, type ScenarioSource } from './data/scenarios.js';
import { CatalogueError } from './domain/models.js';
import { LIMIT_ERROR_STYLES, type LimitErrorStyle } from './domain/spend-limit.js';
import {
  BOOLEAN_FORMS,
  fail,
  integer,
  integerValue,
  parseBoolean,
  parseControlOrigins,
  parseHosts,
  parseInstant,
  parseKeyList,
  parseLatency,
  parseMilliseconds,
  parseOrigins,
  textValue,
} from './option-values.js';

export { BOOLEAN_FORMS, parseBoolean };

/**
 * Every option of the mock, in one table, parsed and validated in one place. The rule for every
 * present and future option: flag `--foo-bar` ↔ environment variable `MOCK_FOO_BAR` (only `PORT`
 * and `HOST` go without the prefix); flags win over the environment, which wins over defaults.
 * Programmatic callers (`createMockServer`) pass the same options as typed values or strings.
 */

/** The documented development management key, used when none is configured. Not a secret. */
export const DEFAULT_MANAGEMENT_KEY = `sk-or-v1-${'0123456789abcdef'.repeat(4)}`;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface OptionSpec<T> {
  help: string;
  /** Placeholder shown in --help; absent for switches. */
  value?: string;
  defaultText: string;
  default: () => T;
  /** From a flag or environment string. Throws a rule phrase (string) when invalid. */
  parse(raw: string): T;
  /** From a programmatic value; strings go through `parse`. */
  accept?(value: unknown): T;
  /** A switch: `--flag` means true, `--no-flag` false. */
  switch?: boolean;
  /** A secret: a rejected value is not quoted back (it would land in a terminal, a CI log). */
  secret?: boolean;
}

export const OPTIONS = {
  port: {
    help: 'Port to listen on, 0 to 65535 (0 picks a free one)',
    value: 'N',
    defaultText: '8080',
    default: () => 8080,
    parse: integer(0, 65535),
    accept: integerValue(integer(0, 65535)),
  },
  host: {
    help: 'Address to listen on (0.0.0.0 in containers)',
    value: 'ADDR',
    defaultText: '127.0.0.1',
    default: () => '127.0.0.1',
    parse: (raw: string) => raw.trim() || fail('must not be empty'),
    accept: textValue,
  },
  seed: {
    help: 'Seed of the generated dataset and of new secrets, 0 to 4294967295: same seed + same --now = same bytes',
    value: 'N',
    defaultText: '1',
    default: () => 1,
    parse: integer(0, 2 ** 32 - 1),
    accept: integerValue(integer(0, 2 ** 32 - 1)),
  },
  now: {
    help: 'Start of the clock (ISO 8601; without a zone, UTC); it then runs forward in real time',
    value: 'ISO',
    defaultText: 'the real time',
    default: () => undefined as number | undefined,
    parse: parseInstant,
    accept: (value: unknown) =>
      value instanceof Date
        ? Number.isFinite(value.getTime())
          ? value.getTime()
          : fail('must be a valid date')
        : typeof value === 'number'
          ? Number.isFinite(value)
            ? value
            : fail('must be a finite epoch-milliseconds number')
          : typeof value === 'string'
            ? parseInstant(value)
            : fail('must be an ISO 8601 string, a Date or epoch milliseconds'),
  },
  scenario: {
    help: 'Start-up dataset, one of fixtures/scenarios/*.json: default, empty, many-keys, near-limit, over-limit, disabled, expired, byok-heavy',
    value: 'NAME',
    defaultText: 'default',
    default: () => 'default',
    parse: (raw: string) => (SCENARIO_NAME.test(raw.trim()) ? raw.trim() : fail('must be a scenario name such as near-limit')),
    accept: textValue,
  },
  keys: {
    help: 'How many keys the first account starts with, 0 to 1000000: all its fixtures, then generated keys up to this count (a smaller count gives just the fixtures)',
    value: 'N',
    defaultText: "the scenario's count (25 for default), also with --fixtures",
    default: () => undefined as number | undefined,
    parse: integer(0, 1_000_000),
    accept: integerValue(integer(0, 1_000_000)),
  },
  fixtures: {
    help: "JSON file of keys to load instead of the scenario's fixtures (generated keys still top up to --keys)",
    value: 'FILE',
    defaultText: "the scenario's fixtures",
    default: () => undefined as string | unknown[] | undefined,
    parse: (raw: string): string | unknown[] => raw.trim() || fail('must be a file path'),
    accept: (value: unknown): string | unknown[] =>
      Array.isArray(value) ? value : typeof value === 'string' && value.trim() ? value : fail('must be a file path or an array of keys'),
  },
  models: {
    help: 'JSON file of the model catalogue to use instead of the embedded one: models in OpenRouter\'s shape (ids, per-token prices as strings; the first is the default model), as an array or as a GET /api/v1/models answer ({"data": […]}), each entry checked at start-up',
    value: 'FILE',
    defaultText: 'the embedded catalogue (8 models: openai/gpt-4o-mini first)',
    default: () => undefined as string | unknown[] | undefined,
    parse: (raw: string): string | unknown[] => raw.trim() || fail('must be a file path'),
    accept: (value: unknown): string | unknown[] =>
      Array.isArray(value) ? value : typeof value === 'string' && value.trim() ? value.trim() : fail('must be a file path or an array of models'),
  },
  limitErrors: {
    help: 'How chat completions refuse a key whose limit is used up: observed (403 "Key limit exceeded (daily limit)", what the live API answers) or documented (402, what OpenRouter\'s error docs list)',
    value: 'STYLE',
    defaultText: 'observed',
    default: () => 'observed' as LimitErrorStyle,
    parse: (raw: string): LimitErrorStyle => {
      const style = raw.trim().toLowerCase();
      return (LIMIT_ERROR_STYLES as readonly string[]).includes(style) ? (style as LimitErrorStyle) : fail(`must be one of ${LIMIT_ERROR_STYLES.join(', ')}`);
    },
    accept: (value: unknown): LimitErrorStyle =>
      typeof value === 'string' && (LIMIT_ERROR_STYLES as readonly string[]).includes(value) ? (value as LimitErrorStyle) : fail(`must be one of ${LIMIT_ERROR_STYLES.join(', ')}`),
  },
  managementKey: {
    help: 'Management key(s), comma-separated; each is its own account, the first owns the dataset',
    value: 'KEYS',
    defaultText: 'the development key, printed at start-up',
    default: () => [DEFAULT_MANAGEMENT_KEY],
    secret: true,
    parse: parseKeyList,
    accept: (value: unknown) =>
      Array.isArray(value)
        ? value.length > 0 && value.every((k) => typeof k === 'string')
          ? parseKeyList(value.join(','))
          : fail('must be a non-empty list of strings')
        : typeof value === 'string'
          ? parseKeyList(value)
          : fail('must be a string or a list of strings'),
  },
  strict: {
    help: 'Reject unknown body fields with 400 instead of ignoring them like the real API',
    defaultText: 'false',
    default: () => false,
    parse: parseBoolean,
    accept: (value: unknown) => (typeof value === 'boolean' ? value : typeof value === 'string' ? parseBoolean(value) : fail('must be a boolean')),
    switch: true,
  },
  bodyLimit: {
    help: 'Largest accepted request body under /api/v1, in bytes, 1 to 1073741824 (larger: 413); PUT /__mock/state takes up to 256 MiB and the other /__mock routes 1 MiB, whatever it says',
    value: 'BYTES',
    defaultText: '1048576 (1 MiB)',
    default: () => 1_048_576,
    parse: integer(1, 1024 * 1024 * 1024),
    accept: integerValue(integer(1, 1024 * 1024 * 1024)),
  },
  requestTimeout: {
    help: 'How long a request (headers and body) may take to arrive, in ms or as a duration such as 30s, 0 to 2147483647 ms (0: no limit); later: 408',
    value: 'MS',
    defaultText: '30s',
    default: () => 30_000,
    parse: parseMilliseconds(2 ** 31 - 1),
    accept: (value: unknown) =>
      typeof value === 'number' || typeof value === 'string' ? parseMilliseconds(2 ** 31 - 1)(String(value)) : fail('must be a number of ms or a duration such as 30s'),
  },
  adminToken: {
    help: 'Bearer token the /__mock control routes require, 8 or more characters without whitespace; unset, they are open (local use)',
    value: 'TOKEN',
    defaultText: 'none (open)',
    default: () => undefined as string | undefined,
    secret: true,
    parse: (raw: string) => (/^\S{8,}$/.test(raw.trim()) ? raw.trim() : fail('must be 8 or more characters without whitespace')),
    accept: textValue,
  },
  control: {
    help: 'Serve the /__mock control routes (/__mock/health is always served)',
    defaultText: 'true',
    default: () => true,
    parse: parseBoolean,
    accept: (value: unknown) => (typeof value === 'boolean' ? value : typeof value === 'string' ? parseBoolean(value) : fail('must be a boolean')),
    switch: true,
  },
  journalSize: {
    help: 'How many API requests the request journal keeps, 0 to 1000000 (0 disables it)',
    value: 'N',
    defaultText: '1000',
    default: () => 1000,
    parse: integer(0, 1_000_000),
    accept: integerValue(integer(0, 1_000_000)),
  },
  maxEventStreams: {
    help: 'How many GET /__mock/events streams may be open at once, 1 to 10000 (one more gets 503); each costs a write per 25 ms batch',
    value: 'N',
    defaultText: '32',
    default: () => 32,
    parse: integer(1, 10_000),
    accept: integerValue(integer(1, 10_000)),
  },
  latency: {
    help: 'Random delay added to every API response, in ms (0 to 999999): 50-200 or 100',
    value: 'MS',
    defaultText: 'none',
    default: () => undefined as { min: number; max: number } | undefined,
    parse: parseLatency,
    accept: (value: unknown) =>
      typeof value === 'number' ? parseLatency(String(value)) : typeof value === 'string' ? parseLatency(value) : fail('must be "MIN-MAX" or a number of ms'),
  },
  corsOrigin: {
    help: 'Origins browsers may call from: * or a comma-separated list such as http://localhost:5173',
    value: 'ORIGINS',
    defaultText: '* (any origin)',
    default: () => '*' as string | string[],
    parse: parseOrigins,
    accept: (value: unknown) =>
      Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? parseOrigins(value.join(','))
        : typeof value === 'string'
          ? parseOrigins(value)
          : fail('must be "*" or a list of origins'),
  },
  controlOrigins: {
    help: 'Other origins whose pages may call /__mock (control routes, events, inspector), comma-separated such as http://localhost:5173; the mock\'s own origin always may',
    value: 'ORIGINS',
    defaultText: 'none',
    default: () => [] as string[],
    parse: parseControlOrigins,
    accept: (value: unknown) =>
      Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? value.length === 0
          ? []
          : parseControlOrigins(value.join(','))
        : typeof value === 'string'
          ? parseControlOrigins(value)
          : fail('must be a list of origins'),
  },
  allowedHosts: {
    help: 'Host names /__mock answers besides localhost, *.localhost and IP addresses, comma-separated (.example.com: it and its subdomains), or * for any',
    value: 'HOSTS',
    defaultText: 'none',
    default: () => [] as string[] | '*',
    parse: parseHosts,
    accept: (value: unknown) =>
      Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? value.length === 0
          ? []
          : parseHosts(value.join(','))
        : typeof value === 'string'
          ? parseHosts(value)
          : fail('must be "*" or a list of host names'),
  },
  stateFile: {
    help: 'Keep state across restarts in this JSON file, in a folder that exists and is writable: loaded at start, saved atomically after changes and at shutdown',
    value: 'PATH',
    defaultText: 'none (state lives in memory)',
    default: () => undefined as string | undefined,
    // config.ts (the Node edge) also checks the folder: options.ts has no file system.
    parse: (raw: string) => raw.trim() || fail('must be a file path'),
    accept: textValue,
  },
  readyFile: {
    help: 'Once the server answers, write {url, origin, managementKeys, pid, …} to this JSON file (atomically; removed at exit), for harnesses in any language, e.g. with --port 0; the command only (createMockServer returns the same facts)',
    value: 'PATH',
    defaultText: 'none',
    default: () => undefined as string | undefined,
    parse: (raw: string) => raw.trim() || fail('must be a file path'),
    accept: textValue,
  },
  logLevel: {
    help: `Log level: ${LOG_LEVELS.join(', ')}`,
    value: 'LEVEL',
    defaultText: 'info (silent for createMockServer)',
    default: () => 'info' as LogLevel,
    parse: (raw: string): LogLevel => {
      const level = raw.trim().toLowerCase();
      return (LOG_LEVELS as readonly string[]).includes(level) ? (level as LogLevel) : fail(`must be one of ${LOG_LEVELS.join(', ')}`);
    },
    accept: textValue,
  },
} satisfies Record<string, OptionSpec<unknown>>;

type Specs = typeof OPTIONS;
export type OptionName = keyof Specs;
type ValueOf<K extends OptionName> = ReturnType<Specs[K]['default']> extends infer V ? Exclude<V, undefined> : never;

/** What callers pass: every option optional, as a typed value or as the string a flag would take. */
export type MockOptions = { [K in Exclude<OptionName, 'now'>]?: ValueOf<K> | string } & { now?: number | Date | string };

/** The resolved configuration: every option validated, fixtures read. */
export interface MockConfig {
  port: number;
  host: string;
  seed: number;
  now: number | undefined;
  /** The start-up scenario's name. */
  scenario: string;
  /**
   * The count generated keys top up to after the fixtures, which always load in full (so the first
   * account starts with max(fixtures, keys)): `--keys`, else the scenario's count.
   */
  keys: number;
  /** The first account's fixture keys: `--fixtures`, else the scenario's. */
  fixtures: { source: string; entries: unknown };
  /** The model catalogue, validated: `--models` (at start-up), else the embedded one (on first read). */
  models: { source: string; catalogue: WireCatalogue };
  /** How a spent key is refused by chat completions (`--limit-errors`). */
  limitErrors: LimitErrorStyle;
  managementKey: string[];
  strict: boolean;
  bodyLimit: number;
  /** ms a request may take to arrive whole (0: no limit). */
  requestTimeout: number;
  adminToken: string | undefined;
  control: boolean;
  journalSize: number;
  maxEventStreams: number;
  latency: { min: number; max: number } | undefined;
  corsOrigin: string | string[];
  /** Origins besides the mock's own whose pages may call `/__mock`. */
  controlOrigins: string[];
  /** Host names `/__mock` answers besides localhost, `*.localhost` and IP literals (`*`: any). */
  allowedHosts: string[] | '*';
  stateFile: string | undefined;
  readyFile: string | undefined;
  logLevel: LogLevel;
}

export const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
export const flagName = (name: OptionName): string => `--${kebab(name)}`;
export const envName = (name: OptionName): string =>
  name === 'port' || name === 'host' ? name.toUpperCase() : `MOCK_${kebab(name).replace(/-/g, '_').toUpperCase()}`;

function validate<K extends OptionName>(name: K, input: unknown, origin: string, check?: (value: never) => void): ValueOf<K> {
  const spec: OptionSpec<unknown> = OPTIONS[name];
  try {
    const value = typeof input === 'string' || !spec.accept ? spec.parse(String(input)) : spec.accept(input);
    check?.(value as never);
    return value as ValueOf<K>;
  } catch (rule) {
    if (typeof rule !== 'string') throw rule;
    const shown = spec.secret
      ? `a value of ${String(input).length} characters, not shown: it is a secret`
      : typeof input === 'string'
        ? JSON.stringify(input.length > 60 ? `${input.slice(0, 60)}…` : input)
        : String(input);
    throw new ConfigError(`invalid ${origin}: ${rule} (got ${shown})`);
  }
}

/** Edit distance with transpositions (optimal string alignment): "prot" is one step from "port". */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The option a mistyped name most likely meant (case, dashes and underscores aside), if any is
 * close, among `names` (all options; the in-process doors pass the ones they accept).
 */
export function closestOption<Name extends string = OptionName>(typed: string, names: readonly Name[] = Object.keys(OPTIONS) as Name[]): Name | undefined {
  const plain = (text: string) => text.toLowerCase().replace(/^(--|mock_)/, '').replace(/[-_]/g, '');
  const wanted = plain(typed);
  // The start of exactly one name (--state for --state-file).
  const starting = wanted.length >= 3 ? names.filter((name) => plain(name).startsWith(wanted)) : [];
  if (starting.length === 1) return starting[0];
  let best: { name: Name; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(wanted, plain(name));
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.min(2, Math.floor(wanted.length / 3)) ? best.name : undefined;
}

/** A misspelt option would otherwise be dropped without a word, and the mock run on a default. */
function refuseUnknown(options: object, known: readonly string[]): void {
  for (const name of Object.keys(options)) {
    if ((known as readonly string[]).includes(name)) continue;
    const near = closestOption(name, known);
    throw new ConfigError(`unknown option ${JSON.stringify(name.slice(0, 60))} ${near ? `(did you mean ${JSON.stringify(near)}?)` : `(options: ${known.join(', ')})`}`);
  }
}

/** What resolving options needs beyond the table, which only the edge that resolves them has. */
export interface OptionsEdge {
  scenarios: ScenarioSource;
  /** `fixtures` given as a file path: its keys (Node reads the file), or a ConfigError. */
  readFixtures(path: string): MockConfig['fixtures'];
  /** `models` given as a file path: its parsed content (Node reads the file), or a ConfigError. */
  readModels(path: string): { source: string; entries: unknown };
  /** A further check of an option's parsed value, throwing a rule phrase (Node: the state file's folder). */
  check?: { stateFile?: (path: string) => void };
}

/** Validates options (typed or strings) into a config. Throws `ConfigError` naming the option. */
export function resolveOptions(options: MockOptions, origins: Partial<Record<OptionName, string>>, edge: OptionsEdge): MockConfig {
  refuseUnknown(options, Object.keys(OPTIONS) as OptionName[]);
  const originOf = (name: OptionName) => origins[name] ?? `${flagName(name)} (${envName(name)})`;
  const get = <K extends OptionName>(name: K, check?: (value: never) => void): ValueOf<K> | undefined => {
    const input = options[name];
    if (input === undefined) return OPTIONS[name].default() as ValueOf<K> | undefined;
    return validate(name, input, originOf(name), check);
  };
  const scenarioName = get('scenario')!;
  let scenario;
  try {
    scenario = edge.scenarios.load(scenarioName);
  } catch (err) {
    if (err instanceof ScenarioError) throw new ConfigError(`invalid ${originOf('scenario')}: ${err.message}`);
    throw err;
  }
  const fixtures = get('fixtures');
  const models = get('models');
  const catalogue = (source: string, entries: unknown): MockConfig['models'] => {
    try {
      return { source, catalogue: createCatalogue(entries, source) };
    } catch (err) {
      if (err instanceof CatalogueError) throw new ConfigError(`invalid ${originOf('models')}: ${err.message}`);
      throw err;
    }
  };
  return {
    port: get('port')!,
    host: get('host')!,
    seed: get('seed')!,
    now: get('now'),
    scenario: scenarioName,
    // One rule, with or without --fixtures: --keys, else the scenario's count.
    keys: get('keys') ?? scenario.keys,
    fixtures:
      fixtures === undefined
        ? { source: scenario.source, entries: scenario.fixtures }
        : Array.isArray(fixtures)
          ? { source: 'fixtures', entries: fixtures }
          : edge.readFixtures(fixtures),
    models:
      models === undefined
        ? // Built on first use (a models or chat request, the in-process doors' first read): checking
          // and ordering the embedded entries at every start cost a few milliseconds that most runs
          // (key management only) never needed. It is the same shared, immutable catalogue either way.
          {
            source: EMBEDDED_MODELS_SOURCE,
            get catalogue() {
              return embeddedCatalogue();
            },
          }
        : Array.isArray(models)
          ? catalogue('models', models)
          : (({ source, entries }) => catalogue(source, entries))(edge.readModels(models)),
    limitErrors: get('limitErrors')!,
    managementKey: get('managementKey')!,
    strict: get('strict')!,
    bodyLimit: get('bodyLimit')!,
    requestTimeout: get('requestTimeout')!,
    adminToken: get('adminToken'),
    control: get('control')!,
    journalSize: get('journalSize')!,
    maxEventStreams: get('maxEventStreams')!,
    latency: get('latency'),
    corsOrigin: get('corsOrigin')!,
    controlOrigins: get('controlOrigins')!,
    allowedHosts: get('allowedHosts')!,
    stateFile: get('stateFile', edge.check?.stateFile),
    readyFile: get('readyFile'),
    logLevel: get('logLevel')!,
  };
}

/** Options that only a server has, and why an in-process door (fetch handler, MSW) refuses each. */
const SERVER_ONLY = {
  port: 'there is no server',
  host: 'there is no server',
  corsOrigin: 'there is no server, so no cross-origin requests to allow',
  requestTimeout: 'there is no server: a request arrives whole',
  controlOrigins: 'there is no server, so no cross-origin requests to allow',
  allowedHosts: 'there is no server, so no Host header to check',
  stateFile: "there is no file system; keep state with the control's state() and load()",
  logLevel: 'there is no logger; the request journal records every request',
  readyFile: 'there is no process to wait for; the handle is ready when the promise resolves',
} as const satisfies Partial<Record<OptionName, string>>;
type ServerOnlyOption = keyof typeof SERVER_ONLY;

/** The options of the in-process doors: no server options, fixtures and models as the entries themselves. */
export type EmbeddedOptions = Omit<MockOptions, ServerOnlyOption | 'fixtures' | 'models'> & { fixtures?: unknown[]; models?: unknown[] };

export const EMBEDDED_OPTIONS = (Object.keys(OPTIONS) as OptionName[]).filter((name) => !Object.hasOwn(SERVER_ONLY, name));

/**
 * `resolveOptions` for the in-process doors (`createMockFetch`, the MSW handlers): the same names,
 * validation and messages, but the server's options are refused, fixtures must be an array of keys
 * (nothing reads files here) and scenarios come from the platform (the bundled ones). The server's
 * fields are filled with values that do nothing.
 */
export function resolveEmbeddedConfig(
  options: EmbeddedOptions = {},
  platform: { scenarios: ScenarioSource; door?: string; doorOptions?: readonly string[] },
): MockConfig {
  const door = platform.door ?? 'createMockFetch';
  // What the door takes, its own options (taken out before this) included.
  const accepted = [...EMBEDDED_OPTIONS, ...(platform.doorOptions ?? [])];
  // An undefined value is no option, as resolveConfig reads it (a spread of optional settings).
  const given = Object.fromEntries(Object.entries(options).filter(([name, value]) => value !== undefined || !Object.hasOwn(SERVER_ONLY, name)));
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(SERVER_ONLY, name)) continue;
    const why = SERVER_ONLY[name as ServerOnlyOption];
    throw new ConfigError(`option ${JSON.stringify(name)} does not apply to ${door}: ${why} (options: ${accepted.join(', ')})`);
  }
  refuseUnknown(given, accepted);
  const fixtures: unknown = options.fixtures;
  if (fixtures !== undefined && !Array.isArray(fixtures)) {
    const why = typeof fixtures === 'string' ? 'a file path cannot be read here; pass the array of keys' : 'must be an array of key objects';
    throw new ConfigError(`invalid option "fixtures" of ${door}: ${why}`);
  }
  const models: unknown = options.models;
  if (models !== undefined && !Array.isArray(models)) {
    const why = typeof models === 'string' ? 'a file path cannot be read here; pass the array of models' : 'must be an array of models';
    throw new ConfigError(`invalid option "models" of ${door}: ${why}`);
  }
  // Errors name the option as the caller wrote it: this door has no flags or environment variables.
  const origins = Object.fromEntries(EMBEDDED_OPTIONS.map((name) => [name, `option ${JSON.stringify(name)} of ${door}`]));
  const config = resolveOptions(given as MockOptions, origins, {
    scenarios: platform.scenarios,
    // Not reached (an array or nothing gets this far), but a path must never be read here.
    readFixtures: () => {
      throw new ConfigError(`invalid option "fixtures" of ${door}: a file path cannot be read here; pass the array of keys`);
    },
    readModels: () => {
      throw new ConfigError(`invalid option "models" of ${door}: a file path cannot be read here; pass the array of models`);
    },
  });
  return {
    ...config,
    port: 0,
    host: '127.0.0.1',
    stateFile: undefined,
    readyFile: undefined,
    logLevel: 'silent',
    corsOrigin: '*',
  };
}
