import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The browser-safe core (the files tsconfig.core.json checks without Node's types) must not reach
 * a Node module, Fastify or pino through any import, type-only ones included: a type import of
 * fastify drags @types/node into the core's type check, where it would hide a real Node use.
 * src/control/mock-control.ts and state-document.ts join the core (in tsconfig.core.json) once
 * plugins/validation-message.ts and the Ajv part of validators.ts have moved to src/http/: today
 * they reach fastify through those two.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FORBIDDEN = [/^node:/, /^fastify(\/|$)/, /^@fastify\//, /^fastify-plugin$/, /^pino(-|\/|$)/, /^close-with-grace$/];
const isForbidden = (specifier: string) => FORBIDDEN.some((re) => re.test(specifier)) || builtinModules.includes(specifier.split('/')[0]!);

const listTs = (folder: string): string[] =>
  readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? listTs(path) : path.endsWith('.ts') ? [path] : [];
  });

/** tsconfig.core.json's files: its `include`, where `folder/**\/*.ts` is every .ts file under folder. */
function coreFiles(): string[] {
  const { include } = JSON.parse(readFileSync(join(ROOT, 'tsconfig.core.json'), 'utf8')) as { include: string[] };
  return include.flatMap((pattern) => {
    const folder = pattern.endsWith('/**/*.ts') ? join(ROOT, pattern.slice(0, -'/**/*.ts'.length)) : undefined;
    if (folder) return existsSync(folder) ? listTs(folder) : [];
    const file = join(ROOT, pattern);
    return existsSync(file) ? [file] : [];
  });
}

const SPECIFIER = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*\(?\s*['"]([^'"]+)['"]/g;

/** Every forbidden import reachable from `entries`, each with the chain of files that leads to it. */
function forbiddenImports(entries: string[]): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const queue = entries.map((file) => ({ file, chain: [relative(ROOT, file)] }));
  while (queue.length > 0) {
    const { file, chain } = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const specifier = (match[1] ?? match[2])!;
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
        queue.push({ file: target, chain: [...chain, relative(ROOT, target)] });
      } else if (isForbidden(specifier)) {
        found.push(`${chain.join(' → ')} imports ${specifier}`);
      }
    }
  }
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
