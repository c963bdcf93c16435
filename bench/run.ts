/**
 * `npm run bench`: the project's throughput, latency, start-up, memory and reset time, against a
 * ceiling measured in the same run (bench/ceiling.ts: bare Fastify + TypeBox, same schemas).
 *
 * Servers under test run as separate `node` processes on built JS (dist/cli.js and the compiled
 * ceiling), so that autocannon, in this process, does not share an event loop with them. The
 * project and the ceiling are measured alternately (A B A B A B) and the median ratio is kept:
 * these machines are noisy.
 *
 * Environment: BENCH_DURATION (seconds per autocannon run, default 3), BENCH_SLICE (seconds per
 * run in the alternated A/B comparisons, default 1), BENCH_CONNECTIONS (default 10), BENCH_ROUNDS
 * (A/B rounds, default 15), BENCH_WARMUP (seconds, default 2),
 * BENCH_STARTUP_RUNS (default 11), BENCH_BIG_STARTUP_RUNS (100k-key start-ups, default 3),
 * BENCH_ONLY (comma-separated groups: startup, single, reset, streams, spread, big, mixed; the PATCH
 * rounds run unless only `mixed` is asked for, and alone with `patch`), BENCH_MIXED_ROUNDS (bench/mixed.ts),
 * BENCH_STREAM_ROUNDS (bench/streams.ts: PATCH with 1 and 100 event streams open), BENCH_INSPECTOR=1
 * (an event stream open on each project server during the PATCH rounds, as an inspector page
 * keeps one), BENCH_BASELINE (another build's dist/cli.js, e.g. an older commit's: its PATCH,
 * journal on and off, joins the PATCH rounds, so that two builds compare on the same machine in
 * the same minutes; no target). Writes
 * bench/results.json.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { MIXED_LEGEND, mixedGroup } from './mixed.js';
import { openStreams, STREAMS_NOTE, streamsGroup } from './streams.js';
import { AUTH_ONLY, CHAT_BODY, CHAT_STREAM_BODY, cpuMicros, FIFTY_WORDS, HEADERS, killServers, memoryOf, request, startBaseline, startCeiling, startCeilingAtTurnEnd, startCeilingWithHeaders, startProject, stopServer, type Server } from './servers.js';
import { type BenchCaseRow, type BenchTargetRow, CLI, compileCeiling, DOCS_HASH, envNumber, fmt, median, NOW, PATCH_BODY, POST_BODY, quantile, round, ROOT, table } from './shared.js';

// ---- settings -----------------------------------------------------------------------------

const RESULTS = join(ROOT, 'bench', 'results.json');

const DURATION = envNumber('BENCH_DURATION', 3);
const CONNECTIONS = Math.round(envNumber('BENCH_CONNECTIONS', 10));
const ROUNDS = Math.round(envNumber('BENCH_ROUNDS', 15));
/**
 * Seconds per run in the alternated comparisons (PATCH A/B, first vs deep page). Short: this VM's
 * speed drifts within seconds, so runs close together in time compare fairly, and many rounds give
 * a steady median.
 */
const SLICE = envNumber('BENCH_SLICE', 1);
const WARMUP = envNumber('BENCH_WARMUP', 2);
const STARTUP_RUNS = Math.round(envNumber('BENCH_STARTUP_RUNS', 11));
const BIG_STARTUP_RUNS = Math.round(envNumber('BENCH_BIG_STARTUP_RUNS', 3));
/** BENCH_ONLY=startup,single,reset,streams,spread,big,mixed: run only these groups (and the PATCH rounds, below). */
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((x) => x.trim())) : undefined;
const wanted = (group: string) => !ONLY || ONLY.has(group);
/** BENCH_BASELINE=<another build's dist/cli.js>: measured beside the project in the PATCH rounds. */
const BASELINE = process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : undefined;

const TARGETS = {
  // Issue 19's (issue 5's were 0.85 and 0.9).
  patchRatio: 0.9,
  patchJournalOffRatio: 0.93,
  // Issue 20: a non-streaming chat completion against the ceiling's PATCH.
  chatRatio: 0.7,
  deepPageCost: 1.5,
  startupRatio: 1.15,
  startupBigMs: 1500,
  rssBigMB: 250,
  resetMs: 5,
};

// ---- small helpers ------------------------------------------------------------------------

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

// ---- load ---------------------------------------------------------------------------------

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
  /** CPU time the server process spent per answered request (µs): robust to a noisy machine. */
  cpuPerRequest: number;
}

interface LoadSpec {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Path per request (cycling), instead of `path`. */
  paths?: string[];
}

