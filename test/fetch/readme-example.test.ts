/**
 * The README's fetch-handler example, run as written (only its package import is pointed at
 * src/), so the README cannot drift from the API it shows.
 */
import { readmeExamples, runExample } from '../helpers/readme.js';

await runExample(readmeExamples('### Without a server: a `fetch` handler')[0]!, 'openrouter-keys-mock/fetch', 'fetch.js', 'readme-fetch-example.ts');
