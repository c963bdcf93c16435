/**
 * `npm run bench:gc`: what the garbage collector does for PATCHes, the project with the journal on
 * and off. Each server runs under `node --trace-gc`, answers a warm-up of PATCHes, then the
 * measured ones; the report counts the scavenges and mark-compacts that `--trace-gc` printed while
 * the measured PATCHes ran, their median pause, the most heap the process committed (a young
 * generation that grew shows there) and the server's CPU time per PATCH (every thread: the
 * collector's helpers too). Pauses and CPU time move with the machine's load; the counts and the
 * heap sizes do not.
 *
 * Found with it (issue 19 item 7): with the journal keeping each request's parsed body (and its
 * path and hash strings) alive for a thousand requests, V8 grew the young generation to twice its
 * size and every scavenge had those objects to copy: half as many scavenges, each ~3.5 × as long.
 *
 * Environment: BENCH_GC_REQUESTS (measured PATCHes, default 60000), BENCH_GC_WARMUP (default
 * 5000), BENCH_GC_CLI (another build's `dist/cli.js`), BENCH_GC_ONLY (`on` or `off`: one case),
 * BENCH_GC_NODE_FLAGS (extra Node flags for the server, e.g. `--max-semi-space-size=32`).
 */
import { spawn } from 'node:child_process';
import { cpuMicros, patchSender } from './servers.js';
import { CLI as BUILT_CLI, envNumber, freePort, PROJECT_ARGS, ROOT } from './shared.js';

const REQUESTS = Math.round(envNumber('BENCH_GC_REQUESTS', 60_000));
const WARMUP = Math.round(envNumber('BENCH_GC_WARMUP', 5_000));
const CLI = process.env.BENCH_GC_CLI || BUILT_CLI;
const NODE_FLAGS = (process.env.BENCH_GC_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
const log = (message: string) => process.stderr.write(`[bench:gc] ${message}\n`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface GcReport {
  case: string;
  scavenges: number;
  scavengeMedianMs: number;
  scavengeTotalMs: number;
  markCompacts: number;
  committedMaxMb: number;
  /** The server's CPU time (user + system, every thread) per measured PATCH, in µs. */
  cpuMicrosPerRequest: number;
}

const LINE = /(Scavenge|Mark-Compact|Mark-sweep)\b.*?[\d.]+ \(([\d.]+)\) -> [\d.]+ \(([\d.]+)\) MB, ([\d.]+) \//;

async function measure(name: string, args: string[]): Promise<GcReport> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--trace-gc', ...NODE_FLAGS, CLI, ...PROJECT_ARGS, ...args, '--port', String(port)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let measuring = false;
  let cpu = 0;
  const pauses: number[] = [];
  let markCompacts = 0;
  let committedMax = 0;
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      const m = LINE.exec(line);
      if (!m) continue;
      committedMax = Math.max(committedMax, Number(m[2]), Number(m[3]));
      if (!measuring) continue;
      if (m[1] === 'Scavenge') pauses.push(Number(m[4]));
      else markCompacts++;
    }
  });
  const { one: patch, many: patches, close: closeConnections } = patchSender(port, name, 8);
  try {
    for (let waited = 0; (await patch().catch(() => 0)) !== 200; waited += 100) {
      if (waited > 30_000) throw new Error(`${name}: no answer within 30 s`);
      await sleep(100);
    }
    await patches(WARMUP);
    measuring = true;
    const cpuBefore = cpuMicros(child.pid!);
    await patches(REQUESTS);
    cpu = (cpuMicros(child.pid!) - cpuBefore) / REQUESTS;
    await sleep(200);
    measuring = false;
  } finally {
    closeConnections();
    child.kill('SIGKILL');
  }
  const sorted = [...pauses].sort((a, b) => a - b);
  return {
    case: name,
    scavenges: pauses.length,
    scavengeMedianMs: sorted[Math.floor(sorted.length / 2)] ?? 0,
    scavengeTotalMs: Math.round(pauses.reduce((sum, p) => sum + p, 0) * 10) / 10,
    markCompacts,
    committedMaxMb: committedMax,
    cpuMicrosPerRequest: Math.round(cpu * 10) / 10,
  };
}

async function main(): Promise<void> {
  log(`${WARMUP} warm-up and ${REQUESTS} measured PATCHes per server, one server at a time`);
  const only = process.env.BENCH_GC_ONLY;
  const rows: GcReport[] = [];
  if (only !== 'off') rows.push(await measure('PATCH, journal on (default size)', []));
  if (only !== 'on') rows.push(await measure('PATCH, journal off (--journal-size 0)', ['--journal-size', '0']));
  const lines = [
    '| case | scavenges | median pause (ms) | total (ms) | mark-compacts | heap committed, most (MB) | CPU µs/PATCH |',
    '| --- | --: | --: | --: | --: | --: | --: |',
    ...rows.map((r) => `| ${r.case} | ${r.scavenges} | ${r.scavengeMedianMs.toFixed(2)} | ${r.scavengeTotalMs} | ${r.markCompacts} | ${r.committedMaxMb} | ${r.cpuMicrosPerRequest} |`),
  ];
  process.stdout.write(`\nGarbage collection over ${REQUESTS} PATCHes (node --trace-gc):\n\n${lines.join('\n')}\n\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:gc failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
