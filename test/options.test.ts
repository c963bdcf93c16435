import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveConfig, type MockConfig, type MockOptions } from '../src/config.js';
import { bundledScenarios } from '../src/data/bundled-fixtures.js';
import { EMBEDDED_MODELS } from '../src/data/models.js';
import { embeddedCatalogue } from '../src/model-catalogue.js';
import { ConfigError, EMBEDDED_OPTIONS, OPTIONS, resolveEmbeddedConfig, type EmbeddedOptions, type OptionName } from '../src/options.js';
import { createMockServer } from '../src/server.js';
import { createMockFetch } from '../src/fetch.js';
import { createMswHandlers } from '../src/msw.js';

const platform = { scenarios: bundledScenarios };
const embedded = (options: object, door?: string) =>
  resolveEmbeddedConfig(options as EmbeddedOptions, door === undefined ? platform : { ...platform, door });
const ACCEPTED = 'seed, now, scenario, keys, fixtures, models, limitErrors, managementKey, strict, bodyLimit, adminToken, control, journalSize, maxEventStreams, latency';

/** The outcome of resolving: the config, or the ConfigError's message. */
const outcome = (resolve: () => MockConfig): MockConfig | string => {
  try {
    return resolve();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
};

describe('resolveEmbeddedConfig refuses what only a server has', () => {
  it('accepts every option but the server ones', () => {
    expect(EMBEDDED_OPTIONS.join(', ')).toBe(ACCEPTED);
  });

  it.each([
    ['port', 8080, 'there is no server'],
    ['host', '0.0.0.0', 'there is no server'],
    ['corsOrigin', '*', 'there is no server, so no cross-origin requests to allow'],
    ['requestTimeout', '5s', 'there is no server: a request arrives whole'],
    ['controlOrigins', 'http://localhost:5173', 'there is no server, so no cross-origin requests to allow'],
    ['allowedHosts', 'mock.internal', 'there is no server, so no Host header to check'],
    ['stateFile', '/tmp/state.json', "there is no file system; keep state with the control's state() and load()"],
    ['logLevel', 'debug', 'there is no logger; the request journal records every request'],
    ['readyFile', '/tmp/ready.json', 'there is no process to wait for; the handle is ready when the promise resolves'],
  ])('%s, naming the door and the options it takes', (name, value, why) => {
    expect(() => embedded({ seed: 2, [name]: value })).toThrow(
      new ConfigError(`option "${name}" does not apply to createMockFetch: ${why} (options: ${ACCEPTED})`),
    );
    expect(() => embedded({ [name]: value }, 'createMockHandlers')).toThrow(`option "${name}" does not apply to createMockHandlers: `);
  });

  it('refuses a server option whatever its value, but reads an undefined one as absent, as resolveConfig does', () => {
    expect(() => embedded({ port: '' })).toThrow('option "port" does not apply to createMockFetch');
    expect(embedded({ port: undefined, logLevel: undefined, seed: 4 })).toEqual(embedded({ seed: 4 }));
  });

  it('refuses an unknown option like resolveConfig, suggesting only options it accepts', () => {
    expect(() => embedded({ sede: 1 })).toThrow(new ConfigError('unknown option "sede" (did you mean "seed"?)'));
    expect(() => embedded({ journal: 1 })).toThrow(new ConfigError('unknown option "journal" (did you mean "journalSize"?)'));
    // "prot" is one step from "port", which this door refuses: no suggestion, the list instead.
    expect(() => embedded({ prot: 1 })).toThrow(new ConfigError(`unknown option "prot" (options: ${ACCEPTED})`));
  });

  it.each([
    ['fixtures/keys.json', 'a file path cannot be read here; pass the array of keys'],
    [{ name: 'one key' }, 'must be an array of key objects'],
    [7, 'must be an array of key objects'],
  ])('refuses fixtures %j: they must be the keys themselves', (fixtures, why) => {
    expect(() => embedded({ fixtures })).toThrow(new ConfigError(`invalid option "fixtures" of createMockFetch: ${why}`));
  });

  it.each([
    ['models.json', 'a file path cannot be read here; pass the array of models'],
    [{ data: [] }, 'must be an array of models'],
    [7, 'must be an array of models'],
  ])('refuses models %j: they must be the models themselves', (models, why) => {
    expect(() => embedded({ models })).toThrow(new ConfigError(`invalid option "models" of createMockFetch: ${why}`));
  });
});

describe('the models option on the in-process doors', () => {
  it('without it: the embedded catalogue, the same one as on Node', () => {
    expect(embedded({}).models).toEqual({ source: 'the embedded catalogue', catalogue: embeddedCatalogue() });
    expect(embedded({}).models.catalogue).toBe(resolveConfig({}).models.catalogue);
  });

  it('an array of models is the catalogue, validated as on Node', () => {
    const models = EMBEDDED_MODELS.slice(4, 6);
    const config = embedded({ models });
    expect(config.models.source).toBe('models');
    expect(config.models.catalogue.list().map((m) => m.id)).toEqual(['google/gemini-2.0-flash-001', 'google/gemini-2.5-flash']);
    expect(config.models.catalogue.defaultModel.id).toBe('google/gemini-2.0-flash-001');
    expect(() => embedded({ models: [{ id: 'x/y' }] })).toThrow(new ConfigError('invalid option "models" of createMockFetch: models: entry 0 ("x/y"): field "canonical_slug": is required'));
  });

  it('createMockFetch carries it in its config', async () => {
    const mock = await createMockFetch({ models: EMBEDDED_MODELS.slice(1, 2) });
    expect(mock.config.models.catalogue.defaultModel.id).toBe('openai/gpt-4o');
  });
});

describe('resolveEmbeddedConfig accepts what resolveConfig accepts', () => {
  const SERVER_FIELDS = { port: 0, host: '127.0.0.1', stateFile: undefined, readyFile: undefined, logLevel: 'silent', corsOrigin: '*' };

  it('with no options: the default scenario from the bundle, and harmless server fields', () => {
    const config = embedded({});
    expect(config).toEqual({ ...resolveConfig({}), ...SERVER_FIELDS, fixtures: { ...resolveConfig({}).fixtures, source: 'fixtures/keys.json' } });
    expect(config.fixtures.entries).toEqual(resolveConfig({}).fixtures.entries);
  });

  it('a scenario with inline fixtures is reported by its bundled path', () => {
    expect(embedded({ scenario: 'near-limit' }).fixtures.source).toBe('fixtures/scenarios/near-limit.json');
  });

  it('fixtures given as keys load as they do on Node', () => {
    const keys = [{ name: 'mine' }];
    expect(embedded({ fixtures: keys, keys: 3 })).toEqual({ ...resolveConfig({ fixtures: keys, keys: 3 }), ...SERVER_FIELDS });
  });

  // Every accepted option, valid and not, typed and as strings: the same config or the same message.
  const validOptions = fc.record(
    {
      seed: fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constant(' 42 ')),
      now: fc.oneof(fc.constantFrom('2026-01-15T09:30:00Z', '2026-01-15', '2026-01-15T09:30'), fc.integer(), fc.constant(new Date(0))),
      scenario: fc.constantFrom(...bundledScenarios.names()),
      keys: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.constant('30')),
      fixtures: fc.constantFrom([], [{ name: 'a' }]),
      models: fc.constantFrom(EMBEDDED_MODELS.slice(0, 1), EMBEDDED_MODELS.slice(3)),
      managementKey: fc.constantFrom<unknown>('sk-a', 'sk-a,sk-b', ['sk-a', 'sk-b']),
      strict: fc.constantFrom<unknown>(true, false, 'yes', 'off'),
      adminToken: fc.constant('long-enough-token'),
      latency: fc.constantFrom<unknown>('50-200', 100, '7'),
    },
    { requiredKeys: [] },
  );
  const anyOptions = fc.record(
    {
      seed: fc.oneof(fc.integer({ min: -3, max: 2 ** 32 + 3 }), fc.constantFrom('7', ' 42 ', 'x', '1.5')),
      now: fc.oneof(fc.constantFrom('2026-01-15T09:30:00Z', '2026-01-15', '2026-01-15T09:30', 'yesterday'), fc.integer(), fc.constant(new Date(0))),
      scenario: fc.constantFrom(...bundledScenarios.names(), 'nope', 'Bad Name', ''),
      keys: fc.oneof(fc.integer({ min: -1, max: 60 }), fc.constantFrom('30', 'many')),
      fixtures: fc.constantFrom([], [{ name: 'a' }], [{ name: 'a' }, { name: 'b', limit: 5 }]),
      models: fc.constantFrom<unknown[]>(EMBEDDED_MODELS.slice(2, 4), [], [{ id: 'x/y' }], [EMBEDDED_MODELS[0], EMBEDDED_MODELS[0]]),
      managementKey: fc.constantFrom<unknown>('sk-a', 'sk-a,sk-b', ['sk-a', 'sk-b'], ['sk-a', 'sk-a'], [], '', 'a b', [1]),
      strict: fc.constantFrom<unknown>(true, false, 'yes', 'off', 'maybe', 1),
      bodyLimit: fc.oneof(fc.integer({ min: -1, max: 4096 }), fc.constantFrom('1024', '1 MiB')),
      adminToken: fc.constantFrom('short', 'long-enough-token', 'has space in it'),
      control: fc.constantFrom<unknown>(true, false, '0', 'nah'),
      journalSize: fc.oneof(fc.integer({ min: -1, max: 20 }), fc.constant('10')),
      latency: fc.constantFrom<unknown>('50-200', 100, '200-50', 'slow', '7'),
    },
    { requiredKeys: [] },
  );

  it('the same config (server fields aside, sources by bundled path) or the same ConfigError message', () => {
    const seen = { configs: 0, errors: 0 };
    fc.assert(
      fc.property(fc.oneof(validOptions, anyOptions), (options) => {
        const onNode = outcome(() => resolveConfig(options as MockOptions));
        const here = outcome(() => embedded(options));
        if (typeof onNode === 'string' || typeof here === 'string') {
          // The same rule, naming the option as the caller wrote it rather than the CLI's flag.
          const named = typeof onNode === 'string' ? onNode.replace(/^invalid --([a-z-]+) \([A-Z_]+\)/, (_all, flag: string) => `invalid option "${flag.replace(/-([a-z])/g, (_d, c: string) => c.toUpperCase())}" of createMockFetch`) : onNode;
          expect(here).toBe(named);
          seen.errors++;
          return;
        }
        seen.configs++;
        // On Node a scenario's fixtures are reported by their full path, here from the package root.
        expect(onNode.fixtures.source.replace(/\\/g, '/').endsWith(here.fixtures.source)).toBe(true);
        expect(here).toEqual({ ...onNode, ...SERVER_FIELDS, fixtures: { ...onNode.fixtures, source: here.fixtures.source } });
      }),
      { numRuns: 400 },
    );
    // Both sides of the comparison were exercised, not only refusals.
    expect(seen.configs).toBeGreaterThan(100);
    expect(seen.errors).toBeGreaterThan(20);
  });
});