async function load(server: Server, spec: LoadSpec, duration = DURATION): Promise<LoadResult> {
  const options: autocannon.Options = {
    url: `${server.origin}${spec.path}`,
    connections: CONNECTIONS,
    duration,
    method: spec.method,
    headers: spec.headers ?? (spec.body === undefined ? AUTH_ONLY : HEADERS),
    ...(spec.body === undefined ? {} : { body: spec.body }),
  };
  if (spec.paths) {
    const paths = spec.paths;
    let next = 0;
    options.requests = [
      {
        method: spec.method,
        setupRequest: (req) => {
          req.path = paths[next++ % paths.length]!;
          return req;
        },
      },
    ];
  }
  // autocannon's own histogram keeps whole milliseconds; keep every response time (ms, as a
  // float from process.hrtime) for sub-millisecond percentiles.
  const instance = autocannon(options) as unknown as Promise<autocannon.Result> & NodeJS.EventEmitter;
  const latencies: number[] = [];
  const cpuBefore = cpuMicros(server.pid);
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
  const result = await instance;
  const cpu = cpuMicros(server.pid) - cpuBefore;
  return {
    rps: result.requests.average,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    errors: result.errors,
    non2xx: result.non2xx,
    total: result.requests.total,
    cpuPerRequest: cpu / Math.max(1, result.requests.total),
  };
}

const warm = (server: Server, spec: LoadSpec) => load(server, spec, WARMUP);

/** ROUNDS runs of each of two loads, alternated (a b, then b a: neither always goes first). */
async function alternated(label: string, a: () => Promise<LoadResult>, b: () => Promise<LoadResult>): Promise<[LoadResult[], LoadResult[]]> {
  const as: LoadResult[] = [];
  const bs: LoadResult[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    log(`${label}, round ${i + 1}/${ROUNDS}`);
    if (i % 2 === 0) {
      as.push(await a());
      bs.push(await b());
    } else {
      bs.push(await b());
      as.push(await a());
    }
  }
  return [as, bs];
}

// ---- the cases ----------------------------------------------------------------------------

/** A case row as bench/run.ts keeps it: the shared shape plus the runs behind it. */
interface CaseRow extends BenchCaseRow {
  runs?: LoadResult[];
}

const rows: CaseRow[] = [];
/** The ceiling's median CPU µs per PATCH, once measured. */
let ceilingCpu = Number.NaN;
const targets: BenchTargetRow[] = [];
const notes: string[] = [];
const extra: Record<string, unknown> = {};

const patchOne: LoadSpec = { method: 'PATCH', path: `/api/v1/keys/${DOCS_HASH}`, body: PATCH_BODY };

function row(name: string, runs: LoadResult[], ratio: number, note?: string, cpuRatio = Number.NaN): CaseRow {
  const cpu = median(runs.map((x) => x.cpuPerRequest));
  const r: CaseRow = {
    case: name,
    cpu,
    cpuRatio: Number.isFinite(cpuRatio) ? cpuRatio : ceilingCpu / cpu,
    rps: median(runs.map((x) => x.rps)),
    p50: median(runs.map((x) => x.p50)),
    p99: median(runs.map((x) => x.p99)),
    errors: runs.reduce((n, x) => n + x.errors + x.non2xx, 0),
    ratio,
    runs,
    ...(note ? { note } : {}),
  };
  rows.push(r);
  return r;
}

/**
 * A case measured in rounds alternated with the ceiling's (`against`, the same rounds): its ratio
 * and CPU ratio are the medians of the rounds' own, both listed in its note after `note`.
 */
function pairedRow(name: string, runs: LoadResult[], against: LoadResult[], note?: string): CaseRow {
  const ratios = runs.map((x, i) => x.rps / against[i]!.rps);
  const cpuRatios = runs.map((x, i) => against[i]!.cpuPerRequest / x.cpuPerRequest);
  const listed = `req/s ratios ${ratios.map((x) => round(x, 3)).join(', ')}; CPU ratios ${cpuRatios.map((x) => round(x, 3)).join(', ')}`;
  return row(name, runs, median(ratios), note ? `${note}; ${listed}` : listed, median(cpuRatios));
}

function target(name: string, value: number, limit: number, direction: '>=' | '<=', unit = '', note?: string): void {
  const ok = direction === '>=' ? value >= limit : value <= limit;
  targets.push({
    target: name,
    value: `${round(value, unit === '×' ? 3 : 2)}${unit}`,
    limit: `${direction} ${limit}${unit}`,
    status: Number.isFinite(value) ? (ok ? 'PASS' : 'MISS') : 'n/a',
    ...(note ? { note } : {}),
  });
}

