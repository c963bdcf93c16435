/**
 * The server processes the bench scripts measure (`bench/run.ts`, `bench/mixed.ts`,
 * `bench/soak.ts`): spawning built JS (dist/cli.js, the compiled ceiling) on a free 127.0.0.1 port,
 * plain HTTP requests to them, and what /proc says about them (CPU time, resident memory). Every
 * process started here is killed when the runner exits or is interrupted.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { DEFAULT_MANAGEMENT_KEY } from '../src/config.js';
import { CEILING, CLI, DOCS_HASH, freePort, PATCH_BODY, PROJECT_ARGS, ROOT } from './shared.js';

/** The documented development management key: what the servers use without configuration. */
export const MANAGEMENT_KEY = DEFAULT_MANAGEMENT_KEY;
export const HEADERS = { authorization: `Bearer ${MANAGEMENT_KEY}`, 'content-type': 'application/json' };
export const AUTH_ONLY = { authorization: `Bearer ${MANAGEMENT_KEY}` };

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Reply {
  status: number;
  body: string;
}

/** One HTTP request on a fresh connection (no keep-alive: nothing is left open). */
export function request(
  port: number,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path, headers: options.headers, agent: false, timeout: options.timeoutMs ?? 5000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(options.body);
  });
}

// ---- processes ----------------------------------------------------------------------------

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const child of children) child.kill('SIGKILL');
    process.exit(130);
  });
}

/** The servers run with their defaults: no MOCK_* / PORT / HOST from the caller's environment. */
const serverEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(MOCK_|PORT$|HOST$|NODE_OPTIONS$)/.test(name)),
) as NodeJS.ProcessEnv;

export interface Server {
  name: string;
  child: ChildProcess;
  pid: number;
  port: number;
  origin: string;
  /** From spawn to the first 200 answer of the probe request, in ms. */
  startupMs: number;
  stdout: () => string;
}

/**
 * Spawns `node <script> <args> --port P` and polls it every 5 ms with the probe request (the same
 * for the project and the ceiling: PATCH the docs key with `{}`) until the first 200. The time is
 * from just before spawn to that answer.
 */