describe('an explicit undefined is the default, for every option on every door', () => {
  const names = Object.keys(OPTIONS) as OptionName[];

  it.each(names)('{ %s: undefined } is {} for resolveConfig, createMockServer, createMockFetch and createMswHandlers', async (name) => {
    expect(resolveConfig({ [name]: undefined })).toEqual(resolveConfig({}));
    // A real server: on port 0 (the default port would be 8080), unless the option is the port.
    const base = name === 'port' ? {} : { port: 0 };
    const [given, plain] = await Promise.all([createMockServer({ ...base, [name]: undefined }), createMockServer({ ...base, port: 0 })]);
    try {
      expect({ ...given.config, port: 0 }).toEqual({ ...plain.config, port: 0 });
      expect(given.config.logLevel).toBe('silent');
    } finally {
      await Promise.all([given.close(), plain.close()]);
    }
    expect((await createMockFetch({ [name]: undefined } as EmbeddedOptions)).config).toEqual((await createMockFetch({})).config);
    expect((await createMswHandlers({ [name]: undefined } as EmbeddedOptions)).mock.config).toEqual((await createMswHandlers({})).mock.config);
  });

  it("createMswHandlers' own options too: { baseUrl: undefined, catchAll: undefined } is {}", async () => {
    const given = await createMswHandlers({ baseUrl: undefined, catchAll: undefined });
    const plain = await createMswHandlers({});
    expect(given.handlers.map((h) => `${String(h.info.method)} ${String(h.info.path)}`)).toEqual(plain.handlers.map((h) => `${String(h.info.method)} ${String(h.info.path)}`));
  });
});

