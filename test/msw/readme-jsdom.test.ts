// @vitest-environment jsdom
/**
 * The README's "Vitest with jsdom" MSW example, run as written (only its package import is pointed
 * at src/) in the environment it names: its tests register here when it is imported.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import { GENERATED, pointedAtSource, readmeMswExamples } from './readme-examples.js';

const { jsdom } = readmeMswExamples();
expect(jsdom.startsWith('// @vitest-environment jsdom\n')).toBe(true);
// Vitest reads this file's own pragma (the same as the example's): the DOM is there.
expect('document' in globalThis).toBe(true);

mkdirSync(GENERATED, { recursive: true });
const file = join(GENERATED, 'readme-msw-jsdom.ts');
writeFileSync(file, pointedAtSource(jsdom, GENERATED));
await import(pathToFileURL(file).href);
