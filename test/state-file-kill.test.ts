import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { buildApp } from '../src/app.js';
import { optionTable } from '../src/command-line.js';
import { resolveConfig } from '../src/config.js';
import type { StoreState } from '../src/domain/types.js';
import { SAVE_DEBOUNCE_MS } from '../src/state-file.js';

/**
 * `--state-file` when the process dies without warning. The built CLI runs under a stream of
 * PATCHes from several clients and is killed with SIGKILL (no shutdown hook runs), sometimes at a
 * random moment, sometimes while a save is being written; then it is started again on the same
 * file. Each client PATCHes its own keys one request at a time with numbered names, so any state
 * tells how far each client's stream got, and whether it is one moment's snapshot.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli.js');
const KEYS = 5000; // a save then takes real time (megabytes), so kills can land inside one
const CLIENTS = 4;
const KEYS_PER_CLIENT = 3;
/**
 * What a watcher outside the server cannot see of a save (the snapshot taken before the temp file
 * appears, a timer or an event delivered late on a busy machine), added to the loss bound.
 */
const SLACK_MS = 500;

/** The test runner's environment minus anything the mock would read as an option. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const row of optionTable()) delete env[row.env];
  return env;
}

interface Server {
  child: ChildProcess;
  pid: number;
  url: string;
  origin: string;
  headers: Record<string, string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the CLI on `path`; rejects (with its stderr) if it exits before listening. */
function start(path: string, ...options: string[]): Promise<Server> {
  const args = ['--port', '0', '--host', '127.0.0.1', '--state-file', path, '--log-level', 'warn', ...options];
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no banner within 30 s\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, 30_000);
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      const key = /management key: (\S+)/.exec(stdout)?.[1];
      if (url && key) {
        clearTimeout(timer);
        const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
        resolve({ child, pid: child.pid!, url, origin: new URL(url).origin, headers, exited });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the CLI refused to start (exit ${code ?? signal})\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
}

/** Every key's name by hash, from a state document. */
function namesOf(state: StoreState): Map<string, string> {
  return new Map(state.accounts.flatMap((account) => account.keys.map((key) => [key.hash, key.name] as const)));
}

/** The names the server answers for these keys (what it loaded: only these keys ever change). */
async function namesServed(server: Server, hashes: string[]): Promise<string[]> {
  return Promise.all(
    hashes.map(async (hash) => ((await (await fetch(`${server.url}/keys/${hash}`, { headers: server.headers })).json()) as { data: { name: string } }).data.name),
  );
}

const nameFor = (cycle: number, client: number, seq: number) => `kill-${cycle}.${client}.${seq}`;
const keyOf = (owned: string[], seq: number) => owned[seq % KEYS_PER_CLIENT]!;

/**
 * How far `client`'s stream of `cycle` got in `names` (the last request number present, -1 for
 * none), after checking that its keys show one moment of it: each key holds the last name sent to
 * it up to that request, or its name from before the cycle.
 */
function progress(names: Map<string, string>, before: Map<string, string>, owned: string[], cycle: number, client: number): number {
  const pattern = new RegExp(`^kill-${cycle}\\.${client}\\.(\\d+)$`);
  const last = Math.max(-1, ...owned.map((hash) => Number(pattern.exec(names.get(hash) ?? '')?.[1] ?? -1)));
  const expected = owned.map((hash, slot) => {
    let seq = last;
    while (seq >= 0 && seq % KEYS_PER_CLIENT !== slot) seq--;
    return seq >= 0 ? nameFor(cycle, client, seq) : before.get(hash);
  });
  expect(
    owned.map((hash) => names.get(hash)),
    `client ${client}'s keys are one moment of its stream`,
  ).toEqual(expected);
  return last;
}

interface Client {
  owned: string[];
  /** When each request was acknowledged (a 200 received), by request number. */
  ackedAt: number[];
}