function naTarget(name: string, limit: string, note: string): void {
  targets.push({ target: name, value: '—', limit, status: 'n/a', note });
}

function journalOptionAvailable(cli = CLI): boolean {
  const help = spawnSync(process.execPath, [cli, '--help'], { cwd: ROOT, encoding: 'utf8' });
  return /--journal-size\b/.test(help.stdout);
}

/** Start-up of the default dataset vs the ceiling, alternated. */
async function startupCase(): Promise<void> {
  log(`start-up: project (25 keys) vs ceiling, ${STARTUP_RUNS} runs each, alternated`);
  const project: number[] = [];
  const ceiling: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < STARTUP_RUNS; i++) {
    // A B, then B A: neither always goes first.
    const first = i % 2 === 0 ? startProject : startCeiling;
    const second = i % 2 === 0 ? startCeiling : startProject;
    const a = await first();
    await stopServer(a);
    const b = await second();
    await stopServer(b);
    const [p, c] = i % 2 === 0 ? [a, b] : [b, a];
    project.push(p.startupMs);
    ceiling.push(c.startupMs);
    ratios.push(p.startupMs / c.startupMs);
  }
  extra.startup = { projectMs: project.map((x) => round(x)), ceilingMs: ceiling.map((x) => round(x)), ratios: ratios.map((x) => round(x, 3)) };
  log(`  project ${round(median(project))} ms, ceiling ${round(median(ceiling))} ms`);
  target('start-up, default dataset (× ceiling start-up)', median(ratios), TARGETS.startupRatio, '<=', '×', `project ${round(median(project), 1)} ms vs ceiling ${round(median(ceiling), 1)} ms (medians of ${STARTUP_RUNS})`);
}

/** PATCH one key: project and ceiling alternated; journal off too when the option exists. */
async function patchCases(journal: boolean): Promise<{ ceilingRps: number; project: Server }> {
  const project = await startProject();
  const ceiling = await startCeiling();
  const ceilingHeaders = await startCeilingWithHeaders();
  const ceilingTurnEnd = await startCeilingAtTurnEnd();
  const journalOff = journal ? await startProject(undefined, ['--journal-size', '0']) : undefined;
  if (BASELINE !== undefined && !existsSync(BASELINE)) throw new Error(`BENCH_BASELINE: no such file ${BASELINE}`);
  const baseline = BASELINE === undefined ? undefined : await startBaseline(BASELINE);
  const baselineOff = BASELINE !== undefined && journalOptionAvailable(BASELINE) ? await startBaseline(BASELINE, ['--journal-size', '0']) : undefined;
  // BENCH_INSPECTOR=1: an inspector page open on each project server, i.e. one event stream
  // (GET /__mock/events) reading every change for the whole run.
  const streams = process.env.BENCH_INSPECTOR === '1' ? await Promise.all([project, ...(journalOff ? [journalOff] : [])].map((server) => openStreams(server, 1))) : [];
  if (streams.length > 0) notes.push('BENCH_INSPECTOR=1: an event stream (GET /__mock/events, what the inspector page reads) was open on each project server during the PATCH rounds.');
  log('warming up');
  await warm(project, patchOne);
  await warm(ceiling, patchOne);
  await warm(ceilingHeaders, patchOne);
  await warm(ceilingTurnEnd, patchOne);
  if (journalOff) await warm(journalOff, patchOne);
  if (baseline) await warm(baseline, patchOne);
  if (baselineOff) await warm(baselineOff, patchOne);
  // Each round's runs, by who ran: p the project, c the ceiling, h the ceiling with the mock's
  // headers, t the ceiling sending at the turn's end, j the project without its journal, b and k
  // the baseline with and without its journal.
  const runs = { p: [], c: [], h: [], t: [], j: [], b: [], k: [] } as Record<'p' | 'c' | 'h' | 't' | 'j' | 'b' | 'k', LoadResult[]>;
  const servers = { p: project, c: ceiling, h: ceilingHeaders, t: ceilingTurnEnd, j: journalOff, b: baseline, k: baselineOff };
  for (let i = 0; i < ROUNDS; i++) {
    // The ceiling sits between the project's runs; the order flips every round.
    const forward = (['p', 'c', 'h', 't', 'j', 'b', 'k'] as const).filter((x) => servers[x] !== undefined);
    const order = i % 2 === 0 ? forward : [...forward].reverse();
    log(`PATCH round ${i + 1}/${ROUNDS}: ${order.map((x) => servers[x]!.name).join(', ')}`);
    for (const which of order) runs[which].push(await load(servers[which]!, patchOne, SLICE));
  }
  const { p, c, h, t, j } = runs;
  const ceilingRps = median(c.map((x) => x.rps));
  ceilingCpu = median(c.map((x) => x.cpuPerRequest));
  row('ceiling: PATCH (bare Fastify + TypeBox)', c, 1, undefined, 1);
  // A reference, not a target: what the three headers every answer of the mock carries cost the ceiling.
  const headersRow = pairedRow("ceiling + the mock's 3 headers (reference)", h, c, 'X-Mock-Server, X-Request-Id, Vary by reply.header');
  extra.ceilingWithHeaders = { ratio: round(headersRow.ratio, 3), cpuRatio: round(headersRow.cpuRatio, 3) };
  // Another: the ceiling sending a turn's answers together at its end, as the mock does (src/routes/turn-end.ts).
  const turnEndRow = pairedRow("ceiling, answers sent at the turn's end (reference)", t, c, 'as the mock sends its answers');
  extra.ceilingAtTurnEnd = { ratio: round(turnEndRow.ratio, 3), cpuRatio: round(turnEndRow.cpuRatio, 3) };
  const patchRow = pairedRow(journalOff ? 'PATCH one key (journal on, default size)' : 'PATCH one key', p, c);
  target('PATCH one key (× ceiling req/s)', patchRow.ratio, TARGETS.patchRatio, '>=', '×', `server CPU per request: ceiling ÷ project = ${round(patchRow.cpuRatio, 3)}`);
  if (journalOff) {
    const off = pairedRow('PATCH one key, journal off (--journal-size 0)', j, c);
    target('PATCH, journal off (× ceiling req/s)', off.ratio, TARGETS.patchJournalOffRatio, '>=', '×', `server CPU per request: ceiling ÷ project = ${round(off.cpuRatio, 3)}`);
    await stopServer(journalOff);
  } else {
    log('journal option not available yet');
    notes.push('PATCH with the journal on/off: journal option not available yet (`node dist/cli.js --help` lists no --journal-size).');
    rows.push({ case: 'PATCH, journal off', rps: Number.NaN, p50: Number.NaN, p99: Number.NaN, errors: 0, ratio: Number.NaN, cpu: Number.NaN, cpuRatio: Number.NaN, note: 'journal option not available yet' });
    naTarget('PATCH, journal off (× ceiling req/s)', `>= ${TARGETS.patchJournalOffRatio}×`, 'journal option not available yet');
  }
  if (baseline) await baselineRows(runs, baseline, baselineOff);
  await stopServer(ceiling);
  await stopServer(ceilingHeaders);
  await stopServer(ceilingTurnEnd);
  for (const close of streams) close();
  return { ceilingRps, project };
}

