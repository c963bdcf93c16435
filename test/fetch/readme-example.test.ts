/**
 * The README's fetch-handler example, run as written (only its package import is pointed at
 * src/), so the README cannot drift from the API it shows.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('### Without a server: a `fetch` handler'));
const example = section.split('```ts\n')[1]!.split('```')[0]!;
expect(example).toContain("from 'openrouter-keys-mock/fetch'");

const dir = new URL('../.generated/', import.meta.url);
mkdirSync(dir, { recursive: true });
const file = new URL('readme-fetch-example.ts', dir);
writeFileSync(file, example.replace("from 'openrouter-keys-mock/fetch'", "from '../../src/fetch.js'"));
await import(file.href);