/** One client's stream: PATCH its keys in turn, one request at a time, until the server is gone. */
async function stream(server: Server, client: Client, index: number, cycle: number, gone: () => boolean): Promise<void> {
  for (let seq = 0; ; seq++) {
    let status = 0;
    let body = '';
    try {
      const res = await fetch(`${server.url}/keys/${keyOf(client.owned, seq)}`, {
        method: 'PATCH',
        headers: server.headers,
        body: JSON.stringify({ name: nameFor(cycle, index, seq) }),
      });
      status = res.status;
      body = await res.text();
    } catch (error) {
      if (gone()) return;
      throw error;
    }
    if (status !== 200) throw new Error(`PATCH answered ${status}: ${body}`);
    client.ackedAt.push(performance.now());
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, condition: () => boolean, ms = 10_000): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Whether the file system records when a file was created (statx), so that a save can be timed. */
async function recordsBirthTimes(dir: string): Promise<boolean> {
  const probe = join(dir, 'birth-time-probe');
  writeFileSync(probe, '');
  await sleep(50);
  renameSync(probe, `${probe}.moved`);
  const stat = statSync(`${probe}.moved`);
  rmSync(`${probe}.moved`);
  return stat.birthtimeMs > 0 && stat.ctimeMs - stat.birthtimeMs >= 40;
}

describe('--state-file under SIGKILL', () => {
  it('every restart loads the last whole save; what was acknowledged long enough before the kill is in it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orkm-kill-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'state.json');
    const tempsOf = (pid: number) => readdirSync(dir).filter((name) => name.startsWith(`state.json.${pid}.`) && name.endsWith('.tmp'));

    // The dataset, generated here (one start of the CLI less), is the file the first start loads;
    // each client gets three enabled keys of its own.
    const generated = buildApp(resolveConfig({ logLevel: 'silent', keys: KEYS, seed: 11 }));
    const initial = generated.control.state();
    await generated.close();
    writeFileSync(path, JSON.stringify(initial));
    const hashes = initial.accounts[0]!.keys.filter((key) => !key.disabled).slice(0, CLIENTS * KEYS_PER_CLIENT).map((key) => key.hash);
    expect(hashes).toHaveLength(CLIENTS * KEYS_PER_CLIENT);
    let onDisk = namesOf(initial);
    const untouched = [...onDisk].filter(([hash]) => !hashes.includes(hash));
    let server: Server | undefined;

    // The watcher sees the saves: each renames a new file onto the path. The kernel's timestamps
    // say how long each took (the temp file's birth to its rename); every version of the file the
    // watcher reads is checked too.
    let saves = { inodes: new Set<number>(), durations: [] as number[], reads: [] as Promise<Map<string, string>>[] };
    const birthTimes = await recordsBirthTimes(dir);
    const watcher = watch(dir, (_event, name) => {
      if (name !== 'state.json') return;
      const stat = statSync(path); // always there: a save replaces it in one rename
      if (!saves.inodes.has(stat.ino)) saves.durations.push(stat.ctimeMs - stat.birthtimeMs);
      saves.inodes.add(stat.ino);
      const read = readFile(path, 'utf8').then((text) => namesOf(JSON.parse(text) as StoreState));
      read.catch(() => undefined); // awaited with the others after the kill
      saves.reads.push(read);
    });

    const report: string[] = [];
    let midSave = 0;
    try {
      for (let cycle = 0; cycle < 5; cycle++) {
        // Even cycles kill at a random moment of the stream's first 100-600 ms (inside a save or
        // not); odd ones let it run 1.5-3 s, long enough for the loss bound to cover its first
        // requests, then wait for a save to be under way and kill inside it.
        const targeted = cycle % 2 === 1;
        const streamMs = targeted ? 1500 + Math.random() * 1500 : 100 + Math.random() * 500;
        saves = { inodes: new Set([statSync(path).ino]), durations: [], reads: [] };
        const live = await start(path);
        server = live;
        const before = onDisk;

        // It loaded the file as it was on disk after the last kill, not a temp file left beside it.
        expect(await namesServed(live, hashes), `cycle ${cycle}: the restart loaded the file on disk`).toEqual(hashes.map((hash) => onDisk.get(hash)));

        const clients: Client[] = Array.from({ length: CLIENTS }, (_, c) => ({ owned: hashes.slice(c * KEYS_PER_CLIENT, (c + 1) * KEYS_PER_CLIENT), ackedAt: [] }));
        let killed = false;
        const streams = Promise.all(clients.map((client, c) => stream(live, client, c, cycle, () => killed)));
        streams.catch(() => undefined);
        await Promise.race([sleep(streamMs), streams]);
        if (targeted) await Promise.race([until('a save under way', () => tempsOf(live.pid).length > 0, 5000), streams]);
        const killedAt = performance.now();
        const killedAtWall = Date.now();
        killed = true;
        live.child.kill('SIGKILL');
        expect((await live.exited).signal).toBe('SIGKILL');
        await streams;

        const cutShort = tempsOf(live.pid);
        if (cutShort.length > 0) midSave++;
        const underWay = cutShort.map((temp) => killedAtWall - statSync(join(dir, temp)).birthtimeMs);
        // Without birth times a save's length is unknown, and so is the bound: nothing is due.
        const longestSave = birthTimes ? Math.max(0, ...saves.durations, ...underWay) : Infinity;
        // A change acknowledged at t is on disk by t + max(debounce, the rest of a save under way)
        // + one save: so at most the debounce and two saves' time is lost.
        const bound = SAVE_DEBOUNCE_MS + 2 * longestSave + SLACK_MS;

        // Whatever the kill interrupted, the file on disk is whole, and a moment of the streams.
        onDisk = namesOf(JSON.parse(readFileSync(path, 'utf8')) as StoreState);
        expect(untouched.filter(([hash, name]) => onDisk.get(hash) !== name)).toEqual([]);
        const seen = await Promise.all(saves.reads);
        const lines: string[] = [];
        clients.forEach((client, c) => {
          const last = progress(onDisk, before, client.owned, cycle, c);
          // Nothing that was not sent: at most the request in flight beyond the acknowledged ones.
          expect(last).toBeLessThanOrEqual(client.ackedAt.length);
          // Never older than a version of the file seen before.
          for (const names of seen) expect(last).toBeGreaterThanOrEqual(progress(names, before, client.owned, cycle, c));
          // Everything acknowledged more than the bound before the kill.
          const due = client.ackedAt.filter((at) => at < killedAt - bound).length;
          expect(last, `client ${c}: acknowledged more than ${Math.round(bound)} ms before the kill`).toBeGreaterThanOrEqual(due - 1);
          lines.push(`${last + 1}/${client.ackedAt.length} saved (${due} due)`);
        });
        report.push(
          `cycle ${cycle}: killed after ${Math.round(streamMs)} ms${targeted ? ' + waiting for a save' : ''}, ${cutShort.length > 0 ? 'mid-save' : 'between saves'}; ` +
            `saves ${saves.durations.map(Math.round).join('/')} ms; ${lines.join(', ')}`,
        );
        if (targeted) expect(cutShort, `cycle ${cycle}: the kill landed while a save was being written`).toHaveLength(1);
      }

      // A last start loads the last file too, and its first save removes what killed saves left.
      const inode = statSync(path).ino;
      const last = await start(path);
      server = last;
      expect(await namesServed(last, hashes)).toEqual(hashes.map((hash) => onDisk.get(hash)));
      await until('the first save after the restart', () => statSync(path).ino !== inode);
      expect(readdirSync(dir)).toEqual(['state.json']);
      last.child.kill('SIGTERM');
      expect((await last.exited).code).toBe(0);
    } finally {
      watcher.close();
      server?.child.kill('SIGKILL');
      console.info(`--state-file under SIGKILL: ${midSave} of 5 kills landed mid-save\n  ${report.join('\n  ')}`);
    }
  }, 120_000);

  it('SIGTERM under the same stream loses nothing acknowledged: the shutdown saves last', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orkm-term-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'state.json');
    const server = await start(path, '--keys', '25');
    onTestFinished(() => void server.child.kill('SIGKILL'));
    await until('the first save', () => existsSync(path));
    const before = namesOf(JSON.parse(readFileSync(path, 'utf8')) as StoreState);
    const hashes = [...before.keys()].slice(0, CLIENTS * KEYS_PER_CLIENT);
    const clients: Client[] = Array.from({ length: CLIENTS }, (_, c) => ({ owned: hashes.slice(c * KEYS_PER_CLIENT, (c + 1) * KEYS_PER_CLIENT), ackedAt: [] }));
    let stopping = false;
    const streams = Promise.all(clients.map((client, c) => stream(server, client, c, 0, () => stopping).catch((error: unknown) => {
      // Requests that arrive while it closes are refused with a 503: not acknowledged.
      if (!(stopping && String(error).includes('PATCH answered 503'))) throw error;
    })));
    await sleep(300 + Math.random() * 300);
    stopping = true;
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    await streams;
    const saved = namesOf(JSON.parse(readFileSync(path, 'utf8')) as StoreState);
    clients.forEach((client, c) => {
      expect(client.ackedAt.length).toBeGreaterThan(0);
      const last = progress(saved, before, client.owned, 0, c);
      expect(last).toBeGreaterThanOrEqual(client.ackedAt.length - 1);
      expect(last).toBeLessThanOrEqual(client.ackedAt.length);
    });
    expect(readdirSync(dir)).toEqual(['state.json']);
  }, 60_000);
});
