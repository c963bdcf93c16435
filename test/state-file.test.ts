import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { resolveConfig } from '../src/config.js';
import type { StoreState } from '../src/domain/types.js';
import { createHandle } from '../src/control/handle.js';
import { StateFileError, StateSaver } from '../src/state-file.js';
import { api, buildTestApp, DOCS_HASH, MANAGEMENT_KEY } from './helpers/build.js';

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

  it('changes made through the test handle, with no HTTP request after them, are saved too', async () => {
    const path = tempFile();
    const app = buildTestApp({ stateFile: path });
    await app.ready();
    await until(() => existsSync(path));
    const handle = createHandle(app);
    await handle.recordUsage(DOCS_HASH, 12.5);
    await until(() => (JSON.parse(readFileSync(path, 'utf8')) as StoreState).accounts[0]!.keys.some((k) => k.hash === DOCS_HASH && k.usage_daily >= 12.5));
    const created = await handle.createAccount();
    await until(() => readFileSync(path, 'utf8').includes(created.id));
    await app.close();
  });

  it('a save holds the whole state, every account (one without keys too), however many pieces it is written in', async () => {
    const path = tempFile();
    // 3,000 keys make almost 2 MiB: written in more than one piece (of 1 MiB).
    const app = buildTestApp({ stateFile: path, keys: 3000, managementKey: [MANAGEMENT_KEY, 'sk-or-v1-second-account'] });
    await app.ready();
    await app.inject({ method: 'PUT', url: '/__mock/state', payload: { accounts: [app.control.state().accounts[0]!, { ...app.control.state().accounts[1]!, keys: [] }] } });
    const state = app.control.state();
    expect(state.accounts.map((account) => account.keys.length)).toEqual([3000, 0]);
    await app.close();
    const text = readFileSync(path, 'utf8');
    expect(text.length).toBeGreaterThan(2 ** 20);
    expect(JSON.parse(text)).toEqual(state);
  });

  it('saves queue one behind another: the last flush writes the last state, and no temp file stays', async () => {
    const path = tempFile();
    const app = buildTestApp({ keys: 500 });
    const saver = new StateSaver(path, app.mock.store, (err) => {
      throw err;
    });
    const flushes: Promise<void>[] = [];
    for (let i = 0; i < 10; i++) {
      await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: `flush ${i}` });
      flushes.push(saver.flush());
    }
    await Promise.all(flushes);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(app.control.state());
    expect(readdirSync(join(path, '..'))).toEqual(['state.json']);
  });

  it('temp files of saves cut short are never loaded, and the next save removes those of processes that are gone', async () => {
    const path = tempFile();
    const first = buildTestApp({ stateFile: path });
    await api(first, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'Saved whole' });
    await first.close();
    const folder = join(path, '..');
    const gone = spawnSync(process.execPath, ['-e', '']).pid; // exited: its pid runs nothing now
    const left = {
      byGone: `state.json.${gone}.0123456789ab.tmp`,
      // Our own pid on a file this process is not writing: an earlier process had that pid (a
      // server in a container is always PID 1).
      byEarlierSelf: `state.json.${process.pid}.0123456789ab.tmp`,
      byRunning: `state.json.${process.ppid}.0123456789ab.tmp`,
    };
    for (const name of Object.values(left)) writeFileSync(join(folder, name), '{"accounts": [{"id": "half a sa');
    writeFileSync(join(folder, 'state.json.bak'), 'not ours');
    writeFileSync(join(folder, 'other.json.1.0123456789ab.tmp'), 'not ours');

    const second = buildTestApp({ stateFile: path });
    expect(((await api(second, 'GET', `/keys/${DOCS_HASH}`)).json() as { data: { name: string } }).data.name).toBe('Saved whole');
    await api(second, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'Saved again' });
    await second.close();
    expect(readFileSync(path, 'utf8')).toContain('Saved again');
    expect(readdirSync(folder).sort()).toEqual([left.byRunning, 'other.json.1.0123456789ab.tmp', 'state.json', 'state.json.bak'].sort());
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

  it.each([
    ['a type error', (key: Record<string, unknown>) => (key.usage_daily = '12')],
    ['a rule broken', (key: Record<string, unknown>) => (key.usage_daily = (key.usage_weekly as number) + 1)],
  ])('%s in a file reads as PUT /__mock/state words it: the entry by index and name, then the field', async (_what, spoil) => {
    const app = buildTestApp();
    const state = app.control.state();
    spoil(state.accounts[0]!.keys[1] as unknown as Record<string, unknown>);
    const path = tempFile();
    writeFileSync(path, JSON.stringify(state));
    const route = await app.inject({ method: 'PUT', url: '/__mock/state', payload: state });
    expect(route.statusCode).toBe(400);
    const routeMessage = route.json().error.message as string;
    expect(routeMessage).toContain(`accounts[0].keys[1] (${JSON.stringify(state.accounts[0]!.keys[1]!.name)}) field "usage_daily"`);
    expect(() => buildApp(resolveConfig({ logLevel: 'silent', stateFile: path }))).toThrow(routeMessage);
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
