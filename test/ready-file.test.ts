/**
 * `--ready-file`: the signal a harness in another language waits for. Real processes of the built
 * command (dist/cli.js), as a pytest fixture or a Go TestMain starts them.
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionTable } from '../src/command-line.js';
import { DEFAULT_MANAGEMENT_KEY } from '../src/config.js';
import type { ReadySignal } from '../src/ready-file.js';
import { readmeExamples } from './helpers/readme.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli.js');
const tmp = mkdtempSync(join(tmpdir(), 'orkm-ready-'));
const running: ChildProcess[] = [];

/** The test runner's environment minus anything the mock would read as an option. */
function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const row of optionTable()) delete env[row.env];
  return { ...env, MOCK_LOG_LEVEL: 'silent', ...extra };
}

function spawnMock(args: string[], extraEnv: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: baseEnv(extraEnv), stdio: 'ignore' });
  running.push(child);
  return child;
}

interface Sighting {
  signal: ReadySignal;
  /** The health check sent the moment the file was first seen: what a harness would do next. */
  healthStatus: number;
  /** Every read of the file while waiting parsed as a whole JSON object. */
  reads: number;
}

/**
 * Polls for the ready file of process `child` (a file with another pid is a stale one, and is
 * waited past), and at first sight calls the mock, as a harness does.
 */
async function waitForReady(path: string, child: ChildProcess, timeoutMs = 15_000): Promise<Sighting> {
  const deadline = Date.now() + timeoutMs;
  let reads = 0;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the mock exited (${child.exitCode}) before its ready file appeared`);
    if (existsSync(path)) {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        continue; // removed between the two calls (a stale file at its owner's exit)
      }
      reads++;
      const signal = JSON.parse(text) as ReadySignal; // throws on half a file
      if (signal.pid === child.pid) {
        const health = await fetch(`${signal.origin}/__mock/health`);
        return { signal, healthStatus: health.status, reads };
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`no ready file for pid ${child.pid} at ${path} within ${timeoutMs} ms`);
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve({ code: child.exitCode, signal: child.signalCode });
    child.once('exit', (code, sig) => resolve({ code, signal: sig }));
    child.kill(signal);
  });
}

beforeAll(() => {
  if (!existsSync(CLI)) execSync('npm run build', { cwd: ROOT, stdio: 'ignore' });
}, 60_000);

afterAll(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

describe('--ready-file', () => {
  it('--port 0: a free port, the URL, origin, keys and pid; the file appears only once the mock answers', async () => {
    const path = join(tmp, 'first.json');
    const child = spawnMock(['--port', '0', '--ready-file', path]);
    const { signal, healthStatus, reads } = await waitForReady(path, child);
    expect(healthStatus).toBe(200);
    expect(reads).toBe(1); // never seen before it was whole and the mock's own
    expect(signal).toEqual({
      url: `${signal.origin}/api/v1`,
      origin: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      managementKeys: [DEFAULT_MANAGEMENT_KEY],
      pid: child.pid,
      version: expect.any(String),
      control: true,
    });
    const port = Number(new URL(signal.origin).port);
    expect(port).toBeGreaterThan(0);
    expect(port).not.toBe(8080);
    // The URL is the API's: the SDKs' server URL, opened by the key the file names.
    const keys = await fetch(`${signal.url}/keys`, { headers: { Authorization: `Bearer ${signal.managementKeys[0]}` } });
    expect(keys.status).toBe(200);
    expect(((await keys.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
    // Written under a temporary name and renamed: nothing else is left beside it; readable by its owner only.
    expect(readdirSync(tmp).filter((name) => name.startsWith('first.json'))).toEqual(['first.json']);
    expect(statSync(path).mode & 0o777).toBe(0o600);

    expect(await stop(child, 'SIGTERM')).toEqual({ code: 0, signal: null });
    expect(existsSync(path)).toBe(false);
  });

  it('MOCK_READY_FILE is the same option, with the configured management keys', async () => {
    const path = join(tmp, 'from-env.json');
    const keys = ['sk-or-v1-ready-file-first', 'sk-or-v1-ready-file-second'];
    const child = spawnMock([], { PORT: '0', MOCK_READY_FILE: path, MOCK_MANAGEMENT_KEY: keys.join(','), MOCK_CONTROL: 'false' });
    const { signal, healthStatus } = await waitForReady(path, child);
    expect(healthStatus).toBe(200);
    expect(signal.managementKeys).toEqual(keys);
    expect(signal.control).toBe(false);
    await stop(child, 'SIGINT');
    expect(existsSync(path)).toBe(false);
  });

  it('a restart writes it anew: after SIGTERM (file removed) and after SIGKILL (a stale file replaced)', async () => {
    const path = join(tmp, 'restart.json');
    const first = spawnMock(['--port', '0', '--ready-file', path]);
    const one = await waitForReady(path, first);
    await stop(first, 'SIGTERM');
    expect(existsSync(path)).toBe(false);

    const second = spawnMock(['--port', '0', '--ready-file', path]);
    const two = await waitForReady(path, second);
    expect(two.healthStatus).toBe(200);
    expect(two.signal.pid).not.toBe(one.signal.pid);

    // Killed outright, a mock cannot remove its file: the next one replaces it with its own.
    await stop(second, 'SIGKILL');
    expect((JSON.parse(readFileSync(path, 'utf8')) as ReadySignal).pid).toBe(second.pid);
    const third = spawnMock(['--port', '0', '--ready-file', path]);
    const three = await waitForReady(path, third);
    expect(three.healthStatus).toBe(200);
    expect(three.signal.pid).toBe(third.pid);
    await stop(third, 'SIGTERM');
    expect(existsSync(path)).toBe(false);
  });
});

describe('README, "From other languages": the harnesses shown are the ones the contract suites run', () => {
  it.each([
    ['python', 'contract/python/conftest.py'],
    ['go', 'contract/go/main_test.go'],
  ])('its %s block is %s, byte for byte', (language, file) => {
    expect(readmeExamples('### From other languages', language)).toEqual([readFileSync(join(ROOT, file), 'utf8')]);
  });
});
