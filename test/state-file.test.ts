import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { resolveConfig } from '../src/config.js';
import type { StoreState } from '../src/domain/types.js';
import { StateFileError } from '../src/state-file.js';
import { api, buildTestApp, DOCS_HASH } from './helpers/build.js';

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'orkm-state-')), 'state.json');
const until = async (condition: () => boolean, ms = 3000) => {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('--state-file', () => {
  it('saves after changes (debounced) and at shutdown, and the next start loads it', async () => {
    const path = tempFile();
    const first = buildTestApp({ stateFile: path });
    await first.ready();
    await until(() => existsSync(path));
    expect((await api(first, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'Survives restarts' })).statusCode).toBe(200);
    await until(() => readFileSync(path, 'utf8').includes('Survives restarts'));
    const created = (await api(first, 'POST', '/keys', { name: 'Created before restart' })).json() as { data: { hash: string } };
    await first.close();
    const saved = JSON.parse(readFileSync(path, 'utf8')) as StoreState;
    expect(saved.accounts[0]!.keys.some((k) => k.hash === created.data.hash)).toBe(true);
    expect(readdirSync(join(path, '..'))).toEqual(['state.json']);

    const second = buildTestApp({ stateFile: path, seed: 999 });
    expect(((await api(second, 'GET', `/keys/${DOCS_HASH}`)).json() as { data: { name: string } }).data.name).toBe('Survives restarts');
    expect((await api(second, 'GET', `/keys/${created.data.hash}`)).statusCode).toBe(200);
    // What was loaded is the start-up state: reset goes back to it, not to a generated dataset.
    await api(second, 'DELETE', `/keys/${created.data.hash}`);
    await second.inject({ method: 'POST', url: '/__mock/reset' });
    expect((await api(second, 'GET', `/keys/${created.data.hash}`)).statusCode).toBe(200);
  });

  it.each([
    ['not JSON', '{"accounts": [', /not valid JSON/],
    ['the wrong shape', '{"accounts": [{"id": 5}]}', /accounts/],
    ['a rule broken', 'RULE', /usage_daily/],
  ])('a file that is %s stops start-up with a clear message and is never overwritten', async (_what, content, message) => {
    const path = tempFile();
    let text = content;
    if (content === 'RULE') {
      const state = buildTestApp().control.state();
      state.accounts[0]!.keys[0]!.usage_daily = state.accounts[0]!.keys[0]!.usage_weekly + 1;
      text = JSON.stringify(state);
    }
    writeFileSync(path, text);
    let thrown: unknown;
    try {
      buildApp(resolveConfig({ logLevel: 'silent', stateFile: path }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StateFileError);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).toContain(path);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('the CLI exits with code 2 and one line for a corrupt file', () => {
    const path = tempFile();
    writeFileSync(path, 'garbage');
    const run = spawnSync(process.execPath, ['dist/cli.js', '--port', '0', '--state-file', path], { encoding: 'utf8', timeout: 10_000 });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('--state-file');
    expect(readFileSync(path, 'utf8')).toBe('garbage');
  });
});