/**
 * BENCH_BASELINE's rows (no target): the other build against the ceiling, and the project against
 * it — the median of the rounds' project ÷ baseline ratios, which no machine's speed enters.
 */
async function baselineRows(runs: Record<'p' | 'c' | 'j' | 'b' | 'k', LoadResult[]>, baseline: Server, baselineOff: Server | undefined): Promise<void> {
  const vs = (mine: LoadResult[], theirs: LoadResult[]) => median(mine.map((x, i) => x.rps / theirs[i]!.rps));
  const on = pairedRow('baseline: PATCH one key (journal on)', runs.b, runs.c, `BENCH_BASELINE=${BASELINE}; project ÷ baseline ${round(vs(runs.p, runs.b), 3)}`);
  extra.baseline = { cli: BASELINE, ratio: round(on.ratio, 3), projectOverBaseline: round(vs(runs.p, runs.b), 3) };
  if (baselineOff && runs.j.length > 0) {
    const off = pairedRow('baseline: PATCH, journal off', runs.k, runs.c, `project ÷ baseline ${round(vs(runs.j, runs.k), 3)} (journal off both)`);
    Object.assign(extra.baseline as object, { journalOffRatio: round(off.ratio, 3), projectOverBaselineJournalOff: round(vs(runs.j, runs.k), 3) });
  }
  const b = extra.baseline as { projectOverBaseline: number; projectOverBaselineJournalOff?: number };
  notes.push(
    `BENCH_BASELINE=${BASELINE}: project ÷ baseline req/s, the median of the rounds' ratios: journal on ${b.projectOverBaseline}` +
      (b.projectOverBaselineJournalOff === undefined ? '' : `, journal off ${b.projectOverBaselineJournalOff}`) +
      ' (above 1: the project is faster).',
  );
  if (baselineOff) await stopServer(baselineOff);
  await stopServer(baseline);
}

