import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { faker as english } from '@faker-js/faker/locale/en';
import { createScenarioSource, filesInMemory } from '../src/data/scenario-source.js';

/**
 * Writes src/generated/: data the browser-safe core needs as JSON modules, derived from files it
 * cannot read there (fixtures/) or could not afford whole (faker's English locale).
 *
 *   npm run generate              write every file
 *   npm run generate -- --check   exit 1 naming each stale file (npm test runs this)
 *
 * - english-words.json: the parts of faker's English locale the dataset draws from
 *   (src/data/key-factory.ts: first names, company names, hacker nouns, e-mail addresses), and
 *   nothing else. Faker's `locale/en` entry is all-or-nothing (290 KB of data, 60 % of the browser
 *   bundle of `openrouter-keys-mock/fetch`) and a bundler cannot drop the unused half of an object.
 * - fixtures.json: the scenarios (fixtures/scenarios/*.json), the default dataset
 *   (fixtures/keys.json) and every fixtures file a scenario names by path, parsed, by path from the
 *   package root. Every scenario is loaded first: a bad one fails here, not in a browser.
 */

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCENARIOS = 'fixtures/scenarios';
const DEFAULT_FIXTURES = 'fixtures/keys.json';

/** Faker's modules (whole, so every method of each finds its data) that key-factory.ts uses. */
export const FAKER_MODULES = ['metadata', 'person', 'company', 'hacker', 'internet'] as const;

/** A path from the package root, '/'-separated whatever the platform (the bundle's keys). */
const fromRoot = (root: string, path: string) => relative(root, path).split(sep).join('/');
const readJson = (root: string, path: string): unknown => JSON.parse(readFileSync(join(root, path), 'utf8'));
const render = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export function renderEnglishWords(): string {
  const all = english.rawDefinitions as Record<string, unknown>;
  return render(Object.fromEntries(FAKER_MODULES.map((name) => [name, all[name]])));
}

/** Every fixtures file the bundle holds, by path from the package root, sorted (stable output). */
export function collectFixtureFiles(root: string = ROOT): Record<string, unknown> {
  const files: Record<string, unknown> = { [DEFAULT_FIXTURES]: readJson(root, DEFAULT_FIXTURES) };
  for (const file of readdirSync(join(root, SCENARIOS)).filter((name) => name.endsWith('.json'))) {
    const path = `${SCENARIOS}/${file}`;
    const document = readJson(root, path);
    files[path] = document;
    const named = (document as { fixtures?: unknown } | null)?.fixtures;
    if (typeof named !== 'string') continue;
    const target = fromRoot(root, resolve(root, SCENARIOS, named));
    // The package ships only fixtures/: a scenario pointing elsewhere would work here and not there.
    if (!target.startsWith('fixtures/')) throw new Error(`${path}: its fixtures file ${named} is outside fixtures/`);
    files[target] ??= readJson(root, target);
  }
  return Object.fromEntries(Object.keys(files).sort().map((path) => [path, files[path]]));
}

export function renderFixtures(root: string = ROOT): string {
  const files = collectFixtureFiles(root);
  const source = createScenarioSource(filesInMemory(files), SCENARIOS);
  for (const name of source.names()) source.load(name);
  return render(files);
}

/** Each generated file, by path from the package root, and how to render it. */
export const GENERATED: Readonly<Record<string, () => string>> = {
  'src/generated/english-words.json': renderEnglishWords,
  'src/generated/fixtures.json': () => renderFixtures(),
};

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const [path, renderFile] of Object.entries(GENERATED)) {
    const text = renderFile();
    const full = join(ROOT, path);
    let current: string | undefined;
    try {
      current = readFileSync(full, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === text) continue;
    if (check) stale.push(path);
    else {
      writeFileSync(full, text);
      console.log(`wrote ${path} (${text.length} bytes)`);
    }
  }
  if (stale.length > 0) {
    console.error(`stale: ${stale.join(', ')}; run npm run generate`);
    process.exit(1);
  }
}
