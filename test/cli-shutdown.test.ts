import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { optionTable } from '../src/command-line.js';
import { DEFAULT_MANAGEMENT_KEY } from '../src/config.js';
import { DOCS_HASH } from './helpers/build.js';

/**
 * The built CLI as a user runs it (dist/cli.js; test/cli.test.ts builds it when missing): where the
 * banner says it listens, its warning for an open control plane, a secret refused without being
 * printed, and a SIGTERM that answers the requests under way before it saves and exits.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli.js');
const tmp = mkdtempSync(join(tmpdir(), 'orkm-cli-shutdown-'));
const running: ChildProcess[] = [];
afterAll(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env };
  for (const row of optionTable()) delete out[row.env];
  return out;
}

interface Cli {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

function launch(args: string[]): Cli {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => ({ stdout, stderr }), exited };
}

/** The banner, once printed whole (the `try:` line is its last but the warning). */
async function banner(cli: Cli): Promise<string> {
  const started = Date.now();
  while (!/^ {2}try: /m.test(cli.output().stdout)) {
    if (Date.now() - started > 10_000) throw new Error(`no banner: ${JSON.stringify(cli.output())}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 50));
  return cli.output().stdout;
}

const originOf = (text: string) => new URL(/listening on (http:\/\/\S+)/.exec(text)![1]!).origin;

describe('cli: where it listens, and who can reach the control plane', () => {
  it('on 127.0.0.1: says so, no warning', async () => {
    const cli = launch(['--port', '0', '--host', '127.0.0.1', '--log-level', 'silent']);
    const text = await banner(cli);
    expect(text).toMatch(/^ {2}address: +127\.0\.0\.1:\d+ \(this machine only\)$/m);
    expect(text).not.toContain('WARNING');
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('on 0.0.0.0 (as in the container) without --admin-token: says every interface, and warns', async () => {
    const cli = launch(['--port', '0', '--host', '0.0.0.0', '--log-level', 'silent']);
    const text = await banner(cli);
    expect(text).toMatch(/^ {2}address: +0\.0\.0\.0:\d+ \(every IPv4 interface: reachable from other machines\)$/m);
    expect(text).toMatch(/^ {2}WARNING: +the control plane \(\/__mock: every key in plaintext, the whole state\) is open/m);
    expect(text).toContain('set --admin-token');
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('on 0.0.0.0 with --admin-token: no warning', async () => {
    const cli = launch(['--port', '0', '--host', '0.0.0.0', '--log-level', 'silent', '--admin-token', 'a-long-admin-token']);
    const text = await banner(cli);
    expect(text).toContain('(admin token required)');
    expect(text).not.toContain('WARNING');
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('a rejected --admin-token is not printed back', async () => {
    const cli = launch(['--admin-token', 'pass word']);
    expect(await cli.exited).toBe(2);
    const { stderr } = cli.output();
    expect(stderr).toContain('invalid --admin-token');
    expect(stderr).toContain('(got a value of 9 characters, not shown: it is a secret)');
    expect(stderr).not.toContain('pass');
    expect(stderr).not.toContain('word');
  });
});

describe('cli: SIGTERM answers the requests under way, then saves', () => {
  it('a PATCH waiting on --latency gets its 200, and the state file holds it', async () => {
    const stateFile = join(tmp, 'state.json');
    const cli = launch(['--port', '0', '--host', '127.0.0.1', '--log-level', 'silent', '--latency', '400', '--state-file', stateFile]);
    const origin = originOf(await banner(cli));
    const patch = fetch(`${origin}/api/v1/keys/${DOCS_HASH}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${DEFAULT_MANAGEMENT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Saved through SIGTERM' }),
    });
    // The PATCH is in the latency wait (400 ms) when the signal comes.
    await new Promise((r) => setTimeout(r, 150));
    cli.child.kill('SIGTERM');
    const res = await patch;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { name: string } }).data.name).toBe('Saved through SIGTERM');
    expect(await cli.exited).toBe(0);
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as { accounts: { keys: { hash: string; name: string }[] }[] };
    expect(saved.accounts[0]!.keys.find((k) => k.hash === DOCS_HASH)?.name).toBe('Saved through SIGTERM');
  });

  it('an open event stream does not hold the stop: it is ended', async () => {
    const cli = launch(['--port', '0', '--host', '127.0.0.1', '--log-level', 'silent']);
    const origin = originOf(await banner(cli));
    const stream = await fetch(`${origin}/__mock/events`);
    expect(stream.status).toBe(200);
    const body = stream.text().catch(() => 'cut');
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(await body).toContain('event: ready');
  });
});
