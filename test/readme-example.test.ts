/**
 * The README's vitest example, run as written (only its package import is pointed at src/), so
 * the README cannot drift from the API it shows.
 */
import { expect } from 'vitest';
import { readmeExamples, runExample } from './helpers/readme.js';

const example = readmeExamples('### In tests (vitest)')[0]!;
// Running it proves something only while the example checks what it shows.
expect(example).toMatch(/\bexpect\(/);
await runExample(example, 'openrouter-keys-mock', 'index.js', 'readme-example.ts');
