import { readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, listFiles, ROOT, type Import } from './helpers/imports.js';

/**
 * The layers of src/, lowest first, and what each may import: its own layer and the ones below
 * it, never one above. data and schemas are side by side over domain (neither imports the other).
 * Every import counts, type-only ones included: a type import still ties a file to the layer
 * it names. Non-relative imports (packages) are test/core-imports.test.ts's concern.
 */
const MAY_IMPORT = {
  /** The key store and every rule. */
  domain: [],
  /** The start-up dataset, and the JSON npm run generate writes. */
  data: ['domain'],
  /** The wire contract (TypeBox), its Ajv validators and their errors in words. */
  schemas: ['domain'],
  /** One mock instance (its options, its runtime) and the test-control plane over it. */
  control: ['domain', 'data', 'schemas'],
  /** The HTTP rules, once, for every door. */
  http: ['domain', 'data', 'schemas', 'control'],
  /** The ways in: fetch, MSW, and the server's Fastify routes and plugins. */
  doors: ['domain', 'data', 'schemas', 'control', 'http'],
  /** The server and the Node edge: config and files on disk, the CLI, the main entry. */
  server: ['domain', 'data', 'schemas', 'control', 'http', 'doors'],
} as const satisfies Record<string, readonly string[]>;
type Layer = keyof typeof MAY_IMPORT;

/** Folders whose every file is of one layer. */
const FOLDERS: Record<string, Layer> = {
  'src/domain': 'domain',
  'src/data': 'data',
  'src/generated': 'data',
  'src/schemas': 'schemas',
  'src/control': 'control',
  'src/http': 'http',
  'src/routes': 'doors',
  'src/plugins': 'doors',
};

/** The files at the top of src/, each placed by hand: a new one fails the test until it is here. */
const FILES: Record<string, Layer> = {
  'src/version.ts': 'domain', // a constant, importing nothing; the engine and the CLI both read it
  'src/option-values.ts': 'control', // the value parsers of options.ts
  'src/options.ts': 'control', // every option, validated: what a mock instance is built from
  'src/mock-runtime.ts': 'control',
  'src/model-catalogue.ts': 'control', // the catalogue a mock instance is built with, checked // one mock instance: what the control plane and the engine drive
  'src/in-process-mock.ts': 'doors', // the builder both in-process doors share (not an entry)
  'src/fetch.ts': 'doors', // openrouter-keys-mock/fetch
  'src/msw.ts': 'doors', // openrouter-keys-mock/msw
  'src/app.ts': 'server', // the Fastify instance, from routes/ and plugins/
  'src/server.ts': 'server',
  'src/cli.ts': 'server',
  'src/command-line.ts': 'server', // flags and MOCK_* variables, the --help text
  'src/config.ts': 'server', // options.ts on Node: files read, folders checked
  'src/fixture-files.ts': 'server', // fixtures/ read from disk
  'src/runtime.ts': 'server', // mock-runtime.ts given node:crypto and the files
  'src/state-file.ts': 'server', // --state-file on disk
  'src/ready-file.ts': 'server',
  'src/logger.ts': 'server', // pino's options for --log-level
  'src/index.ts': 'server', // the main entry: the server and what it is built of
};

const rel = (file: string) => relative(ROOT, file);

/** A file's layer: its own row in FILES, else its folder's; undefined for a file nobody placed. */
function layerOf(file: string): Layer | undefined {
  const path = rel(file);
  if (path in FILES) return FILES[path];
  const folder = Object.keys(FOLDERS).find((f) => path.startsWith(`${f}/`));
  return folder === undefined ? undefined : FOLDERS[folder];
}

/** What is wrong with `file` importing `imports`: each import from a higher layer, or from a file with no layer. */
function violations(file: string, imports: readonly Import[]): string[] {
  const layer = layerOf(file);
  if (layer === undefined) return [`${rel(file)} has no layer (place it in FOLDERS or FILES)`];
  const allowed: readonly Layer[] = [layer, ...MAY_IMPORT[layer]];
  return imports.flatMap(({ target }) => {
    if (target === undefined) return [];
    const to = layerOf(target);
    if (to === undefined) return [`${rel(file)} (${layer}) imports ${rel(target)}, which has no layer`];
    return allowed.includes(to) ? [] : [`${rel(file)} (${layer}) imports ${rel(target)} (${to})`];
  });
}

const SRC = join(ROOT, 'src');
const srcFiles = () => listFiles(SRC, ['.ts', '.json']);

/** The import graph of src/domain: each file and the files of src/domain it imports. */
function domainGraph(read: (file: string) => Import[] = (file) => importsOf(file)): Map<string, string[]> {
  const domain = join(SRC, 'domain');
  const files = listFiles(domain);
  return new Map(files.map((file) => [rel(file), read(file).flatMap(({ target }) => (target?.startsWith(`${domain}/`) ? [rel(target)] : []))]));
}

