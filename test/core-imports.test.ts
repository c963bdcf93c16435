import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listFiles, ROOT, walkImports } from './helpers/imports.js';

/**
 * The browser-safe core (the files tsconfig.core.json checks without Node's types) must not reach
 * a Node module, Fastify or pino through any import, type-only ones included: a type import of
 * fastify drags @types/node into the core's type check, where it would hide a real Node use.
 * Which layer may import which is test/layers.test.ts, over the same walker (helpers/imports.ts).
 */

const FORBIDDEN = [/^node:/, /^fastify(\/|$)/, /^@fastify\//, /^fastify-plugin$/, /^pino(-|\/|$)/, /^close-with-grace$/];
const isForbidden = (specifier: string) => FORBIDDEN.some((re) => re.test(specifier)) || builtinModules.includes(specifier.split('/')[0]!);

/** tsconfig.core.json's files: its `include`, where `folder/**\/*.ts` is every .ts file under folder. */
function coreFiles(): string[] {
  const { include } = JSON.parse(readFileSync(join(ROOT, 'tsconfig.core.json'), 'utf8')) as { include: string[] };
  return include.flatMap((pattern) => {
    const folder = pattern.endsWith('/**/*.ts') ? join(ROOT, pattern.slice(0, -'/**/*.ts'.length)) : undefined;
    if (folder) return existsSync(folder) ? listFiles(folder) : [];
    const file = join(ROOT, pattern);
    return existsSync(file) ? [file] : [];
  });
}

/** Every forbidden import reachable from `entries`, each with the chain of files that leads to it. */
function forbiddenImports(entries: string[]): string[] {
  const found: string[] = [];
  walkImports(entries, ({ specifier, target }, chain) => {
    if (!target && isForbidden(specifier)) found.push(`${chain.join(' → ')} imports ${specifier}`);
  });
  return found;
}

describe('the browser-safe core', () => {
  it('is the files tsconfig.core.json names (some exist)', () => {
    const files = coreFiles().map((file) => relative(ROOT, file));
    expect(files).toEqual(expect.arrayContaining(['src/mock-runtime.ts', 'src/options.ts', 'src/version.ts', 'src/data/bundled-fixtures.ts']));
  });

  it('reaches no Node module, Fastify or pino through any import', () => {
    expect(forbiddenImports(coreFiles())).toEqual([]);
  });

  it('the check finds what it looks for: the Node edges do import Node', () => {
    expect(forbiddenImports([join(ROOT, 'src/runtime.ts')])).toEqual(
      expect.arrayContaining(['src/runtime.ts imports node:crypto', 'src/runtime.ts → src/config.ts imports node:fs']),
    );
    expect(forbiddenImports([join(ROOT, 'src/app.ts')]).some((line) => line.endsWith('imports fastify'))).toBe(true);
  });
});
