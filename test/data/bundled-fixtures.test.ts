import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderFixtures, ROOT } from '../../scripts/generate.js';
import { BUNDLED_FILES, bundledScenarios } from '../../src/data/bundled-fixtures.js';
import { createScenarioSource, filesInMemory, joinPath } from '../../src/data/scenario-source.js';
import { ScenarioError } from '../../src/data/scenarios.js';
import { fileScenarios } from '../../src/fixture-files.js';

const thrown = (run: () => unknown): Error => {
  try {
    run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
};

describe('src/generated/fixtures.json', () => {
  it('is exactly what the generator gives from fixtures/ (it cannot drift from the files)', () => {
    expect(readFileSync(join(ROOT, 'src/generated/fixtures.json'), 'utf8')).toBe(renderFixtures());
  });

  it('holds the default dataset, fixtures/keys.json, as parsed JSON', () => {
    expect(BUNDLED_FILES['fixtures/keys.json']).toEqual(JSON.parse(readFileSync(new URL('../../fixtures/keys.json', import.meta.url), 'utf8')));
  });
});

describe('bundledScenarios against fixture-files.ts', () => {
  it('names the same scenarios', () => {
    expect(bundledScenarios.names()).toEqual(fileScenarios.names());
  });

  it.each(fileScenarios.names())('%s: the same scenario, its source a path from the package root', (name) => {
    const bundled = bundledScenarios.load(name);
    const fromFiles = fileScenarios.load(name);
    const { source, ...rest } = bundled;
    const { source: fullPath, ...expected } = fromFiles;
    expect(rest).toEqual(expected);
    // Node reports the full path of the same file.
    expect(fullPath.replace(/\\/g, '/').endsWith(`/${source}`)).toBe(true);
    expect(source).toMatch(/^fixtures\/[a-z/-]+\.json$/);
  });

  it('reports a scenario with inline fixtures by its own file, one that names a fixtures file by that file', () => {
    expect(bundledScenarios.load('near-limit').source).toBe('fixtures/scenarios/near-limit.json');
    expect(bundledScenarios.load('default').source).toBe('fixtures/keys.json');
  });

  it('caches: loading twice gives the same object', () => {
    expect(bundledScenarios.load('expired')).toBe(bundledScenarios.load('expired'));
  });

  it.each(['nope', 'Default', '../keys', 'x'.repeat(100)])('refuses the unknown name %j with the same ScenarioError', (name) => {
    const err = thrown(() => bundledScenarios.load(name));
    expect(err).toBeInstanceOf(ScenarioError);
    expect(err.message).toBe(thrown(() => fileScenarios.load(name)).message);
  });
});

describe('createScenarioSource', () => {
  it('lists only .json files directly in the folder whose names are scenario names, sorted', () => {
    const source = createScenarioSource(
      filesInMemory({ 'f/s/b.json': {}, 'f/s/a.json': {}, 'f/s/Bad.json': {}, 'f/s/sub/c.json': {}, 'f/s/d.txt': {}, 'f/e.json': {} }),
      'f/s',
    );
    expect(source.names()).toEqual(['a', 'b']);
  });

  it('names a missing fixtures file in a ScenarioError, as fixture-files.ts names an unreadable one', () => {
    const source = createScenarioSource(filesInMemory({ 'f/s/a.json': { description: 'a', fixtures: '../gone.json' } }), 'f/s');
    const err = thrown(() => source.load('a'));
    expect(err).toBeInstanceOf(ScenarioError);
    expect(err.message).toBe('scenario "a": cannot read f/gone.json: no such bundled file');
  });

  it("passes parseScenario's errors through, naming the scenario's file", () => {
    const source = createScenarioSource(filesInMemory({ 'f/s/a.json': { description: '', fixtures: [] } }), 'f/s');
    expect(thrown(() => source.load('a')).message).toBe('scenario "a" (f/s/a.json): field "description" must be a non-empty string');
  });

  it.each([
    ['fixtures/scenarios', '../keys.json', 'fixtures/keys.json'],
    ['fixtures/scenarios', './x/../y.json', 'fixtures/scenarios/y.json'],
    ['fixtures/scenarios', '../../../up.json', 'up.json'],
    ['a', '/abs/b.json', 'abs/b.json'],
  ])('joinPath(%j, %j) is %j', (folder, relative, expected) => {
    expect(joinPath(folder, relative)).toBe(expected);
  });
});

describe('scripts/generate.ts: fixtures.json', () => {
  const root = mkdtempSync(join(tmpdir(), 'generate-fixtures-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, value: unknown) => writeFileSync(join(root, path), JSON.stringify(value));
  mkdirSync(join(root, 'fixtures', 'scenarios'), { recursive: true });
  write('fixtures/keys.json', []);

  it('refuses a scenario whose fixtures file lies outside fixtures/ (the package ships only fixtures/)', () => {
    write('fixtures/scenarios/a.json', { description: 'a', fixtures: '../../outside.json' });
    write('outside.json', []);
    expect(() => renderFixtures(root)).toThrow('fixtures/scenarios/a.json: its fixtures file ../../outside.json is outside fixtures/');
  });

  it('refuses to bundle an invalid scenario, so it fails at build time rather than in a browser', () => {
    write('fixtures/scenarios/a.json', { description: 'a', keys: -1 });
    expect(() => renderFixtures(root)).toThrow('field "keys" must be an integer');
  });
});