/** Every import cycle of `graph`, each once, as the files around it starting from the first in order. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found = new Map<string, string[]>();
  const done = new Set<string>();
  const visit = (node: string, stack: string[]): void => {
    const at = stack.indexOf(node);
    if (at !== -1) {
      const cycle = stack.slice(at);
      const first = cycle.indexOf([...cycle].sort()[0]!);
      const rotated = [...cycle.slice(first), ...cycle.slice(0, first)];
      found.set(rotated.join(' → '), rotated);
      return;
    }
    if (done.has(node)) return;
    for (const next of graph.get(node) ?? []) visit(next, [...stack, node]);
    done.add(node);
  };
  for (const node of graph.keys()) visit(node, []);
  return [...found.values()];
}

describe('the layers of src/', () => {
  it('place every file of src/ (a new file must be given a layer)', () => {
    const files = srcFiles();
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((file) => layerOf(file) === undefined).map(rel)).toEqual([]);
    // And FILES names no file that is gone.
    expect(Object.keys(FILES).filter((path) => !files.includes(join(ROOT, path)))).toEqual([]);
  });

  it('hold: no file imports from a layer above its own', () => {
    expect(srcFiles().flatMap((file) => violations(file, importsOf(file)))).toEqual([]);
  });

  it('src/domain has no import cycle', () => {
    expect(cycles(domainGraph())).toEqual([]);
  });

  it('are the README’s (Development): each folder and top-level file named in its layer', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('- `src/` is in layers');
    expect(start).toBeGreaterThan(-1);
    const paragraph = readme.slice(start, readme.indexOf('\n- ', start + 1));
    // "**domain** (…) ← **data** (…)": each layer's name in bold, then what it holds.
    const parts = paragraph.split(/\*\*(\w+)\*\*/);
    const named = new Map<string, string>();
    for (let i = 1; i < parts.length; i += 2) named.set(parts[i]!, parts[i + 1]!);
    expect([...named.keys()]).toEqual(Object.keys(MAY_IMPORT));
    const misplaced = [
      ...Object.entries(FOLDERS).filter(([folder, layer]) => !named.get(layer)!.includes(`\`${folder}/\``)),
      ...Object.entries(FILES).filter(([file, layer]) => !named.get(layer)!.includes(`\`${basename(file)}\``)),
    ];
    expect(misplaced).toEqual([]);
  });

  it('the checks find what they look for', () => {
    const at = (path: string) => join(ROOT, path);
    // The control plane reaching into http (the validators once lived there) is found …
    const control = at('src/control/mock-control.ts');
    expect(violations(control, importsOf(control, "import { sharedValidators } from '../http/validators.js';"))).toEqual([
      'src/control/mock-control.ts (control) imports src/http/validators.ts (http)',
    ]);
    // … so is a type-only import, across a multi-line clause, and a dynamic one …
    const store = at('src/domain/key-store.ts');
    const source = "import type {\n  Engine,\n} from '../http/engine.js';\nconst m = await import('../app.js');";
    expect(violations(store, importsOf(store, source))).toEqual([
      'src/domain/key-store.ts (domain) imports src/http/engine.ts (http)',
      'src/domain/key-store.ts (domain) imports src/app.ts (server)',
    ]);
    // … data and schemas are side by side: neither imports the other …
    const dataset = at('src/data/dataset.ts');
    expect(violations(dataset, importsOf(dataset, "import { KeySchema } from '../schemas/keys.js';"))).toHaveLength(1);
    // … and an unplaced file is named, importing or imported.
    expect(violations(at('src/new-thing.ts'), [])).toEqual(['src/new-thing.ts has no layer (place it in FOLDERS or FILES)']);
    expect(violations(control, importsOf(control, "import '../new-thing.js';"))).toEqual([
      'src/control/mock-control.ts (control) imports src/new-thing.ts, which has no layer',
    ]);
    // Lower layers and the file's own are fine.
    const engine = at('src/http/engine.ts');
    expect(violations(engine, importsOf(engine, "import { x } from '../domain/errors.js';\nimport { y } from './body.js';\nimport { z } from '../control/mock-control.js';"))).toEqual([]);
  });

  it('the cycle check finds a cycle: events.ts importing the journal again', () => {
    const events = join(ROOT, 'src/domain/events.ts');
    const graph = domainGraph((file) => (file === events ? importsOf(file, "import type { JournalEntry } from './journal.js';") : importsOf(file)));
    expect(cycles(graph)).toEqual([['src/domain/events.ts', 'src/domain/journal.ts']]);
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
  });
});