describe('option errors of the in-process doors name the option, not a flag', () => {
  it.each([
    [{ adminToken: 12345678 }, 'invalid option "adminToken" of createMockFetch: must be a string (got a value of 8 characters, not shown: it is a secret)'],
    [{ seed: 'x' }, 'invalid option "seed" of createMockFetch: must be an integer from 0 to 4294967295 (got "x")'],
    [{ scenario: 'nope' }, 'invalid option "scenario" of createMockFetch: unknown scenario "nope"'],
  ])('%j', async (options, message) => {
    const attempt = createMockFetch(options as EmbeddedOptions);
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(message);
    await expect(createMswHandlers(options as EmbeddedOptions)).rejects.toThrow(message.replace('createMockFetch', 'createMswHandlers'));
  });

  it('a text option given a non-string is refused with the reason on the server too (adminToken: 12345678 was accepted)', () => {
    // A secret option's rejected value is not printed back, not even a number.
    for (const name of ['adminToken', 'host', 'scenario', 'stateFile', 'logLevel'] as const) {
      const got = name === 'adminToken' ? 'a value of 8 characters, not shown: it is a secret' : '12345678';
      const flag = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      const variable = `${name === 'host' ? '' : 'MOCK_'}${flag.replace(/-/g, '_').toUpperCase()}`;
      expect(() => resolveConfig({ [name]: 12345678 } as MockOptions)).toThrow(`invalid --${flag} (${variable}): must be a string (got ${got})`);
    }
  });
});