/** PATCH with 1 and with 100 event streams open (bench/streams.ts), over the ceiling's median PATCH. */
async function streamsCases(ceilingRps: number): Promise<void> {
  const measured = await streamsGroup(log, (server, warmup) => (warmup ? warm(server, patchOne) : load(server, patchOne, SLICE)));
  for (const { streams, runs } of measured) {
    const name = streams === 'page' ? 'PATCH one key, one inspector page open' : `PATCH one key, ${streams} event stream${streams === 1 ? '' : 's'} open`;
    const r = row(name, runs, median(runs.map((x) => x.rps)) / ceilingRps);
    extra[streams === 'page' ? 'patchWithPageOpen' : `patchWith${streams}Streams`] = { rps: round(r.rps, 1), ratio: round(r.ratio, 4) };
  }
  notes.push(STREAMS_NOTE);
}

async function singleCases(project: Server, ceilingRps: number): Promise<void> {
  const get: LoadSpec = { method: 'GET', path: `/api/v1/keys/${DOCS_HASH}` };
  await warm(project, get);
  log('GET /keys/:hash');
  const g = await load(project, get);
  row('GET /keys/:hash', [g], g.rps / ceilingRps);

  const post: LoadSpec = { method: 'POST', path: '/api/v1/keys', body: POST_BODY };
  log('POST /keys');
  const p = await load(project, post);
  row('POST /keys', [p], p.rps / ceilingRps, `the store grew by ${p.total} keys`);
  await chatCases(project, ceilingRps);
}

/**
 * Chat completions: a plain one against the ceiling's PATCH — alternated with it in ROUNDS slices,
 * as the PATCH target is, the median of the per-round ratios kept (a single 3 s run's ratio moved
 * 0.61–0.70 between two runs of the same build) — and a 50-chunk stream (a completion rule's reply
 * of 50 words), reported per chunk by the server's CPU.
 */
async function chatCases(project: Server, ceilingRps: number): Promise<void> {
  const created = await request(project.port, 'POST', '/api/v1/keys', { headers: HEADERS, body: JSON.stringify({ name: 'bench chat' }) });
  const { key } = JSON.parse(created.body) as { key: string };
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const plain: LoadSpec = { method: 'POST', path: '/api/v1/chat/completions', headers, body: CHAT_BODY };
  const ceiling = await startCeiling();
  await warm(project, plain);
  await warm(ceiling, patchOne);
  const [chats, ceilings] = await alternated('POST /chat/completions (chat, ceiling PATCH)', () => load(project, plain, SLICE), () => load(ceiling, patchOne, SLICE));
  await stopServer(ceiling);
  const chat = pairedRow('POST /chat/completions (plain)', chats, ceilings, "a key without a limit, the default model, the seeded reply; alternated with the ceiling's PATCH");
  const cpu = median(chats.map((x) => x.cpuPerRequest));
  target('chat completion, not streamed (× ceiling PATCH req/s)', chat.ratio, TARGETS.chatRatio, '>=', '×', `server CPU ${round(cpu, 1)} µs a completion; ceiling's PATCH CPU ÷ this = ${round(chat.cpuRatio, 3)}`);

  await request(project.port, 'POST', '/__mock/completions', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: FIFTY_WORDS }) });
  const streamed: LoadSpec = { ...plain, body: CHAT_STREAM_BODY };
  await warm(project, streamed);
  log('POST /chat/completions, stream: true, 50 chunks');
  const st = await load(project, streamed);
  // 50 content chunks, the last with the usage, the processing comment and [DONE].
  const perChunk = st.cpuPerRequest / 51;
  row('POST /chat/completions (50-chunk stream)', [st], st.rps / ceilingRps, `${round(perChunk, 2)} µs of server CPU a chunk (${round(st.cpuPerRequest, 1)} µs a stream of 51 events)`);
  extra.chatStreamCpuPerChunkMicros = round(perChunk, 3);
  await request(project.port, 'DELETE', '/__mock/completions');
}

