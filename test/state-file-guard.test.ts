import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { buildApp } from '../src/app.js';
import { resolveConfig } from '../src/config.js';
import { createMockRuntime } from '../src/runtime.js';
import { api, buildTestApp, DOCS_HASH, TEST_NOW } from './helpers/build.js';

/**
 * `--state-file` holds plaintext management keys, and it may be edited by hand or by another
 * tool while the mock runs: a save keeps the file's mode (0600 for a new file) and never writes
 * over a version of the file the mock did not read or write itself.
 */

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'orkm-state-')), 'state.json');
const until = async (condition: () => boolean, ms = 3000) => {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};
const modeOf = (path: string) => statSync(path).mode & 0o777;
const nameOf = (path: string) => (JSON.parse(readFileSync(path, 'utf8')) as { accounts: { keys: { hash: string; name: string }[] }[] }).accounts[0]!.keys.find((k) => k.hash === DOCS_HASH)!.name;

/** The usual umask, whatever the machine's: a save must not take the mode from it. */
function withUmask(mask: number): void {
  const before = process.umask(mask);
  onTestFinished(() => void process.umask(before));
}

/** An app on `path` whose log lines (JSON) the test reads. */
function appWithLog(path: string) {
  const lines: Record<string, unknown>[] = [];
  const config = resolveConfig({ logLevel: 'info', now: TEST_NOW, stateFile: path });
  const app = buildApp(config, createMockRuntime(config, () => 0), { logStream: { write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  onTestFinished(() => app.close());
  const errors = () => lines.filter((line) => line.level === 50).map((line) => JSON.stringify(line));
  return { app, errors };
}

/** A file that is a valid state, as another tool would write it: the mock's own save with the docs key renamed. */
function editedBy(path: string, name: string): string {
  const text = readFileSync(path, 'utf8');
  const state = JSON.parse(text) as { accounts: { keys: { hash: string; name: string }[] }[] };
  state.accounts[0]!.keys.find((k) => k.hash === DOCS_HASH)!.name = name;
  return JSON.stringify(state);
}

describe('--state-file: who may read it, and who else writes it', () => {
  it('a new file is 0600: only its owner may read the management keys in it', async () => {
    withUmask(0o022);
    const path = tempFile();
    const app = buildTestApp({ stateFile: path });
    await app.ready();
    await until(() => existsSync(path));
    expect(modeOf(path).toString(8)).toBe('600');
    await app.close();
    expect(modeOf(path).toString(8)).toBe('600');
  });

  it.each(['640', '660'])('a file of mode %s keeps it through saves (a 0022 umask neither widens nor narrows it)', async (octal) => {
    const mode = Number.parseInt(octal, 8);
    withUmask(0o022);
    const path = tempFile();
    await buildTestApp({ stateFile: path }).close();
    chmodSync(path, mode);
    const app = buildTestApp({ stateFile: path });
    await app.ready();
    await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'Saved with its mode' });
    await until(() => nameOf(path) === 'Saved with its mode');
    expect(modeOf(path)).toBe(mode);
    await app.close();
    expect(modeOf(path)).toBe(mode);
  });

  it.each([
    ['edits it in place', (path: string, text: string) => writeFileSync(path, text)],
    [
      'replaces it (a new file renamed over it)',
      (path: string, text: string) => {
        writeFileSync(`${path}.editor`, text);
        renameSync(`${path}.editor`, path);
      },
    ],
  ])('another process that %s while the mock runs is not overwritten; one error names the file and the way out', async (_how, write) => {
    const path = tempFile();
    const { app, errors } = appWithLog(path);
    await app.ready();
    await until(() => existsSync(path));
    const theirs = editedBy(path, 'Written by another tool');
    write(path, theirs);
    await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'Changed in the mock' });
    await until(() => errors().length > 0);
    await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'Changed in the mock again' });
    await app.close();
    expect(readFileSync(path, 'utf8')).toBe(theirs);
    const [error, ...more] = errors();
    expect(more).toEqual([]);
    expect(error).toContain(JSON.stringify(path).slice(1, -1));
    expect(error).toContain('changed by another process');
    expect(error).toMatch(/restart the mock.*delete the file/);
  });

  it('once the changed file is deleted, the mock saves again', async () => {
    const path = tempFile();
    const { app, errors } = appWithLog(path);
    await app.ready();
    await until(() => existsSync(path));
    writeFileSync(path, editedBy(path, 'Written by another tool'));
    await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'Refused' });
    await until(() => errors().length > 0);
    rmSync(path);
    await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'Saved after the delete' });
    await until(() => existsSync(path) && nameOf(path) === 'Saved after the delete');
    // And it is the mock's file again: the next change is saved over it.
    await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'Saved over its own save' });
    await app.close();
    expect(nameOf(path)).toBe('Saved over its own save');
    expect(errors()).toHaveLength(1);
  });

  it('a file replaced between start-up (when it was read) and the first save is not overwritten', async () => {
    const path = tempFile();
    await buildTestApp({ stateFile: path }).close();
    const config = resolveConfig({ logLevel: 'silent', now: TEST_NOW, stateFile: path });
    const runtime = createMockRuntime(config, () => 0);
    const theirs = editedBy(path, 'Written after the mock read it');
    writeFileSync(path, theirs);
    const app = buildApp(config, runtime);
    await app.ready();
    await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'Changed in the mock' });
    await app.close();
    expect(readFileSync(path, 'utf8')).toBe(theirs);
  });
});
