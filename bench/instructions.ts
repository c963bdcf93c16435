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
 * ceiling, 2 journal on, 3 journal off, 4 the ceiling writing the mock's three headers (a reference:
 * what those cost by themselves), for `callgrind_annotate --inclusive=yes <file>`),
 * BENCH_IC_NODE_FLAGS (extra Node flags for every server: `--initial-old-space-size=512` keeps
 * mark-compacts out of the measured window, which otherwise land in it or not from run to run),
 * BENCH_IC_CLI (another build of the project to measure, e.g. an older commit's `dist/cli.js`),
 * BENCH_IC_START_SECONDS (how long a server may take to start under valgrind, default 300),
 * BENCH_IC_CASE (`patch`, the default: the cases above; `chat`: the ceiling's PATCH, then a plain
 * chat completion with the journal on and off, and a 50-chunk stream, a tenth as many of those,
 * with its instructions a chunk — issue 20's cost per completion, countable on a loaded machine),
 * BENCH_IC_ONLY (comma-separated case numbers, as BENCH_IC_KEEP numbers them, e.g. `2`: only
 * those, for a before/after pair run side by side with two BENCH_IC_CLI builds; the ratio column
 * then needs case 1).
 * Needs `valgrind` (Debian: apt-get install valgrind). Writes bench/instructions.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { chatKey, chatSender, CHAT_STREAM_BODY, FIFTY_WORDS, patchSender, request } from './servers.js';
import { measureStages, stageTable } from './stages.js';
import { CEILING, CLI as BUILT_CLI, compileCeiling, envNumber, freePort, PROJECT_ARGS, ROOT } from './shared.js';

const REQUESTS = Math.round(envNumber('BENCH_IC_REQUESTS', 3000));
const WARMUP = Math.round(envNumber('BENCH_IC_WARMUP', 3000));
const KEEP = process.env.BENCH_IC_KEEP;
const CLI = process.env.BENCH_IC_CLI || BUILT_CLI;
const NODE_FLAGS = (process.env.BENCH_IC_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
const log = (message: string) => process.stderr.write(`[bench:instructions] ${message}\n`);
const WHICH = process.env.BENCH_IC_CASE || 'patch';
if (WHICH !== 'patch' && WHICH !== 'chat') throw new Error(`BENCH_IC_CASE must be patch or chat (got ${WHICH})`);

interface Case {
  name: string;
  script: string;
  args: string[];
  /** What is sent: the docs key's PATCH, a plain chat completion, or a 50-chunk stream. */
  sends: 'patch' | 'chat' | 'chat-stream';
}

const CEILING_CASE: Case = { name: 'ceiling: PATCH (bare Fastify + TypeBox)', script: CEILING, args: [], sends: 'patch' };
const CASES: Case[] =
  WHICH === 'chat'
    ? [
        CEILING_CASE,
        { name: 'POST /chat/completions, plain (journal on)', script: CLI, args: PROJECT_ARGS, sends: 'chat' },
        { name: 'POST /chat/completions, plain, journal off', script: CLI, args: [...PROJECT_ARGS, '--journal-size', '0'], sends: 'chat' },
        { name: 'POST /chat/completions, 50-chunk stream (journal on)', script: CLI, args: PROJECT_ARGS, sends: 'chat-stream' },
      ]
    : [
        CEILING_CASE,
        { name: 'PATCH one key (journal on, default size)', script: CLI, args: PROJECT_ARGS, sends: 'patch' },
        { name: 'PATCH one key, journal off (--journal-size 0)', script: CLI, args: [...PROJECT_ARGS, '--journal-size', '0'], sends: 'patch' },
        // A reference: the ceiling also writing the three headers every answer of the mock carries.
        { name: "ceiling + the mock's 3 headers (reference)", script: CEILING, args: ['--headers'], sends: 'patch' },
      ];
const ONLY = process.env.BENCH_IC_ONLY ? new Set(process.env.BENCH_IC_ONLY.split(',').map((n) => Number(n.trim()))) : undefined;
/** The cases measured, with their numbers (1-based, as BENCH_IC_KEEP names the dumps). */
const MEASURED = CASES.map((spec, i) => ({ spec, number: i + 1 })).filter(({ number }) => !ONLY || ONLY.has(number));

/** A stream is ~10 times a plain completion's work: a tenth as many keep a run's length. */
const countOf = (spec: Case, n: number) => (spec.sends === 'chat-stream' ? Math.max(1, Math.round(n / 10)) : n);
/** The events of a 50-chunk stream: 50 content chunks, the last with the usage (the comment and [DONE] ride along). */
const STREAM_EVENTS = 51;

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
  const { one: patch, close: closeProbe } = patchSender(port, spec.name, 1);
  // The measured requests' sender, made once the server answers (a chat case makes its key first).
  let sender: ReturnType<typeof patchSender> | undefined;
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
      closeProbe();
      if (spec.sends === 'patch') sender = patchSender(port, spec.name, 4);
      else {
        const key = await chatKey(port);
        if (spec.sends === 'chat-stream') {
          const rule = await request(port, 'POST', '/__mock/completions', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: FIFTY_WORDS }), timeoutMs: 60_000 });
          if (rule.status !== 201 && rule.status !== 200) throw new Error(`${spec.name}: the completion rule answered ${rule.status}`);
        }
        sender = chatSender(port, spec.name, 4, key, spec.sends === 'chat-stream' ? CHAT_STREAM_BODY : undefined);
      }
      const { many } = sender;
      await many(countOf(spec, WARMUP));
      control('-z');
      await many(countOf(spec, REQUESTS));
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
          return Number(total) / countOf(spec, REQUESTS);
        }
      }
      await sleep(100);
    }
    throw new Error(`${spec.name}: callgrind wrote no dump`);
  } finally {
    closeProbe();
    sender?.close();
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
  log(`${WARMUP} warm-up and ${REQUESTS} measured requests per server (a tenth for a stream), two servers at a time (a few minutes)`);
  const started = Date.now();
  const results: number[] = [];
  for (let i = 0; i < MEASURED.length; i += 2) {
    const pair = MEASURED.slice(i, i + 2);
    log(`measuring: ${pair.map((c) => c.spec.name).join('; ')}`);
    results.push(...(await Promise.all(pair.map(({ spec, number }) => measure(spec, number - 1)))));
  }
  // Without case 1 (BENCH_IC_ONLY), no ratio: NaN.
  const ceiling = MEASURED[0]?.number === 1 ? results[0]! : Number.NaN;
  const rows = MEASURED.map(({ spec }, i) => ({
    case: spec.name,
    instructionsPerRequest: Math.round(results[i]!),
    ceilingOverThis: Math.round((ceiling / results[i]!) * 1000) / 1000,
    ...(spec.sends === 'chat-stream' ? { instructionsPerChunk: Math.round(results[i]! / STREAM_EVENTS) } : {}),
  }));
  const width = Math.max(...rows.map((r) => r.case.length));
  const lines = [
    `| ${'case'.padEnd(width)} | instructions/request | ceiling ÷ this |`,
    `| ${'-'.repeat(width)} | -------------------: | -------------: |`,
    ...rows.map((r) => `| ${r.case.padEnd(width)} | ${r.instructionsPerRequest.toLocaleString('en').padStart(20)} | ${r.ceilingOverThis.toFixed(3).padStart(14)} |`),
  ];
  const chunks = rows.filter((r) => r.instructionsPerChunk !== undefined).map((r) => `${r.case}: ${r.instructionsPerChunk!.toLocaleString('en')} instructions a chunk (${STREAM_EVENTS} events a stream)\n`);
  process.stdout.write(`\nInstructions per request under callgrind (${REQUESTS} measured after ${WARMUP} warm-up, a tenth for a stream, node --single-threaded):\n\n${lines.join('\n')}\n\n${chunks.join('')}${chunks.length ? '\n' : ''}`);
  // Where the engine's share of a PATCH goes, stage by stage (in process: bench/stages.ts).
  const stages = WHICH === 'patch' ? await measureStages() : undefined;
  if (stages) process.stdout.write(`The engine's stages of a PATCH, in process (time, not instructions: bench/stages.ts):\n\n${stageTable(stages)}\n\n`);
  const file = WHICH === 'patch' ? 'instructions.json' : `instructions-${WHICH}.json`;
  writeFileSync(
    join(ROOT, 'bench', file),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, requests: REQUESTS, warmup: WARMUP, cases: rows, ...(stages ? { stages } : {}) }, null, 2)}\n`,
  );
  log(`done in ${Math.round((Date.now() - started) / 1000)} s; wrote bench/${file}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:instructions failed: ${(error as Error).stack ?? String(error)}\n`);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
});