/** reset(): through POST /__mock/reset when the project has it, else in-process on dist/. */
async function resetCase(project: Server): Promise<void> {
  const probe = await request(project.port, 'POST', '/__mock/reset', { headers: AUTH_ONLY });
  if (probe.status >= 200 && probe.status < 300) {
    const times: number[] = [];
    for (let i = 0; i < 60; i++) {
      const t = performance.now();
      const r = await request(project.port, 'POST', '/__mock/reset', { headers: AUTH_ONLY });
      times.push(performance.now() - t);
      if (r.status >= 300) throw new Error(`POST /__mock/reset answered ${r.status}`);
    }
    const ms = median(times.slice(10));
    extra.reset = { method: 'HTTP POST /__mock/reset (round trip, new connection each)', medianMs: round(ms, 3), p95Ms: round(quantile(times.slice(10), 0.95), 3) };
    target('reset() of the default dataset (ms)', ms, TARGETS.resetMs, '<=', ' ms', 'measured as the HTTP round trip of POST /__mock/reset (an upper bound)');
    return;
  }
  const how = probe.status === 404 ? 'POST /__mock/reset answered 404' : `POST /__mock/reset answered ${probe.status}`;
  log(`${how}: measuring reset in-process`);
  type AppModule = typeof import('../src/app.js');
  type ConfigModule = typeof import('../src/config.js');
  const { buildApp } = (await import(pathToFileURL(join(ROOT, 'dist', 'app.js')).href)) as AppModule;
  const { resolveConfig } = (await import(pathToFileURL(join(ROOT, 'dist', 'config.js')).href)) as ConfigModule;
  const app = buildApp(resolveConfig({ seed: 1, now: NOW, logLevel: 'silent' }));
  const times: number[] = [];
  for (let i = 0; i < 1200; i++) {
    const t = performance.now();
    app.mock.store.load(app.mock.initialState());
    times.push(performance.now() - t);
  }
  await app.close();
  const measured = times.slice(200);
  const ms = median(measured);
  extra.reset = {
    method: `in-process (${how}): app.mock.store.load(app.mock.initialState()) on buildApp(resolveConfig({seed: 1, now})) from dist/`,
    medianMs: round(ms, 4),
    p95Ms: round(quantile(measured, 0.95), 4),
    maxMs: round(Math.max(...measured), 4),
    iterations: measured.length,
  };
  target('reset() of the default dataset (ms)', ms, TARGETS.resetMs, '<=', ' ms', `in-process (${how}); median of ${measured.length}`);
}

/** All hashes of a project's first account, through GET /keys pages (every workspace). */
async function allHashes(server: Server, workspaceIds: string[]): Promise<string[]> {
  const hashes: string[] = [];
  for (const workspace of workspaceIds) {
    for (let offset = 0; ; offset += 100) {
      const r = await request(server.port, 'GET', `/api/v1/keys?include_disabled=true&offset=${offset}&workspace_id=${workspace}`, { headers: AUTH_ONLY });
      if (r.status !== 200) throw new Error(`GET /keys answered ${r.status}: ${r.body.slice(0, 200)}`);
      const page = (JSON.parse(r.body) as { data: { hash: string }[] }).data;
      for (const key of page) hashes.push(key.hash);
      if (page.length < 100) break;
    }
  }
  return hashes;
}

async function spreadCase(ceilingRps: number): Promise<void> {
  const keys = 10_000;
  log(`PATCH spread over ${keys} keys`);
  const server = await startProject(keys);
  // GET /keys lists one workspace at a time and the API has no list of workspaces; the account's
  // workspace ids are read from the same (deterministic) dataset built in-process with no keys,
  // and every hash itself comes from the API. The count is checked against the banner.
  type RuntimeModule = typeof import('../src/runtime.js');
  type ConfigModule = typeof import('../src/config.js');
  const { createMockRuntime } = (await import(pathToFileURL(join(ROOT, 'dist', 'runtime.js')).href)) as RuntimeModule;
  const { resolveConfig } = (await import(pathToFileURL(join(ROOT, 'dist', 'config.js')).href)) as ConfigModule;
  const workspaces = createMockRuntime(resolveConfig({ seed: 1, now: NOW, keys: 0 })).initialState().accounts[0]!.workspace_ids;
  const hashes = await allHashes(server, workspaces);
  const banner = /(\d+) key\(s\)/.exec(server.stdout())?.[1];
  if (new Set(hashes).size !== hashes.length || String(hashes.length) !== banner) {
    throw new Error(`fetched ${hashes.length} hashes (${new Set(hashes).size} distinct), the banner says ${banner} keys`);
  }
  const spec: LoadSpec = { method: 'PATCH', path: `/api/v1/keys/${hashes[0]}`, body: PATCH_BODY, paths: hashes.map((h) => `/api/v1/keys/${h}`) };
  await warm(server, spec);
  const r = await load(server, spec);
  row(`PATCH spread over ${keys.toLocaleString('en')} keys`, [r], r.rps / ceilingRps, `${hashes.length} hashes from GET /keys over ${workspaces.length} workspaces, cycled`);
  await stopServer(server);
}

