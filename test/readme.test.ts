import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { optionTable } from '../src/command-line.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it.each(optionTable())('documents $flag and $env in the configuration table', ({ flag, env }) => {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${flag}\``));
    expect(row, `no table row for ${flag}`).toBeDefined();
    expect(row).toContain(`\`${env}\``);
  });

  it('shows the set-up and test commands', () => {
    for (const command of ['npm ci', 'npm start', 'npm test']) expect(readme).toContain(command);
  });
});
