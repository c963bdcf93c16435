/**
 * The import walker of test/core-imports.test.ts (which files a file reaches) and
 * test/layers.test.ts (which layer may import which): one reading of a file's import and export
 * specifiers, static, dynamic and type-only alike, for both.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every file under `folder` (recursively) whose name ends with one of `extensions`. */
export const listFiles = (folder: string, extensions: readonly string[] = ['.ts']): string[] =>
  readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? listFiles(path, extensions) : extensions.some((ext) => path.endsWith(ext)) ? [path] : [];
  });

/** `import … from`, `export … from`, `import '…'` and `import('…')`, `import type` included. */
const SPECIFIER = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*\(?\s*['"]([^'"]+)['"]/g;

/** One import of a file: what it names and, for a relative one, the file it is (absolute, `.js` read as `.ts`). */
export interface Import {
  specifier: string;
  target?: string;
}

/** The imports of `file`, read from `source` (default: the file itself). */
export function importsOf(file: string, source: string = readFileSync(file, 'utf8')): Import[] {
  return [...source.matchAll(SPECIFIER)].map((match) => {
    const specifier = (match[1] ?? match[2])!;
    return specifier.startsWith('.') ? { specifier, target: resolve(dirname(file), specifier.replace(/\.js$/, '.ts')) } : { specifier };
  });
}

/**
 * Walks the imports reachable from `entries`, breadth first, each file once, calling `visit` with
 * each import and the chain of files (relative to the repository) that leads to the importing file.
 */
export function walkImports(entries: readonly string[], visit: (imported: Import, chain: readonly string[]) => void): void {
  const seen = new Set<string>();
  const queue = entries.map((file) => ({ file, chain: [relative(ROOT, file)] }));
  while (queue.length > 0) {
    const { file, chain } = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imported of importsOf(file)) {
      visit(imported, chain);
      if (imported.target) queue.push({ file: imported.target, chain: [...chain, relative(ROOT, imported.target)] });
    }
  }
}
