/**
 * The package's entry points as a user imports them: by name, through package.json's `exports`
 * (Node resolves a package's own name from inside it), from the built `dist/` (`npm test` builds
 * first), each with its type declarations.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  exports: Record<string, string | { types: string; import: string }>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  dependencies: Record<string, string>;
};

/** Imports a module in a fresh Node process from the package's folder and prints the names it exports. */
function exportedNames(specifier: string): string[] {
  const script = `import(${JSON.stringify(specifier)}).then((m) => console.log(JSON.stringify(Object.keys(m).sort())))`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })) as string[];
}

describe('package exports', () => {
  it.each([
    ['.', 'createMockServer'],
    ['./fetch', 'createMockFetch'],
    ['./msw', 'createMswHandlers'],
  ])('%s resolves by name to built JavaScript with types, exporting %s', (entry, name) => {
    const target = pkg.exports[entry] as { types: string; import: string };
    expect(existsSync(new URL(target.import, `file://${root}/`))).toBe(true);
    expect(existsSync(new URL(target.types, `file://${root}/`))).toBe(true);
    const specifier = entry === '.' ? pkg.name : `${pkg.name}/${entry.slice(2)}`;
    expect(exportedNames(specifier)).toContain(name);
  });

  it.each([
    ['./fetch', ['ApiError', 'ConfigError', 'createMockFetch']],
    ['./msw', ['ApiError', 'ConfigError', 'DEFAULT_BASE_URL', 'createMswHandlers']],
  ])('%s exports exactly these names (createInProcessMock, the doors’ shared builder, is not public)', (entry, names) => {
    expect(exportedNames(`${pkg.name}/${entry.slice(2)}`)).toEqual(names);
  });

  it('msw is an optional peer (msw 2 or 3), never a runtime dependency', () => {
    expect(pkg.peerDependencies.msw).toBe('^2.7 || ^3');
    expect(pkg.peerDependenciesMeta.msw?.optional).toBe(true);
    expect(pkg.dependencies.msw).toBeUndefined();
  });
});
