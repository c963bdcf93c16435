import { execSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helpText, optionTable } from '../src/command-line.js';
import { DEFAULT_MANAGEMENT_KEY } from '../src/config.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli.js');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const tmp = mkdtempSync(join(tmpdir(), 'orkm-cli-'));

/** The test runner's environment minus anything the mock would read as an option. */
function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const row of optionTable()) delete env[row.env];
  return { ...env, ...extra };
}

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (it must exit on its own within `timeoutMs`). */
function run(args: string[], extraEnv: Record<string, string> = {}, timeoutMs = 10_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: baseEnv(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI did not exit within ${timeoutMs} ms: ${args.join(' ')}\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Starts the CLI and resolves once the banner has printed the API URL. */
function start(args: string[], extraEnv: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string; stdout: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: baseEnv(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no banner within 10 s\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, 10_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, stdout: () => stdout });
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`CLI exited (${code}) before listening\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
}

/** Sends a signal and measures how long the process takes to exit, and with what. */
function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    child.removeAllListeners('exit');
    child.once('exit', (code, sig) => resolve({ code, signal: sig, ms: performance.now() - started }));
    child.kill(signal);
  });
}

const running: ChildProcess[] = [];

beforeAll(() => {
  if (!existsSync(CLI)) execSync('npm run build', { cwd: ROOT, stdio: 'ignore' });
}, 60_000);

afterAll(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

describe('cli --help and --version', () => {
  it('--help exits 0 and lists every option with its flag and environment variable', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(version);
    for (const row of optionTable()) {
      expect(result.stdout).toContain(row.flag);
      expect(result.stdout).toContain(row.env);
    }
    // exactly the text test/configuration-table.test.ts compares with the README's table
    expect(result.stdout).toBe(`${helpText(version)}\n`);
  });

  it('-h is --help, and wins over invalid options given with it', async () => {
    const result = await run(['-h', '--port', 'abc']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    for (const row of optionTable()) expect(result.stdout).toContain(row.flag);
  });

  it('--version prints the package version', async () => {
    const result = await run(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });
});

describe('cli start-up errors: exit 2, one line on stderr naming the option', () => {
  const badFixtures = join(tmp, 'bad-fixtures.json');
  const notJson = join(tmp, 'not-json.json');
  writeFileSync(badFixtures, JSON.stringify([{ name: 'ok' }, { name: 'broken', usage_daily: 5, usage_weekly: 1 }]));
  writeFileSync(notJson, 'this is not json');

  // Independent processes: run side by side to keep the file fast.
  it.concurrent.for<[string, string[], Record<string, string>, (string | RegExp)[]]>([
    ['--port abc', ['--port', 'abc'], {}, ['--port', '"abc"']],
    ['MOCK_KEYS=-1', [], { MOCK_KEYS: '-1' }, ['MOCK_KEYS', '"-1"']],
    ['--now yesterday', ['--now', 'yesterday'], {}, ['--now', '"yesterday"']],
    ['--fixtures /nonexistent', ['--fixtures', '/nonexistent'], {}, ['--fixtures', '/nonexistent']],
    ['--fixtures not JSON', ['--fixtures', notJson], {}, ['--fixtures', notJson, 'not valid JSON']],
    ['--fixtures with a broken entry', ['--fixtures', badFixtures], {}, [badFixtures, 'entry 1', '"usage_daily"']],
    ['MOCK_STRICT=maybe', [], { MOCK_STRICT: 'maybe' }, ['MOCK_STRICT', 'true/false, 1/0, yes/no or on/off', '"maybe"']],
    ['--strict false', ['--strict', 'false'], {}, ['--strict takes no value (got "false"): use --strict=false or --no-strict']],
    ['--cors-origin foo', ['--cors-origin', 'foo'], {}, ['--cors-origin', /^(?:(?!"foo").)*"foo"(?:(?!"foo").)*$/]], // "foo" quoted once
    ['unknown flag', ['--frobnicate'], {}, ['--frobnicate']],
    ['--state-file in a missing folder', ['--state-file', join(tmp, 'missing', 'state.json')], {}, ['--state-file', join(tmp, 'missing', 'state.json'), 'does not exist']],
  ])('%s', async ([, args, env, parts], { expect }) => {
    const result = await run(args, env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(result.stderr.endsWith('\n')).toBe(true);
    expect(lines[0]).toMatch(/^openrouter-keys-mock: /);
    for (const part of parts) {
      if (typeof part === 'string') expect(lines[0]).toContain(part);
      else expect(lines[0]).toMatch(part);
    }
  });

  it('a port already in use: exit 2 naming the port', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const result = await run(['--port', String(port), '--host', '127.0.0.1', '--log-level', 'silent']);
      expect(result.code).toBe(2);
      const lines = result.stderr.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`port ${port}`);
      expect(lines[0]).toContain('--port');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

/** The banner's lines, once it has printed the `try:` line (its last). */
async function bannerOf(server: { stdout: () => string }): Promise<string[]> {
  const started = Date.now();
  while (!/^ {2}try: .*$/m.test(server.stdout())) {
    if (Date.now() - started > 5000) throw new Error(`no complete banner: ${server.stdout()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const lines = server.stdout().split('\n');
  const first = lines.findIndex((l) => l.startsWith('openrouter-keys-mock '));
  const last = lines.findIndex((l) => l.startsWith('  try:'));
  return lines.slice(first, last + 1);
}

describe('cli: the banner', () => {
  it('says where the dataset came from: a new --state-file is made from the scenario, an existing one is read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'banner-state-'));
    const file = join(dir, 'state.json');
    const first = await start(['--port', '0', '--log-level', 'silent', '--state-file', file]);
    running.push(first.child);
    expect((await bannerOf(first)).find((l) => l.startsWith('  dataset:'))).toBe(`  dataset:        1 account(s), 25 key(s), scenario default (new state file ${file}), seed 1`);
    const stopped = await stop(first.child, 'SIGTERM');
    expect({ stopped, saved: existsSync(file) }).toMatchObject({ stopped: { code: 0 }, saved: true });
    const second = await start(['--port', '0', '--log-level', 'silent', '--state-file', file]);
    running.push(second.child);
    expect((await bannerOf(second)).find((l) => l.startsWith('  dataset:'))).toBe(`  dataset:        1 account(s), 25 key(s), scenario from ${file}, seed 1`);
    await stop(second.child, 'SIGTERM');
  });

  it('prints every management key in use in full, and a curl command with the first', async () => {
    const first = `sk-or-v1-${'a1'.repeat(32)}`;
    const second = 'a-second-management-key';
    const server = await start(['--port', '0', '--log-level', 'silent', '--management-key', `${first},${second}`]);
    running.push(server.child);
    const banner = await bannerOf(server);
    expect(banner.find((l) => l.startsWith('  management key:'))).toBe(`  management key: ${first}, ${second}`);
    expect(banner.find((l) => l.startsWith('  try:'))).toBe(`  try:            curl -H "Authorization: Bearer ${first}" ${server.url}/keys`);
    expect(banner.find((l) => l.startsWith('  dataset:'))).toBe('  dataset:        2 account(s), 25 key(s), scenario default, seed 1');
    expect((await fetch(`${server.url}/keys`, { headers: { authorization: `Bearer ${first}` } })).status).toBe(200);
    await stop(server.child, 'SIGTERM');
  });

  it('names the development key as such', async () => {
    const server = await start(['--port', '0', '--log-level', 'silent', '--now', '2026-01-14T12:00:00Z']);
    running.push(server.child);
    const banner = await bannerOf(server);
    expect(banner).toContain(`  management key: ${DEFAULT_MANAGEMENT_KEY} (default development key)`);
    expect(banner.some((l) => /^ {2}clock: +2026-01-14T12:00:0\d\.\d{3}Z$/.test(l))).toBe(true);
    await stop(server.child, 'SIGTERM');
  });
});

describe('cli: logs', () => {
  it('are JSON lines on stdout when it is not a terminal', async () => {
    const server = await start(['--port', '0', '--log-level', 'info']);
    running.push(server.child);
    await bannerOf(server);
    await fetch(`${server.url}/keys`, { headers: { authorization: `Bearer ${DEFAULT_MANAGEMENT_KEY}` } });
    await stop(server.child, 'SIGTERM');
    const banner = await bannerOf(server);
    const logLines = server.stdout().split('\n').filter((l) => l !== '' && !banner.includes(l));
    expect(logLines.length).toBeGreaterThanOrEqual(3); // listening, the request, its answer, shutting down
    for (const line of logLines) expect(JSON.parse(line)).toMatchObject({ level: expect.any(Number), msg: expect.any(String) });
  });

  // util-linux `script` runs the mock on a pseudo-terminal; without it (e.g. macOS) this is skipped.
  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).stdout?.includes('util-linux') ?? false;
  it.skipIf(!hasScript)('are pretty on a terminal (skipped without util-linux script, which provides one)', async () => {
    const command = `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} --port 0 --host 127.0.0.1 --log-level info`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: ROOT, env: baseEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    running.push(child);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    const started = Date.now();
    while (!/Server listening/.test(output)) {
      if (Date.now() - started > 10_000) throw new Error(`no log line on the terminal: ${output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const line = output.split(/\r?\n/).find((l) => l.includes('Server listening'))!;
    // pino-pretty: "[HH:MM:ss.l] INFO: …", coloured; not a JSON object
    expect(line.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: Server listening at http:\/\/127\.0\.0\.1:\d+$/);
    await stop(child, 'SIGTERM');
  });
});

describe('cli: a real server', () => {
  it('starts on --port 0, answers GET /api/v1/keys with the default management key, and exits 0 on SIGTERM', async () => {
    const server = await start(['--port', '0', '--host', '127.0.0.1', '--now', '2026-01-14T12:00:00Z']);
    running.push(server.child);
    const url = new URL(server.url);
    expect(url.pathname).toBe('/api/v1');
    expect(url.hostname).toBe('127.0.0.1');
    const port = Number(url.port);
    expect(port).toBeGreaterThan(0); // the real port, not 0
    expect(server.stdout()).toContain(DEFAULT_MANAGEMENT_KEY);

    const response = await fetch(`${server.url}/keys`, { headers: { authorization: `Bearer ${DEFAULT_MANAGEMENT_KEY}` } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { hash: string; disabled: boolean; created_at: string }[] };
    expect(Array.isArray(body.data)).toBe(true);
    expect(body.data.length).toBeGreaterThan(0);
    expect(body.data.every((k) => /^[0-9a-f]{64}$/.test(k.hash) && k.disabled === false)).toBe(true);
    expect(body.data.every((k) => Date.parse(k.created_at) <= Date.parse('2026-01-14T12:00:00Z') + 60_000)).toBe(true);

    const unauthorised = await fetch(`${server.url}/keys`);
    expect(unauthorised.status).toBe(401);

    const exit = await stop(server.child, 'SIGTERM');
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(1500);
    await expect(fetch(`${server.url}/keys`, { headers: { authorization: `Bearer ${DEFAULT_MANAGEMENT_KEY}` } })).rejects.toThrow();
  });

  it('reads its options from the environment and exits 0 on SIGINT too', async () => {
    const otherKey = `sk-or-v1-${'5'.repeat(64)}`;
    const server = await start([], { PORT: '0', HOST: '127.0.0.1', MOCK_MANAGEMENT_KEY: otherKey, MOCK_LOG_LEVEL: 'silent', MOCK_KEYS: '7' });
    running.push(server.child);
    expect(server.stdout()).toMatch(/7 key\(s\)/);
    const ok = await fetch(`${server.url}/keys?include_disabled=true`, { headers: { authorization: `Bearer ${otherKey}` } });
    expect(ok.status).toBe(200);
    const defaultKey = await fetch(`${server.url}/keys`, { headers: { authorization: `Bearer ${DEFAULT_MANAGEMENT_KEY}` } });
    expect(defaultKey.status).toBe(401);
    const exit = await stop(server.child, 'SIGINT');
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(1500);
  });
});
