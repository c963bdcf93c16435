/**
 * The README's examples, for the tests that run them as written: the `ts` code blocks of one
 * section, and a way to run one with its package import pointed at src/.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where examples are written to run (git-ignored, not type-checked with the project). */
export const GENERATED = join(ROOT, 'test', '.generated');

/** The `language` code blocks (`ts` unless told) under `heading` (up to the next heading of any level), in order. */
export function readmeExamples(heading: string, language = 'ts'): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(heading);
  if (start === -1) throw new Error(`the README has no section "${heading}"`);
  const next = readme.slice(start + heading.length).search(/\n#{1,3} /);
  const section = next === -1 ? readme.slice(start) : readme.slice(start, start + heading.length + next);
  return section
    .split(`\`\`\`${language}\n`)
    .slice(1)
    .map((block) => block.split('```')[0]!);
}

/**
 * Runs `code` as a module of its own, with `from '<packageImport>'` pointed at `src/<module>`
 * (Vitest resolves the `.js` to the `.ts` beside it). Fails if the example does not import it.
 */
export async function runExample(code: string, packageImport: string, module: string, fileName: string): Promise<void> {
  const from = `from '${packageImport}'`;
  if (!code.includes(from)) throw new Error(`the example does not import ${packageImport}`);
  mkdirSync(GENERATED, { recursive: true });
  const file = join(GENERATED, fileName);
  writeFileSync(file, code.replace(from, `from '../../src/${module}'`));
  await import(file);
}
