/**
 * The README's vitest example, run as written (only its package import is pointed at src/), so
 * the README cannot drift from the API it shows.
 */
import { readmeExamples, runExample } from './helpers/readme.js';

await runExample(readmeExamples('### In tests (vitest)')[0]!, 'openrouter-keys-mock', 'index.js', 'readme-example.ts');