export async function startServer(name: string, script: string, args: string[], timeoutMs = 120_000): Promise<Server> {
  const port = await freePort();
  let stdout = '';
  let stderr = '';
  const t0 = performance.now();
  const child = spawn(process.execPath, [script, ...args, '--port', String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: serverEnv,
  });
  children.add(child);
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  for (;;) {
    const attempt = performance.now();
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before answering: ${stderr.trim() || stdout.trim()}`);
    }
    const reply = await request(port, 'PATCH', `/api/v1/keys/${DOCS_HASH}`, { headers: HEADERS, body: '{}', timeoutMs: 30_000 }).catch(
      () => undefined,
    );
    if (reply?.status === 200) {
      const startupMs = performance.now() - t0;
      return { name, child, pid: child.pid!, port, origin: `http://127.0.0.1:${port}`, startupMs, stdout: () => stdout };
    }
    if (reply) throw new Error(`${name} answered the probe with ${reply.status}: ${reply.body.slice(0, 200)}`);
    if (performance.now() - t0 > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not answer within ${timeoutMs} ms`);
    }
    await sleep(Math.max(0, 5 - (performance.now() - attempt)));
  }
}

export async function stopServer(server: Server): Promise<void> {
  const { child } = server;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
  children.delete(child);
}

export const startProject = (keys?: number, extra: string[] = []) =>
  startServer(`project${keys === undefined ? '' : ` (${keys} keys)`}${extra.length ? ` ${extra.join(' ')}` : ''}`, CLI, [...PROJECT_ARGS, ...(keys === undefined ? [] : ['--keys', String(keys)]), ...extra]);
export const startCeiling = () => startServer('ceiling', CEILING, []);
/**
 * Another build of the mock (BENCH_BASELINE: its `dist/cli.js`, e.g. an older commit's), with the
 * project's arguments: measured in the same rounds, so that two builds compare on one machine.
 */
export const startBaseline = (cli: string, extra: string[] = []) => startServer(`baseline${extra.length ? ` ${extra.join(' ')}` : ''}`, cli, [...PROJECT_ARGS, ...extra]);
/** The ceiling writing the mock's three headers on every answer (a reference row, bench/ceiling.ts). */
export const startCeilingWithHeaders = () => startServer('ceiling + headers', CEILING, ['--headers']);
/** The ceiling sending a turn's answers together at its end, as the mock does (a reference row, bench/ceiling.ts). */
export const startCeilingAtTurnEnd = () => startServer('ceiling at turn end', CEILING, ['--turn-end']);

/** Resident set size and its peak, from /proc (kB → bytes). */
export function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** CPU time (user + system) a process has used so far, in µs, from /proc/<pid>/stat. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: state is field 3, utime field 14, stime field 15 (1-based).
  return ((Number(fields[11]) + Number(fields[12])) / CLK_TCK) * 1e6;
}

/** Kills every server still running (for a runner that fails half-way). */
export function killServers(): void {
  for (const child of children) child.kill('SIGKILL');
}

/** What a sender sends: one request, the same each time. */
export interface SentRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * The same request to a server on `port`, over `connections` keep-alive connections: `one()` sends
 * one and resolves to its status; `many(count)` sends `count`, each of which must be a 200;
 * `close()` ends the connections.
 */
export function sender(
  port: number,
  name: string,
  connections: number,
  sent: SentRequest,
): { one: () => Promise<number>; many: (count: number) => Promise<void>; close: () => void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const headers = { ...sent.headers, 'content-length': String(Buffer.byteLength(sent.body)) };
  const one = () =>
    new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: sent.method, path: sent.path, agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(sent.body);
    });
  const many = async (count: number) => {
    let left = count;
    const worker = async () => {
      while (left-- > 0) {
        const status = await one();
        if (status !== 200) throw new Error(`${name}: ${sent.method} ${sent.path} answered ${status}`);
      }
    };
    await Promise.all(Array.from({ length: connections }, worker));
  };
  return { one, many, close: () => agent.destroy() };
}

/** PATCHes of the docs key (the README's example body), as `sender`. */
export const patchSender = (port: number, name: string, connections: number) =>
  sender(port, name, connections, { method: 'PATCH', path: `/api/v1/keys/${DOCS_HASH}`, headers: HEADERS, body: PATCH_BODY });

/** The body of a measured plain chat completion (what `npm run bench` sends). */
export const CHAT_BODY = JSON.stringify({ messages: [{ role: 'user', content: 'Say hello to the benchmark.' }] });
/** The body of a measured streamed one (a completion rule gives it its reply). */
export const CHAT_STREAM_BODY = JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'Stream fifty words.' }] });
/** The words of a 50-chunk stream (the reply is sent a word a chunk). */
export const FIFTY_WORDS = Array.from({ length: 50 }, (_, i) => `word${i}`).join(' ');

/**
 * A key without a limit for chat completions, made on a running server with the management key:
 * its plaintext, for `chatSender`.
 */
export async function chatKey(port: number): Promise<string> {
  const created = await request(port, 'POST', '/api/v1/keys', { headers: HEADERS, body: JSON.stringify({ name: 'bench chat' }), timeoutMs: 60_000 });
  if (created.status !== 201 && created.status !== 200) throw new Error(`creating the chat key answered ${created.status}: ${created.body.slice(0, 200)}`);
  return (JSON.parse(created.body) as { key: string }).key;
}

/** Chat completions with an ordinary key's plaintext (`body`: CHAT_BODY, or CHAT_STREAM_BODY), as `sender`. */
export const chatSender = (port: number, name: string, connections: number, key: string, body = CHAT_BODY) =>
  sender(port, name, connections, {
    method: 'POST',
    path: '/api/v1/chat/completions',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body,
  });
