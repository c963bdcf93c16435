import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_FIXTURES_PATH,
  DEFAULT_MANAGEMENT_KEY,
  envName,
  flagName,
  resolveConfig,
  type MockOptions,
  type OptionName,
} from '../src/config.js';
import { helpText, optionTable, optionsFromCli } from '../src/command-line.js';
import { EMBEDDED_MODELS } from '../src/data/models.js';
import { embeddedCatalogue } from '../src/model-catalogue.js';

const tmp = mkdtempSync(join(tmpdir(), 'orkm-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const OTHER_FIXTURES = join(tmp, 'other-fixtures.json');
writeFileSync(OTHER_FIXTURES, '[{"name": "other"}]');
const OTHER_MODELS = join(tmp, 'other-models.json');
writeFileSync(OTHER_MODELS, JSON.stringify(EMBEDDED_MODELS.slice(2, 3)));

function expectConfigError(fn: () => unknown, ...parts: (string | RegExp)[]): ConfigError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  const message = (thrown as ConfigError).message;
  for (const part of parts) {
    if (typeof part === 'string') expect(message).toContain(part);
    else expect(message).toMatch(part);
  }
  return thrown as ConfigError;
}

/** The documented rule: flag `--foo-bar` ↔ `MOCK_FOO_BAR`; PORT and HOST unprefixed. */
const ruleEnv = (flag: string): string =>
  flag === '--port' || flag === '--host' ? flag.slice(2).toUpperCase() : `MOCK_${flag.slice(2).replace(/-/g, '_').toUpperCase()}`;
const ruleFlag = (name: string): string => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** A valid string for each option, different from its default. */
const VALID: Record<OptionName, string> = {
  port: '9123',
  host: '0.0.0.0',
  seed: '77',
  now: '2026-01-15T09:30:00Z',
  keys: '3',
  fixtures: OTHER_FIXTURES,
  models: OTHER_MODELS,
  limitErrors: 'documented',
  managementKey: 'k1,k2',
  strict: 'true',
  bodyLimit: '2048',
  requestTimeout: '5s',
  scenario: 'near-limit',
  adminToken: 'admin-token-1',
  control: 'false',
  journalSize: '10',
  maxEventStreams: '5',
  latency: '5-10',
  corsOrigin: 'http://localhost:5173',
  controlOrigins: 'http://localhost:5173',
  allowedHosts: 'mock.internal',
  stateFile: '/tmp/orkm-config-test-state.json',
  readyFile: '/tmp/orkm-config-test-ready.json',
  logLevel: 'debug',
};

describe('resolveConfig defaults', () => {
  it('gives the documented defaults and reads the embedded fixtures', () => {
    const config = resolveConfig();
    expect(config).toEqual({
      port: 8080,
      host: '127.0.0.1',
      seed: 1,
      now: undefined,
      scenario: 'default',
      keys: 25,
      fixtures: { source: DEFAULT_FIXTURES_PATH, entries: JSON.parse(readFileSync(DEFAULT_FIXTURES_PATH, 'utf8')) },
      models: { source: 'the embedded catalogue', catalogue: embeddedCatalogue() },
      limitErrors: 'observed',
      managementKey: [DEFAULT_MANAGEMENT_KEY],
      strict: false,
      bodyLimit: 1_048_576,
      requestTimeout: 30_000,
      adminToken: undefined,
      control: true,
      journalSize: 1000,
      maxEventStreams: 32,
      latency: undefined,
      corsOrigin: '*',
      controlOrigins: [],
      allowedHosts: [],
      stateFile: undefined,
      logLevel: 'info',
    });
    expect(DEFAULT_MANAGEMENT_KEY).toMatch(/^sk-or-v1-[0-9a-f]{64}$/);
    expect(DEFAULT_FIXTURES_PATH).toMatch(/fixtures[/\\]keys\.json$/);
  });

  it('typed values are accepted as well as strings', () => {
    const config = resolveConfig({
      port: 0,
      seed: 2 ** 32 - 1,
      now: new Date(Date.UTC(2026, 0, 2)),
      keys: 0,
      strict: true,
      managementKey: ['a-key', 'b-key'],
      fixtures: [{ name: 'inline' }],
      bodyLimit: 1,
    });
    expect(config).toMatchObject({
      port: 0,
      seed: 2 ** 32 - 1,
      now: Date.UTC(2026, 0, 2),
      keys: 0,
      strict: true,
      managementKey: ['a-key', 'b-key'],
      fixtures: { source: 'fixtures', entries: [{ name: 'inline' }] },
      bodyLimit: 1,
    });
    expect(resolveConfig({ now: Date.UTC(2025, 1, 3) }).now).toBe(Date.UTC(2025, 1, 3));
  });

  it.each<[string, number]>([
    ['2026-01-15T09:30:00Z', Date.UTC(2026, 0, 15, 9, 30)],
    ['2026-01-15T09:30:00.250Z', Date.UTC(2026, 0, 15, 9, 30, 0, 250)],
    ['2026-01-15T09:30:00+02:00', Date.UTC(2026, 0, 15, 7, 30)],
    ['2026-01-15', Date.UTC(2026, 0, 15)],
    // Without a zone: UTC, whatever the machine's time zone (same --now, same dataset everywhere).
    ['2026-01-15T09:30:00', Date.UTC(2026, 0, 15, 9, 30)],
    ['2026-01-15T09:30', Date.UTC(2026, 0, 15, 9, 30)],
  ])('--now %s', (text, expected) => {
    expect(resolveConfig({ now: text }).now).toBe(expected);
  });
});

describe('the option table and the flag ↔ env rule', () => {
  const table = optionTable();

  it('lists every option, with the expected flags', () => {
    expect(table.map((o) => o.flag).sort()).toEqual(
      [
        '--port',
        '--host',
        '--seed',
        '--now',
        '--scenario',
        '--keys',
        '--fixtures',
        '--models',
        '--limit-errors',
        '--management-key',
        '--strict',
        '--body-limit',
        '--admin-token',
        '--control',
        '--journal-size',
        '--max-event-streams',
        '--latency',
        '--cors-origin',
        '--request-timeout',
        '--control-origins',
        '--allowed-hosts',
        '--state-file',
        '--ready-file',
        '--log-level',
      ].sort(),
    );
    for (const row of table) {
      expect(row.help.length).toBeGreaterThan(0);
      expect(row.default.length).toBeGreaterThan(0);
    }
  });

  it.each(optionTable())('$flag ↔ $env', (row) => {
    expect(row.flag).toBe(ruleFlag(row.name));
    expect(row.env).toBe(ruleEnv(row.flag));
    expect(flagName(row.name)).toBe(row.flag);
    expect(envName(row.name)).toBe(row.env);
  });

  it('PORT and HOST are the only unprefixed variables', () => {
    const unprefixed = table.filter((o) => !o.env.startsWith('MOCK_')).map((o) => o.env);
    expect(unprefixed.sort()).toEqual(['HOST', 'PORT']);
  });

  it.each(optionTable())('$env is read from the environment (and $flag from argv)', (row) => {
    const value = VALID[row.name];
    const fromEnv = optionsFromCli([], { [row.env]: value });
    expect(fromEnv.options[row.name]).toBe(value);
    expect(fromEnv.origins[row.name]).toBe(row.env);
    const fromFlag = optionsFromCli([`${row.flag}=${value}`], {});
    expect(fromFlag.options[row.name]).toBe(value);
    expect(fromFlag.origins[row.name]).toBe(row.flag);
    // and the value resolves to something other than the default
    const resolved = resolveConfig(fromEnv.options, fromEnv.origins);
    expect(resolved[row.name]).not.toEqual(resolveConfig()[row.name]);
  });

  it('helpText names every flag and every environment variable', () => {
    const text = helpText('9.9.9');
    expect(text).toContain('9.9.9');
    for (const row of table) {
      expect(text).toContain(row.flag);
      expect(text).toContain(`env ${row.env}`);
    }
    expect(text).toContain('--no-strict');
  });
});

describe('optionsFromCli', () => {
  it('flags win over the environment', () => {
    const { options, origins } = optionsFromCli(['--port', '9000', '--seed=5'], { PORT: '7000', MOCK_SEED: '6', MOCK_KEYS: '4' });
    expect(options).toMatchObject({ port: '9000', seed: '5', keys: '4' });
    expect(origins).toMatchObject({ port: '--port', seed: '--seed', keys: 'MOCK_KEYS' });
    expect(resolveConfig(options, origins)).toMatchObject({ port: 9000, seed: 5, keys: 4 });
  });

  it('the last of repeated flags wins', () => {
    expect(optionsFromCli(['--keys', '1', '--keys', '2'], {}).options.keys).toBe('2');
  });

  it('empty environment variables are ignored', () => {
    const { options } = optionsFromCli([], { PORT: '', MOCK_SEED: '' });
    expect(options).toEqual({});
    expect(resolveConfig(options).port).toBe(8080);
  });

  it('unrelated environment variables are ignored', () => {
    expect(optionsFromCli([], { PATH: '/bin', MOCK_UNKNOWN: 'x', SEED: '5' }).options).toEqual({});
  });

  it('--help/-h and --version/-v are reported, not treated as options', () => {
    expect(optionsFromCli(['--help'], {})).toMatchObject({ help: true, version: false });
    expect(optionsFromCli(['-h'], {})).toMatchObject({ help: true });
    expect(optionsFromCli(['--version'], {})).toMatchObject({ version: true, help: false });
    expect(optionsFromCli(['-v'], {})).toMatchObject({ version: true });
    expect(optionsFromCli([], {})).toMatchObject({ help: false, version: false });
  });

  it.each<[string, string[]]>([
    ['--bogus', ['--bogus']],
    ['--bogus', ['--bogus=1']],
    ['--Port', ['--Port', '1']],
    ['-p', ['-p', '1']],
    ['--no-port', ['--no-port']],
    ['--no-bogus', ['--no-bogus']],
  ])('unknown option %s', (flag, argv) => {
    expectConfigError(() => optionsFromCli(argv, {}), `unknown option ${flag}`, '--help');
  });

  it('a value flag at the end without its value is an error naming the flag', () => {
    expectConfigError(() => optionsFromCli(['--port'], {}), 'invalid --port', 'needs a value', '--port N');
  });

  it('--flag=value keeps everything after the first "="', () => {
    expect(optionsFromCli(['--management-key=a=b,c'], {}).options.managementKey).toBe('a=b,c');
  });
});

describe('boolean switches', () => {
  it.each<[string, string[], Record<string, string>, boolean]>([
    ['default', [], {}, false],
    ['--strict', ['--strict'], {}, true],
    ['--no-strict', ['--no-strict'], {}, false],
    ['--strict=false', ['--strict=false'], {}, false],
    ['--strict=true', ['--strict=true'], {}, true],
    ['--strict=0', ['--strict=0'], {}, false],
    ['--strict=yes', ['--strict=yes'], {}, true],
    ['--strict=OFF', ['--strict=OFF'], {}, false],
    ['MOCK_STRICT=true', [], { MOCK_STRICT: 'true' }, true],
    ['MOCK_STRICT=1', [], { MOCK_STRICT: '1' }, true],
    ['MOCK_STRICT=false', [], { MOCK_STRICT: 'false' }, false],
    ['MOCK_STRICT=true, --no-strict', ['--no-strict'], { MOCK_STRICT: 'true' }, false],
    ['MOCK_STRICT=false, --strict', ['--strict'], { MOCK_STRICT: 'false' }, true],
  ])('%s → %s', (_label, argv, env, expected) => {
    const { options, origins } = optionsFromCli(argv, env);
    expect(resolveConfig(options, origins).strict).toBe(expected);
  });

  it('a switch does not take the next argument as its value', () => {
    const { options } = optionsFromCli(['--strict', '--port', '1234'], {});
    expect(options).toMatchObject({ strict: 'true', port: '1234' });
  });

  it.each<[string[], Record<string, string>, string]>([
    [['--strict=maybe'], {}, '--strict'],
    [[], { MOCK_STRICT: 'maybe' }, 'MOCK_STRICT'],
  ])('an invalid boolean (%j %j) names its origin', (argv, env, origin) => {
    const { options, origins } = optionsFromCli(argv, env);
    expectConfigError(() => resolveConfig(options, origins), `invalid ${origin}`, 'must be one of true/false, 1/0, yes/no or on/off', '"maybe"');
  });

  it.each<[string[], string]>([
    [['--strict', 'false'], '--strict takes no value (got "false"): use --strict=false or --no-strict'],
    [['--strict', 'true'], '--strict takes no value (got "true"): use --strict or --strict=true'],
    [['--strict', 'maybe'], '--strict takes no value (got "maybe"): use --strict, --no-strict or --strict=VALUE (VALUE: true/false, 1/0, yes/no or on/off)'],
    [['--control', 'off', '--port', '1'], '--control takes no value (got "off"): use --control=off or --no-control'],
    [['--no-strict', 'false'], '--no-strict takes no value (got "false"): use --no-strict alone, or --strict=VALUE'],
    [['--no-strict=true'], '--no-strict takes no value (got "true"): use --no-strict alone, or --strict=VALUE'],
  ])('a value given to a switch (%j) is an error naming the switch and the forms it takes', (argv, message) => {
    expectConfigError(() => optionsFromCli(argv, {}), message);
  });

  it.each<[string[], string]>([
    [['positional'], 'unexpected argument "positional": options are --name VALUE or --name=VALUE (see --help)'],
    [['--port=80', '81'], 'unexpected argument "81"'],
    [['--port', '80', '81'], 'unexpected argument "81"'],
  ])('a bare word that belongs to no option (%j) is named', (argv, message) => {
    expectConfigError(() => optionsFromCli(argv, {}), message);
  });

  it('--no-FLAG of an option that takes a value says so', () => {
    expectConfigError(() => optionsFromCli(['--no-port'], {}), 'unknown option --no-port (--port is not a switch: give it a value; see --help)');
  });

  it('--flag=value works for every option, switches included, as --flag value does for value options', () => {
    for (const row of optionTable()) {
      const value = VALID[row.name];
      const joined = optionsFromCli([`${row.flag}=${value}`], {});
      expect(resolveConfig(joined.options, joined.origins)[row.name]).toEqual(resolveConfig({ [row.name]: value } as MockOptions)[row.name]);
    }
  });
});

describe('--cors-origin messages', () => {
  it('quote the value once', () => {
    const error = expectConfigError(() => resolveConfig({ corsOrigin: 'foo' }), 'invalid --cors-origin', '(got "foo")');
    expect(error.message.split('"foo"')).toHaveLength(2);
  });

  it('name the bad entry of a list', () => {
    expectConfigError(() => resolveConfig({ corsOrigin: 'http://localhost:5173,foo' }), '"foo" is not an origin', '(got "http://localhost:5173,foo")');
  });
});

describe('invalid values', () => {
  const cases: [OptionName, string, RegExp][] = [
    ['port', 'abc', /integer from 0 to 65535/],
    ['port', '65536', /integer from 0 to 65535/],
    ['port', '-1', /integer from 0 to 65535/],
    ['port', '80.5', /integer/],
    ['port', '0x50', /integer/],
    ['host', '   ', /must not be empty/],
    ['seed', '-1', /integer from 0 to 4294967295/],
    ['seed', '4294967296', /integer from 0 to 4294967295/],
    ['now', 'yesterday', /ISO 8601/],
    ['now', '2026-13-45T00:00:00Z', /ISO 8601/],
    ['now', '1768392000000', /ISO 8601/],
    ['keys', '-1', /integer from 0 to 1000000/],
    ['keys', '1000001', /integer from 0 to 1000000/],
    ['keys', '2.5', /integer/],
    ['fixtures', '   ', /file path/],
    ['models', '   ', /file path/],
    ['managementKey', 'a,,b', /comma-separated/],
    ['managementKey', 'a, b c', /without whitespace/],
    ['managementKey', 'a,a', /same key twice/],
    ['strict', 'maybe', /must be one of true\/false, 1\/0, yes\/no or on\/off/],
    ['bodyLimit', '0', /integer from 1/],
    ['bodyLimit', 'lots', /integer/],
    ['requestTimeout', 'soon', /milliseconds from 0 to 2147483647 or a duration/],
    ['requestTimeout', '-1', /milliseconds/],
    ['requestTimeout', '25d', /milliseconds/],
    ['controlOrigins', '*', /"\*" is not offered/],
    ['controlOrigins', 'localhost:5173', /origins such as/],
    ['allowedHosts', 'mock.internal:8080', /without port/],
    ['allowedHosts', 'http://mock.internal', /host names/],
    ['adminToken', 'short', /8 or more characters/],
    ['logLevel', 'verbose', /must be one of fatal, error, warn, info, debug, trace, silent/],
  ];

  it.each(cases)('%s = %j → ConfigError naming flag and env var', (name, value, rule) => {
    const flag = ruleFlag(name);
    const env = ruleEnv(flag);
    const error = expectConfigError(() => resolveConfig({ [name]: value } as MockOptions), `invalid ${flag} (${env})`, rule);
    // A secret is never quoted back (a terminal, a CI log): its length only.
    if (name === 'adminToken' || name === 'managementKey') {
      expect(error.message).not.toContain(value);
      expect(error.message).toContain(`(got a value of ${value.length} characters, not shown: it is a secret)`);
    } else expect(error.message).toContain(JSON.stringify(value));
  });

  it.each(cases)('%s = %j from the command line names the flag; from the environment, the variable', (name, value) => {
    const flag = ruleFlag(name);
    const env = ruleEnv(flag);
    const viaFlag = optionsFromCli([`${flag}=${value}`], {});
    expectConfigError(() => resolveConfig(viaFlag.options, viaFlag.origins), `invalid ${flag}:`);
    const viaEnv = optionsFromCli([], { [env]: value });
    expectConfigError(() => resolveConfig(viaEnv.options, viaEnv.origins), `invalid ${env}:`);
  });

  it.each<[OptionName, unknown]>([
    ['port', 1.5],
    ['port', true],
    ['now', new Date('not a date')],
    ['now', Number.NaN],
    ['now', {}],
    ['strict', 1],
    ['managementKey', []],
    ['managementKey', [1, 2]],
    ['fixtures', 42],
    ['models', 42],
    ['models', { data: 'x' }],
  ])('typed %s = %s is refused', (name, value) => {
    expectConfigError(() => resolveConfig({ [name]: value } as unknown as MockOptions), `invalid ${ruleFlag(name)} (${ruleEnv(ruleFlag(name))})`);
  });

  it('long values are clipped in the message', () => {
    const error = expectConfigError(() => resolveConfig({ logLevel: 'x'.repeat(500) }), 'invalid --log-level');
    expect(error.message.length).toBeLessThan(250);
  });
});

describe('management key list', () => {
  it.each<[string, string[]]>([
    ['one', ['one']],
    ['k1,k2', ['k1', 'k2']],
    [' k1 , k2 ,k3', ['k1', 'k2', 'k3']],
    [DEFAULT_MANAGEMENT_KEY, [DEFAULT_MANAGEMENT_KEY]],
  ])('%j → %j', (raw, expected) => {
    expect(resolveConfig({ managementKey: raw }).managementKey).toEqual(expected);
    const { options, origins } = optionsFromCli([], { MOCK_MANAGEMENT_KEY: raw });
    expect(resolveConfig(options, origins).managementKey).toEqual(expected);
  });

  it.each([',', 'a,', ',a', 'a,,b', 'a b', 'a,a'])('%j is refused', (raw) => {
    expectConfigError(() => resolveConfig({ managementKey: raw }), 'invalid --management-key (MOCK_MANAGEMENT_KEY)');
  });
});

describe('models files (--models, MOCK_MODELS)', () => {
  const write = (name: string, content: unknown) => {
    const path = join(tmp, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  it('without one: the embedded catalogue, openai/gpt-4o-mini the default model', () => {
    const { models } = resolveConfig();
    expect(models.source).toBe('the embedded catalogue');
    expect(models.catalogue).toBe(embeddedCatalogue());
    expect(models.catalogue.defaultModel.id).toBe('openai/gpt-4o-mini');
    expect(models.catalogue.size).toBe(EMBEDDED_MODELS.length);
  });

  it('an array of models, from the flag or the variable: the catalogue, its first entry the default', () => {
    const path = write('models.json', EMBEDDED_MODELS.slice(6));
    for (const { options, origins } of [optionsFromCli(['--models', path], {}), optionsFromCli([], { MOCK_MODELS: path })]) {
      const { models } = resolveConfig(options, origins);
      expect(models.source).toBe(path);
      expect(models.catalogue.list().map((m) => m.id)).toEqual(['meta-llama/llama-3.3-70b-instruct', 'meta-llama/llama-3.3-70b-instruct:free']);
      expect(models.catalogue.defaultModel.id).toBe('meta-llama/llama-3.3-70b-instruct');
    }
  });

  it('a GET /api/v1/models answer pasted in', () => {
    const list = embeddedCatalogue().list();
    const path = write('answer.json', { data: list, links: { next: null }, total_count: list.length });
    expect(resolveConfig({ models: path }).models.catalogue.list()).toEqual(list);
  });

  it('an entry that breaks the schema: the option, the file, the entry and the field', () => {
    const broken = structuredClone(EMBEDDED_MODELS.slice(0, 2)) as { pricing: Record<string, unknown> }[];
    broken[1]!.pricing.completion = 0.00001;
    const path = write('broken-models.json', broken);
    const error = expectConfigError(() => resolveConfig({ models: path }));
    expect(error.message).toBe(`invalid --models (MOCK_MODELS): ${path}: entry 1 ("openai/gpt-4o"): field "pricing.completion": must be a string`);
    const viaFlag = optionsFromCli([`--models=${path}`], {});
    expectConfigError(() => resolveConfig(viaFlag.options, viaFlag.origins), `invalid --models: ${path}: entry 1`);
  });

  it.each<[string, string, (string | RegExp)[]]>([
    ['not JSON', '[{"id": ', ['is not valid JSON']],
    ['empty', '[]', ['must hold at least one model']],
    ['an object', '{"models": []}', ['must be a JSON array of models, or a GET /api/v1/models answer']],
  ])('a file that is %s', (_what, text, parts) => {
    const path = write(`models-${_what.replace(/\W/g, '-')}.json`, text);
    expectConfigError(() => resolveConfig({ models: path }), 'invalid --models (MOCK_MODELS): ', path, ...parts);
  });

  it('a missing file', () => {
    const path = join(tmp, 'no-models.json');
    expectConfigError(() => resolveConfig({ models: path }), 'invalid --models (MOCK_MODELS): ', `cannot read ${path}`, /ENOENT/);
  });

  it('typed: an array of models is taken as the models', () => {
    const { models } = resolveConfig({ models: EMBEDDED_MODELS.slice(2, 3) });
    expect(models).toMatchObject({ source: 'models' });
    expect(models.catalogue.defaultModel.id).toBe('anthropic/claude-3.5-haiku');
  });
});

describe('fixtures files', () => {
  it('reads a JSON file given by path', () => {
    const entries = [{ name: 'From file', limit: 5 }];
    const path = join(tmp, 'keys.json');
    writeFileSync(path, JSON.stringify(entries));
    expect(resolveConfig({ fixtures: path }).fixtures).toEqual({ source: path, entries });
    const { options, origins } = optionsFromCli(['--fixtures', path], {});
    expect(resolveConfig(options, origins).fixtures).toEqual({ source: path, entries });
  });

  it('a file that is not JSON: a clear error naming the option and the path', () => {
    const path = join(tmp, 'broken.json');
    writeFileSync(path, '[{"name": "unterminated"');
    expectConfigError(() => resolveConfig({ fixtures: path }), '--fixtures', 'MOCK_FIXTURES', path, 'is not valid JSON');
  });

  it('an empty file is not JSON either', () => {
    const path = join(tmp, 'empty.json');
    writeFileSync(path, '');
    expectConfigError(() => resolveConfig({ fixtures: path }), '--fixtures', path, 'is not valid JSON');
  });

  it('a missing file: a clear error naming the option and the path', () => {
    const path = join(tmp, 'does-not-exist.json');
    expectConfigError(() => resolveConfig({ fixtures: path }), '--fixtures', 'MOCK_FIXTURES', `cannot read ${path}`, /ENOENT/);
  });

  it('a directory (unreadable as a file) cannot be read as fixtures', () => {
    expectConfigError(() => resolveConfig({ fixtures: tmp }), '--fixtures', `cannot read ${tmp}`);
  });

  it('valid JSON that is not an array is passed on (the dataset rejects it)', () => {
    const path = join(tmp, 'object.json');
    writeFileSync(path, '{"name": "x"}');
    expect(resolveConfig({ fixtures: path }).fixtures).toEqual({ source: path, entries: { name: 'x' } });
  });
});

describe('--state-file: the folder must exist and be writable', () => {
  it('a folder that does not exist stops start-up, naming the path', () => {
    const path = join(tmp, 'no-such-folder', 'state.json');
    expectConfigError(() => resolveConfig({ stateFile: path }), 'invalid --state-file (MOCK_STATE_FILE)', `its folder ${join(tmp, 'no-such-folder')} does not exist`, path);
    const viaFlag = optionsFromCli(['--state-file', path], {});
    expectConfigError(() => resolveConfig(viaFlag.options, viaFlag.origins), 'invalid --state-file:', path);
    const viaEnv = optionsFromCli([], { MOCK_STATE_FILE: path });
    expectConfigError(() => resolveConfig(viaEnv.options, viaEnv.origins), 'invalid MOCK_STATE_FILE:', path);
  });

  it('a "folder" that is a file stops start-up', () => {
    const file = join(tmp, 'plain-file');
    writeFileSync(file, 'x');
    expectConfigError(() => resolveConfig({ stateFile: join(file, 'state.json') }), `${file} is not a folder`);
  });

  it('a file in an existing folder is accepted, whether or not the file exists yet (relative paths too)', () => {
    expect(resolveConfig({ stateFile: join(tmp, 'state.json') }).stateFile).toBe(join(tmp, 'state.json'));
    expect(resolveConfig({ stateFile: 'state.json' }).stateFile).toBe('state.json');
  });

  // Root ignores permission bits, so the read-only case can only be shown as another user.
  const isRoot = process.getuid?.() === 0;
  it.skipIf(isRoot)('a folder that is not writable stops start-up (skipped as root: root may write anywhere)', () => {
    const folder = join(tmp, 'read-only');
    mkdirSync(folder);
    chmodSync(folder, 0o500);
    try {
      expectConfigError(() => resolveConfig({ stateFile: join(folder, 'state.json') }), `its folder ${folder} is not writable`);
    } finally {
      chmodSync(folder, 0o700);
    }
  });
});

describe('unknown options are refused, with the closest name when one is close', () => {
  it('resolveConfig (createMockServer) refuses a name it does not know, listing the known ones', () => {
    const error = expectConfigError(() => resolveConfig({ bogus: 1 } as unknown as MockOptions), 'unknown option "bogus"');
    for (const row of optionTable()) expect(error.message).toContain(row.name);
  });

  it('even when its value is undefined (a typo is a typo)', () => {
    expectConfigError(() => resolveConfig({ sed: undefined } as unknown as MockOptions), 'unknown option "sed"', 'did you mean "seed"?');
  });

  it.each<[string, string]>([
    ['bodylimit', 'bodyLimit'],
    ['body-limit', 'bodyLimit'],
    ['body_limit', 'bodyLimit'],
    ['seeds', 'seed'],
    ['prot', 'port'],
    ['key', 'keys'],
    ['cors', 'corsOrigin'],
    ['MOCK_SEED', 'seed'],
    ['managmentKey', 'managementKey'],
  ])('%j: did you mean %j?', (typed, meant) => {
    expectConfigError(() => resolveConfig({ [typed]: '1' } as unknown as MockOptions), `unknown option ${JSON.stringify(typed)} (did you mean ${JSON.stringify(meant)}?)`);
  });

  it.each<[string, string]>([
    ['--prot', '--port'],
    ['--stric', '--strict'],
    ['--state', '--state-file'],
    ['--log', '--log-level'],
    ['--Port', '--port'],
    ['--managment-key', '--management-key'],
  ])('the CLI: %s → did you mean %s?', (typed, meant) => {
    expectConfigError(() => optionsFromCli([typed, '1'], {}), `unknown option ${typed} (did you mean ${meant}? see --help)`);
  });

  it('a name far from every option gets no guess', () => {
    const error = expectConfigError(() => optionsFromCli(['--frobnicate'], {}), 'unknown option --frobnicate (see --help)');
    expect(error.message).not.toContain('did you mean');
  });
});
