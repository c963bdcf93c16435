/**
 * `npm run bench:instructions`: machine instructions per PATCH, the project against the ceiling,
 * counted by valgrind's callgrind. A second measure beside `npm run bench`: on a shared VM whose
 * speed drifts by ±30 % within a minute, requests/s cannot attribute a few microseconds, while an
 * instruction count does not depend on what else the machine is doing. (It is not time: the
 * kernel's share of a request — sockets, syscalls — is not counted, and the same instructions can
 * run at different speeds. Use it to compare versions and find causes; the targets stay on
 * `npm run bench`.)
 *
 * Each server runs under `valgrind --tool=callgrind` (Node with --single-threaded, so that
 * background compiler and GC threads do not vary the count), answers a warm-up of PATCHes so that
 * the JIT settles, has its counters zeroed (`callgrind_control -z`), answers the measured PATCHes
 * and is dumped (`callgrind_control -d`). Two servers run at a time. Spread between runs of the
 * same build: about ±5 % (timers and clock reads still differ).
 *
 * Environment: BENCH_IC_REQUESTS (measured PATCHes, default 3000), BENCH_IC_WARMUP (default 3000),
 * BENCH_IC_KEEP (a directory: each case's callgrind dump is copied there as `<n>.callgrind`, 1 the
 * ceiling, 2 journal on, 3 journal off, for `callgrind_annotate --inclusive=yes <file>`),
 * BENCH_IC_NODE_FLAGS (extra Node flags for every server: `--initial-old-space-size=512` keeps
 * mark-compacts out of the measured window, which otherwise land in it or not from run to run),
 * BENCH_IC_CLI (another build of the project to measure, e.g. an older commit's `dist/cli.js`),
 * BENCH_IC_START_SECONDS (how long a server may take to start under valgrind, default 300).
 * Needs `valgrind` (Debian: apt-get install valgrind). Writes bench/instructions.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { patchSender } from './servers.js';
import { measureStages, stageTable } from './stages.js';
import { CEILING, CLI as BUILT_CLI, compileCeiling, envNumber, freePort, PROJECT_ARGS, ROOT } from './shared.js';

const REQUESTS = Math.round(envNumber('BENCH_IC_REQUESTS', 3000));
const WARMUP = Math.round(envNumber('BENCH_IC_WARMUP', 3000));
const KEEP = process.env.BENCH_IC_KEEP;
const CLI = process.env.BENCH_IC_CLI || BUILT_CLI;
const NODE_FLAGS = (process.env.BENCH_IC_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
const log = (message: string) => process.stderr.write(`[bench:instructions] ${message}\n`);


interface Case {
  name: string;
  script: string;
  args: string[];
}

const CASES: Case[] = [
  { name: 'ceiling: PATCH (bare Fastify + TypeBox)', script: CEILING, args: [] },
  { name: 'PATCH one key (journal on, default size)', script: CLI, args: PROJECT_ARGS },
  { name: 'PATCH one key, journal off (--journal-size 0)', script: CLI, args: [...PROJECT_ARGS, '--journal-size', '0'] },
];

/** Every server under valgrind, so that a failed run leaves none behind. */
const children = new Set<ReturnType<typeof spawn>>();
/** How long a server may take to answer its first request under valgrind (a loaded machine is slow). */
const START_MS = Math.round(envNumber('BENCH_IC_START_SECONDS', 300) * 1000);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs one case under callgrind; resolves to instructions per measured request. */
async function measure(spec: Case, index: number): Promise<number> {
  const port = await freePort();
  const out = mkdtempSync(join(os.tmpdir(), 'bench-ic-'));
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', `--callgrind-out-file=${join(out, 'callgrind.out')}`, process.execPath, '--single-threaded', ...NODE_FLAGS, spec.script, ...spec.args, '--port', String(port)],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<never>((_resolve, reject) =>
    child.on('exit', (code, signal) => reject(new Error(`${spec.name}: server exited (${code ?? signal}): ${stderr.trim().slice(-800)}`))),
  );
  const { one: patch, many: patches, close: closeConnections } = patchSender(port, spec.name, 4);
  const control = (flag: string) => {
    const result = spawnSync('callgrind_control', [flag, String(child.pid)], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`callgrind_control ${flag} failed: ${result.stderr}`);
  };
  try {
    const run = async () => {
      for (let waited = 0; ; waited += 200) {
        if ((await patch().catch(() => 0)) === 200) break;
        if (waited > START_MS) throw new Error(`${spec.name}: no answer under valgrind within ${START_MS / 1000} s (BENCH_IC_START_SECONDS)`);
        await sleep(200);
      }
      await patches(WARMUP);
      control('-z');
      await patches(REQUESTS);
      control('-d');
    };
    await Promise.race([run(), exited]);
    // The dump is written by the server process itself: wait for the file.
    for (let waited = 0; waited < 30_000; waited += 100) {
      const dumps = readdirSync(out).filter((name) => /^callgrind\.out\.\d+$/.test(name));
      for (const name of dumps) {
        const total = /^(?:summary|totals):\s*(\d+)/m.exec(readFileSync(join(out, name), 'utf8'))?.[1];
        if (total !== undefined) {
          if (KEEP !== undefined) {
            mkdirSync(KEEP, { recursive: true });
            copyFileSync(join(out, name), join(KEEP, `${index + 1}.callgrind`));
          }
          return Number(total) / REQUESTS;
        }
      }
      await sleep(100);
    }
    throw new Error(`${spec.name}: callgrind wrote no dump`);
  } finally {
    closeConnections();
    child.removeAllListeners('exit');
    child.kill('SIGKILL');
    children.delete(child);
    rmSync(out, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    log('valgrind is not installed (Debian: apt-get install valgrind); nothing measured');
    process.exit(1);
  }
  compileCeiling(log);
  log(`${WARMUP} warm-up and ${REQUESTS} measured PATCHes per server, two servers at a time (a few minutes)`);
  const started = Date.now();
  const results: number[] = [];
  for (let i = 0; i < CASES.length; i += 2) {
    const pair = CASES.slice(i, i + 2);
    log(`measuring: ${pair.map((c) => c.name).join('; ')}`);
    results.push(...(await Promise.all(pair.map((spec, j) => measure(spec, i + j)))));
  }
  const ceiling = results[0]!;
  const rows = CASES.map((spec, i) => ({ case: spec.name, instructionsPerRequest: Math.round(results[i]!), ceilingOverThis: Math.round((ceiling / results[i]!) * 1000) / 1000 }));
  const width = Math.max(...rows.map((r) => r.case.length));
  const lines = [
    `| ${'case'.padEnd(width)} | instructions/PATCH | ceiling ÷ this |`,
    `| ${'-'.repeat(width)} | -----------------: | -------------: |`,
    ...rows.map((r) => `| ${r.case.padEnd(width)} | ${r.instructionsPerRequest.toLocaleString('en').padStart(18)} | ${r.ceilingOverThis.toFixed(3).padStart(14)} |`),
  ];
  process.stdout.write(`\nInstructions per PATCH under callgrind (${REQUESTS} measured after ${WARMUP} warm-up, node --single-threaded):\n\n${lines.join('\n')}\n\n`);
  // Where the engine's share goes, stage by stage (in process: bench/stages.ts).
  const stages = await measureStages();
  process.stdout.write(`The engine's stages of a PATCH, in process (time, not instructions: bench/stages.ts):\n\n${stageTable(stages)}\n\n`);
  writeFileSync(
    join(ROOT, 'bench', 'instructions.json'),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, requests: REQUESTS, warmup: WARMUP, cases: rows, stages }, null, 2)}\n`,
  );
  log(`done in ${Math.round((Date.now() - started) / 1000)} s; wrote bench/instructions.json`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:instructions failed: ${(error as Error).stack ?? String(error)}\n`);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
});
