/**
 * The in-process doors are browser-safe: `openrouter-keys-mock/fetch` and `/msw` bundle for the
 * browser (esbuild, platform "browser") without a single Node builtin and without the server's
 * stack (Fastify, pino and their parts), and the fetch bundle stays small. What dominates the
 * bundle is written to test/.generated/browser-bundle.json and printed, so a regression names its
 * cause. esbuild comes with tsx and Vite (it is not a direct dependency).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { gzipSync } from 'node:zlib';
import { build, type Metafile, type Plugin } from 'esbuild';
import { faker as englishFaker } from '@faker-js/faker/locale/en';
import type { Faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { renderEnglishWords } from '../../scripts/generate.js';
import { createSeededFaker } from '../../src/data/seeded-faker.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const GZIP_BUDGET = 200 * 1024;

/** Node's own modules, with and without the `node:` prefix (`fs`, `node:fs`, `fs/promises`). */
const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
/** The server's stack: none of it may reach a browser bundle. */
const SERVER_ONLY = /node_modules\/(fastify|@fastify\/[^/]+|pino[^/]*|avvio|light-my-request|find-my-way)\//;

/**
 * Records every import of a Node builtin (and who imports it) and leaves it external, so the test
 * can name them all instead of failing at esbuild's first "could not resolve".
 */
function recordBuiltins(found: string[]): Plugin {
  return {
    name: 'record-node-builtins',
    setup(onBuild) {
      onBuild.onResolve({ filter: /.*/ }, (args) => {
        if (!BUILTINS.has(args.path)) return undefined;
        found.push(`${args.path} (from ${args.importer.replace(ROOT, '')})`);
        return { path: args.path, external: true };
      });
    },
  };
}

async function bundle(entry: string, external: string[] = []) {
  const builtins: string[] = [];
  const result = await build({
    entryPoints: [`${ROOT}${entry}`],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    metafile: true,
    write: false,
    logLevel: 'silent',
    external,
    plugins: [recordBuiltins(builtins)],
  });
  const output = result.outputFiles[0]!;
  return { builtins, metafile: result.metafile, bytes: output.contents };
}

/** The output's inputs by bytes they put in it, largest first: a package's files together, ours each. */
function contributors(metafile: Metafile): { source: string; bytes: number }[] {
  const [output] = Object.values(metafile.outputs);
  const bySource = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output!.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
    const source = pkg ?? path;
    bySource.set(source, (bySource.get(source) ?? 0) + bytesInOutput);
  }
  return [...bySource].map(([source, bytes]) => ({ source, bytes })).sort((a, b) => b.bytes - a.bytes);
}

describe('the in-process doors bundle for the browser', () => {
  it('openrouter-keys-mock/fetch: no Node builtin, nothing of the server, at most 200 KB gzipped, the size the README states', async () => {
    const { builtins, metafile, bytes } = await bundle('src/fetch.ts');
    expect(builtins).toEqual([]);
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.filter((path) => SERVER_ONLY.test(path))).toEqual([]);
    expect(inputs).toContain('src/fetch.ts');

    const gzip = gzipSync(bytes, { level: 9 }).byteLength;
    const top = contributors(metafile);
    const report = { entry: 'src/fetch.ts', minifiedBytes: bytes.byteLength, gzipBytes: gzip, top: top.slice(0, 10) };
    mkdirSync(`${ROOT}test/.generated`, { recursive: true });
    writeFileSync(`${ROOT}test/.generated/browser-bundle.json`, `${JSON.stringify(report, null, 2)}\n`);
    const share = (n: number) => `${((100 * n) / bytes.byteLength).toFixed(0)}%`;
    console.log(
      `fetch bundle: ${(bytes.byteLength / 1024).toFixed(0)} KB minified, ${(gzip / 1024).toFixed(0)} KB gzipped; largest: ` +
        top.slice(0, 5).map((c) => `${c.source} ${(c.bytes / 1024).toFixed(0)} KB (${share(c.bytes)})`).join(', '),
    );
    expect(gzip).toBeLessThanOrEqual(GZIP_BUDGET);

    // The README states these numbers: measured here, so a stale one fails (with the sentence to write).
    const readme = readFileSync(`${ROOT}README.md`, 'utf8').replace(/\s+/g, ' ');
    const stated = /`openrouter-keys-mock\/fetch` bundled for the browser \(esbuild, minified\) is (\d+) KB, (\d+) KB gzipped/.exec(readme);
    const measured = { minified: Math.round(bytes.byteLength / 1024), gzip: Math.round(gzip / 1024) };
    const fix = `README, "Performance": write "is ${measured.minified} KB, ${measured.gzip} KB gzipped"`;
    expect(stated, 'the README states the bundle size').not.toBeNull();
    expect(Math.abs(Number(stated![1]) - measured.minified), fix).toBeLessThanOrEqual(2);
    expect(Math.abs(Number(stated![2]) - measured.gzip), fix).toBeLessThanOrEqual(1);
    expect(top.slice(0, 3).map((c) => c.source)).toEqual(['@faker-js/faker', 'ajv', 'src/generated/english-words.json']);
  });

  it('openrouter-keys-mock/msw, with msw left to the app: no Node builtin, nothing of the server', async () => {
    const { builtins, metafile } = await bundle('src/msw.ts', ['msw', 'msw/*']);
    expect(builtins).toEqual([]);
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.filter((path) => SERVER_ONLY.test(path) || path.includes('node_modules/msw/'))).toEqual([]);
    expect(inputs).toEqual(expect.arrayContaining(['src/msw.ts', 'src/in-process-mock.ts']));
  });
});

describe('src/generated/english-words.json: the part of faker English the dataset needs, for a smaller bundle', () => {
  it('is exactly what the generator gives from the installed faker (it cannot drift)', () => {
    expect(readFileSync(new URL('../../src/generated/english-words.json', import.meta.url), 'utf8')).toBe(renderEnglishWords());
  });

  it('draws the same words as the whole English locale, seed for seed', () => {
    // What key-factory.ts and dataset.ts ask faker for.
    const draw = (faker: Faker) =>
      Array.from({ length: 20 }, () => [faker.person.firstName(), faker.company.name(), faker.hacker.noun(), faker.internet.email(), faker.string.uuid(), faker.number.int()]);
    const FakerClass = englishFaker.constructor as new (options: { locale: Faker['rawDefinitions'] }) => Faker;
    for (let seed = 0; seed < 200; seed++) {
      const whole = new FakerClass({ locale: englishFaker.rawDefinitions });
      whole.seed(seed);
      expect(draw(createSeededFaker(seed, 0)), `seed ${seed}`).toEqual(draw(whole));
    }
  });
});