async function bigCases(ceilingRps: number): Promise<void> {
  const keys = 100_000;
  const times: number[] = [];
  let server: Server | undefined;
  for (let i = 0; i < BIG_STARTUP_RUNS; i++) {
    if (server) await stopServer(server);
    log(`start-up with ${keys} keys (${i + 1}/${BIG_STARTUP_RUNS})`);
    server = await startProject(keys);
    times.push(server.startupMs);
    log(`  ${round(server.startupMs)} ms`);
  }
  const big = server!;
  extra.startupBig = { ms: times.map((x) => round(x)) };
  target(`start-up with ${keys.toLocaleString('en')} keys (ms)`, median(times), TARGETS.startupBigMs, '<=', ' ms', `median of ${times.length}`);

  const afterStart = memoryOf(big.pid);
  // Find the length of the default workspace's listing (about 90 % of the keys: the dataset puts
  // about 10 % in the account's second workspace), for the deepest full page.
  const count = async (offset: number) => {
    const r = await request(big.port, 'GET', `/api/v1/keys?include_disabled=true&offset=${offset}`, { headers: AUTH_ONLY });
    if (r.status !== 200) throw new Error(`GET /keys answered ${r.status}`);
    return (JSON.parse(r.body) as { data: unknown[] }).data.length;
  };
  let lo = 0;
  let hi = keys;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if ((await count(mid - 1)) > 0) lo = mid;
    else hi = mid - 1;
  }
  const listed = lo;
  const at99900 = await count(99_900);
  const deepOffset = at99900 === 100 ? 99_900 : Math.max(0, listed - 100);
  if (deepOffset !== 99_900) {
    notes.push(
      `GET /keys deep page: the default workspace lists ${listed} of the ${keys} keys (the rest are in the account's second workspace), so offset 99,900 answers ${at99900} keys; the deepest full page, offset ${deepOffset}, is measured instead.`,
    );
  }
  const first: LoadSpec = { method: 'GET', path: '/api/v1/keys?include_disabled=true&offset=0' };
  const deep: LoadSpec = { method: 'GET', path: `/api/v1/keys?include_disabled=true&offset=${deepOffset}` };
  log('warming up (100k keys)');
  await warm(big, first);
  await warm(big, deep);
  await warm(big, patchOne);
  const afterWarmup = memoryOf(big.pid);
  const [f, d] = await alternated(`GET /keys first page vs offset ${deepOffset}`, () => load(big, first, SLICE), () => load(big, deep, SLICE));
  const afterLoad = memoryOf(big.pid);
  const costRatios = f.map((x, i) => x.rps / d[i]!.rps);
  const cpuCost = d.map((x, i) => x.cpuPerRequest / f[i]!.cpuPerRequest);
  row(`GET /keys first page (${keys.toLocaleString('en')} keys)`, f, median(f.map((x) => x.rps)) / ceilingRps);
  row(`GET /keys offset ${deepOffset.toLocaleString('en')} (${keys.toLocaleString('en')} keys)`, d, median(d.map((x) => x.rps)) / ceilingRps, `cost vs first page (req/s): ${costRatios.map((x) => round(x, 3)).join(', ')}; (CPU/request): ${cpuCost.map((x) => round(x, 3)).join(', ')}`);
  target(`GET /keys page at offset ${deepOffset.toLocaleString('en')} (cost × first page)`, median(costRatios), TARGETS.deepPageCost, '<=', '×', `cost = first-page req/s ÷ deep-page req/s (medians of ${ROUNDS} alternated pairs); by server CPU per request the deep page costs ${round(median(cpuCost), 3)}× the first`);

  const mb = (bytes: number) => bytes / 1e6;
  extra.memoryBig = {
    afterStartMB: round(mb(afterStart.rss), 1),
    afterWarmupMB: round(mb(afterWarmup.rss), 1),
    afterLoadMB: round(mb(afterLoad.rss), 1),
    peakMB: round(mb(afterLoad.hwm), 1),
  };
  target(`resident memory with ${keys.toLocaleString('en')} keys (MB)`, mb(afterWarmup.rss), TARGETS.rssBigMB, '<=', ' MB', `VmRSS after start + warm-up; after start ${round(mb(afterStart.rss), 1)} MB, after the GET runs ${round(mb(afterLoad.rss), 1)} MB, peak (VmHWM) ${round(mb(afterLoad.hwm), 1)} MB`);
  await stopServer(big);
}

// ---- report -------------------------------------------------------------------------------

/** What was measured: the commit, and the files that differed from it (the tree may be dirty). */
function gitState() {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  return { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain').split('\n').filter(Boolean) };
}

function machine() {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '')?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return { nproc: os.availableParallelism(), cpu, node: process.version, os: `${os.type()} ${os.release()} ${os.arch()}`, memoryGB: round(os.totalmem() / 2 ** 30, 1) };
}



