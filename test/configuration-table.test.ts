import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { helpText, optionTable } from '../src/command-line.js';
import { fileScenarios } from '../src/fixture-files.js';

/**
 * `openrouter-keys-mock --help` and the README's configuration table must say the same things in
 * the same order: which flags, which variable, which default, what it means. Both are parsed into
 * rows and compared, so neither can change alone.
 */
interface Row {
  flags: string[];
  env: string;
  default: string;
  meaning: string;
}

const NONE = '—';
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** Markdown to the plain text --help prints: links become their text, code loses its backticks. */
const plain = (cell: string): string =>
  cell
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .replace(/\\\|/g, '|')
    .replace(/\s+/g, ' ')
    .trim();

function readmeRows(): Row[] {
  const start = readme.indexOf('\n## Configuration\n');
  const end = readme.indexOf('\n## ', start + 1);
  expect(start, 'README has a "## Configuration" section').toBeGreaterThan(-1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const lines = section.split('\n').filter((line) => line.startsWith('| `-'));
  return lines.map((line) => {
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map(plain);
    expect(cells, line).toHaveLength(4);
    const [flags, env, defaultText, meaning] = cells as [string, string, string, string];
    return { flags: flags.split(', '), env, default: defaultText, meaning };
  });
}

function helpRows(text: string): Row[] {
  const rows: Row[] = [];
  const indent = /^ {33}(\S.*)$/;
  for (const line of text.split('\n')) {
    if (/^ {2}-/.test(line)) {
      const flags = line
        .slice(2, 32)
        .trim()
        .split(', ')
        .map((flag) => flag.split(' ')[0]!); // without the value placeholder (--port N)
      rows.push({ flags, env: NONE, default: NONE, meaning: line.slice(33).trim() });
      continue;
    }
    const more = indent.exec(line);
    const row = rows.at(-1);
    if (!more || !row) continue;
    const env = /^env (\S+); default: (.+)$/.exec(more[1]!);
    if (env) {
      row.env = env[1]!;
      row.default = env[2]!;
    } else row.meaning = `${row.meaning} ${more[1]!}`;
  }
  return rows;
}

describe('--help and the README configuration table', () => {
  const fromHelp = helpRows(helpText('0.0.0'));
  const fromReadme = readmeRows();

  it('both list every option, then --help and --version', () => {
    const expected = [
      ...optionTable().map((row) => row.flag),
      '--help',
      '--version',
    ];
    expect(fromHelp.map((row) => row.flags[0])).toEqual(expected);
    expect(fromReadme.map((row) => row.flags[0])).toEqual(expected);
  });

  it('say the same things in the same order: flags, variable, default, meaning', () => {
    expect(fromReadme).toEqual(fromHelp);
  });

  it('the parsers read what they should (a row from each, spelled out)', () => {
    const strict: Row = {
      flags: ['--strict', '--no-strict'],
      env: 'MOCK_STRICT',
      default: 'false',
      meaning: 'Reject unknown body fields with 400 instead of ignoring them like the real API',
    };
    expect(fromHelp.find((row) => row.flags[0] === '--strict')).toEqual(strict);
    expect(fromReadme.find((row) => row.flags[0] === '--strict')).toEqual(strict);
    expect(fromReadme.at(-1)).toEqual({ flags: ['--version', '-v'], env: NONE, default: NONE, meaning: 'Print the version and exit' });
  });

  it('the --scenario row names every bundled scenario', () => {
    const row = fromHelp.find((r) => r.flags[0] === '--scenario')!;
    const listed = row.meaning.slice(row.meaning.indexOf(':') + 1).split(',').map((name) => name.trim());
    expect([...listed].sort()).toEqual(fileScenarios.names());
  });
});