async function main(): Promise<void> {
  const started = performance.now();
  const loadStart = os.loadavg();
  compileCeiling(log);
  const journal = journalOptionAvailable();
  log(`duration ${DURATION} s (A/B slices ${SLICE} s), ${CONNECTIONS} connections, ${ROUNDS} A/B rounds; journal option ${journal ? 'available' : 'not available yet'}`);

  if (wanted('startup')) await startupCase();
  // The PATCH A/B rounds give every other case its ceiling, so they run unless only the mixed
  // pairs, which compare with their own parts, are asked for.
  const patchRounds = !ONLY || [...ONLY].some((group) => group !== 'mixed');
  if (patchRounds) {
    const { ceilingRps, project } = await patchCases(journal);
    if (wanted('single')) await singleCases(project, ceilingRps);
    if (wanted('reset')) await resetCase(project);
    await stopServer(project);
    if (wanted('streams')) await streamsCases(ceilingRps);
    if (wanted('spread')) await spreadCase(ceilingRps);
    if (wanted('big')) await bigCases(ceilingRps);
  }
  const mixed = wanted('mixed') ? await mixedGroup(log) : undefined;
  if (mixed) {
    rows.push(...mixed.rows);
    targets.push(...mixed.targets);
    notes.push(...mixed.notes);
    extra.mixed = mixed.json;
  }

  const caseTable = table(
    ['case', 'req/s', 'p50 ms', 'p99 ms', 'errors', '× ceiling req/s', 'CPU µs/req', '× ceiling CPU'],
    rows.map((r) => [
      r.case,
      fmt(r.rps),
      fmt(r.p50, 2),
      fmt(r.p99, 2),
      Number.isFinite(r.rps) ? String(r.errors) : '—',
      Number.isFinite(r.ratio) ? r.ratio.toFixed(3) : r.note ?? '—',
      fmt(r.cpu, 1),
      Number.isFinite(r.cpuRatio) ? r.cpuRatio.toFixed(3) : '—',
    ]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const targetTable = table(
    ['target', 'measured', 'target', 'result'],
    targets.map((t) => [t.target, t.value, t.limit, t.status]),
    ['l', 'r', 'r', 'l'],
  );
  const reset = extra.reset as { method: string } | undefined;
  const totalS = (performance.now() - started) / 1000;
  const out = [
    '',
    `Load: autocannon, ${CONNECTIONS} connections, ${DURATION} s a run (${SLICE} s in the alternated comparisons), against 127.0.0.1; servers are separate node processes on built JS.`,
    ...(patchRounds ? [`PATCH: project and ceiling alternated ${ROUNDS}×; "× ceiling" is the median of the per-round ratios (other cases: over the ceiling's median PATCH).`] : []),
    `"CPU µs/req": user+system CPU of the server process per answered request (/proc); "× ceiling CPU" = ceiling's ÷ this case's (1 = as cheap as the ceiling).`,
    `Load average at start ${loadStart.map((x) => x.toFixed(2)).join(' ')}, at end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (${os.availableParallelism()} CPUs).`,
    '',
    caseTable,
    '',
    ...(mixed ? [MIXED_LEGEND, '', mixed.table, ''] : []),
    targetTable,
    '',
    ...targets.filter((t) => t.note).map((t) => `- ${t.target}: ${t.note}`),
    ...notes.map((n) => `- ${n}`),
    ...(reset ? [`- reset measured ${reset.method}`] : []),
    '',
    `Total ${round(totalS, 1)} s. Results: bench/results.json`,
    '',
  ].join('\n');
  process.stdout.write(out);

  writeFileSync(
    RESULTS,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        command: 'npm run bench',
        machine: machine(),
        loadAverage: { start: loadStart.map((x) => round(x)), end: os.loadavg().map((x) => round(x)) },
        git: gitState(),
        settings: { duration: DURATION, slice: SLICE, connections: CONNECTIONS, rounds: ROUNDS, warmup: WARMUP, startupRuns: STARTUP_RUNS, bigStartupRuns: BIG_STARTUP_RUNS, journalOption: journal, now: NOW, seed: 1 },
        cases: rows.map((r) => ({
          ...r,
          rps: round(r.rps, 1),
          p50: round(r.p50, 3),
          p99: round(r.p99, 3),
          ratio: round(r.ratio, 4),
          cpu: round(r.cpu, 2),
          cpuRatio: round(r.cpuRatio, 4),
          runs: r.runs?.map((x) => ({ ...x, rps: round(x.rps, 1), p50: round(x.p50, 3), p99: round(x.p99, 3), cpuPerRequest: round(x.cpuPerRequest, 2) })),
        })),
        targets,
        notes,
        ...extra,
        totalSeconds: round(totalS, 1),
      },
      null,
      2,
    )}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  killServers();
  process.exit(1);
});
