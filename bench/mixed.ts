/**
 * Mixed traffic at 100,000 keys: the pattern of a key-management UI — a write, then a refreshed
 * list — as four pairs, each on 4 connections:
 *
 *   create + list              POST /keys                                   GET /keys
 *   toggle disabled + list     PATCH {"disabled": …} (flipped, then back)    GET /keys
 *   delete + list              DELETE /keys/:hash (hashes fetched first)     GET /keys
 *   PATCH + deep page          PATCH (README body, `disabled` flipped)       GET /keys?offset=50000&include_disabled=false
 *
 * For each pair: the write alone (a req/s), the list alone (b) and the two mixed, in
 * BENCH_SLICE-second runs (default 1), alternated for BENCH_MIXED_ROUNDS rounds (default 5; the
 * order flips every round). If neither request made the other dearer, the mix would answer
 * 2 / (1/a + 1/b) requests/s: each connection waits for one of each, so a pair takes 1/a + 1/b of
 * the connections' time. Targets: mixed ≥ 0.8 × that (median of the per-round ratios), and p99 of
 * all the pair's mixed answers ≤ 10 ms.
 *
 * How "mixed" is driven: one autocannon instance whose `requests` array is [write, list], which
 * autocannon cycles per connection, so every connection sends write, list, write, list… Both kinds
 * stay equal in number, as the prediction assumes, and every list follows a write on its own
 * connection with the other connections' writes landing in between. Two instances of 2
 * connections (one per kind) would not measure this: each kind would run at its own pace, the
 * cheap write would make up most of the answers, and the total would hide the list that a write
 * made slow — the very thing measured here.
 *
 * Run by `npm run bench` (group `mixed`; `BENCH_ONLY=mixed npm run bench` runs only this and
 * records it in bench/results.json), or on its own after a build, printing the same tables:
 *   npm run build && node --import tsx bench/mixed.ts
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { createRandom } from '../src/domain/random.js';
import { AUTH_ONLY, cpuMicros, HEADERS, killServers, request, startProject, stopServer, type Server } from './servers.js';
import { type BenchCaseRow, type BenchTargetRow, envNumber, fmt, median, PATCH_BODY, POST_BODY, quantile, round, table } from './shared.js';

const KEYS = 100_000;
const CONNECTIONS = 4;
const ROUNDS = Math.round(envNumber('BENCH_MIXED_ROUNDS', 5));
const SLICE = envNumber('BENCH_SLICE', 1);
const WARMUP = envNumber('BENCH_WARMUP', 2);
const DEEP_OFFSET = 50_000;
export const MIXED_TARGETS = { ratio: 0.8, p99Ms: 10 };
/**
 * Deletes use keys up. At most this share of the listed workspace is deleted on one server, so
 * that the delete pair always lists from at least 80 % of the keys it started with; it starts a
 * fresh server (the same deterministic dataset) every round.
 */
const DELETE_SHARE = 0.2;
/** Keys whose `disabled` the PATCH pairs flip. */
const RING = 1000;
/** A well-formed hash that no dataset holds: what a delete past its budget would send (a 404). */
const UNKNOWN_HASH = '0'.repeat(64);

// ---- the requests -------------------------------------------------------------------------

/** One kind of request of a pair. */
interface Part {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The status every answer should have; any other is counted as unexpected. */
  expect: number;
  /** The next request (called as each request is built, on any connection); `key` comes back to `answered`. */
  next(): { path: string; body?: string; key?: number };
  answered?(status: number, key: number | undefined): void;
}

interface Listed {
  hash: string;
  disabled: boolean;
}

/** The default workspace's keys, disabled ones included, newest first, through GET /keys pages. */
async function listAll(server: Server): Promise<Listed[]> {
  const keys: Listed[] = [];
  for (let offset = 0; ; offset += 100) {
    const r = await request(server.port, 'GET', `/api/v1/keys?include_disabled=true&offset=${offset}`, { headers: AUTH_ONLY });
    if (r.status !== 200) throw new Error(`GET /keys answered ${r.status}: ${r.body.slice(0, 200)}`);
    const page = (JSON.parse(r.body) as { data: Listed[] }).data;
    for (const { hash, disabled } of page) keys.push({ hash, disabled });
    if (page.length < 100) return keys;
  }
}

/** A seeded shuffle (Fisher–Yates): the same order on every run. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = createRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const listPart = (name: string, path: string): Part => ({ name, method: 'GET', expect: 200, next: () => ({ path }) });
const firstPage = () => listPart('list', '/api/v1/keys');
const deepPage = () => listPart(`page at ${DEEP_OFFSET.toLocaleString('en')}`, `/api/v1/keys?offset=${DEEP_OFFSET}&include_disabled=false`);
const createPart = (): Part => ({ name: 'create', method: 'POST', expect: 201, next: () => ({ path: '/api/v1/keys', body: POST_BODY }) });

/**
 * PATCHes that each flip `disabled` on one of RING keys spread over the listing, to the opposite
 * of its last answered value: every PATCH really changes what a list without disabled keys
 * shows, and a key flipped once is flipped back the next time round, so the listing never drifts
 * by more than RING keys. The ring is far longer than the requests in flight: no two PATCHes of
 * one key are ever in flight together.
 */
function flipPart(name: string, keys: Listed[], body: (disabled: boolean) => string): Part {
  const step = Math.max(1, Math.floor(keys.length / RING));
  const ring = keys.filter((_, i) => i % step === 0).slice(0, RING);
  const disabled = ring.map((key) => key.disabled);
  const bodies = { true: body(true), false: body(false) };
  let next = 0;
  return {
    name,
    method: 'PATCH',
    expect: 200,
    next: () => {
      const i = next++ % ring.length;
      return { path: `/api/v1/keys/${ring[i]!.hash}`, body: bodies[`${!disabled[i]}`], key: i };
    },
    answered: (status, i) => {
      if (status === 200 && i !== undefined) disabled[i] = !disabled[i];
    },
  };
}

/** DELETEs of the given hashes in order; past the end, of a hash no one has (answered 404, counted). */
function deletePart(hashes: readonly string[]): Part {
  let next = 0;
  return { name: 'delete', method: 'DELETE', expect: 200, next: () => ({ path: `/api/v1/keys/${hashes[next++] ?? UNKNOWN_HASH}` }) };
}

interface Parts {
  write: Part;
  list: Part;
  /** For writes that use keys up: the most one warm-up and one run may send. */
  limit?: { warmup: number; run: number };
}

interface PairSpec {
  name: string;
  /** The parts, for a server just started (with 100,000 keys). */
  parts(server: Server): Promise<Parts>;
}

/** The default workspace's listing, fetched once: every server starts from the same dataset. */
function cachedListing(): (server: Server) => Promise<Listed[]> {
  let keys: Listed[] | undefined;
  return async (server) => (keys ??= await listAll(server));
}

function pairs(): PairSpec[] {
  const listing = cachedListing();
  return [
    { name: 'create + list', parts: async () => ({ write: createPart(), list: firstPage() }) },
    {
      name: 'toggle disabled + list',
      parts: async (server) => ({ write: flipPart('toggle', await listing(server), (disabled) => JSON.stringify({ disabled })), list: firstPage() }),
    },
    {
      name: 'delete + list',
      parts: async (server) => {
        const keys = await listing(server);
        const budget = Math.floor(keys.length * DELETE_SHARE);
        const hashes = shuffled(keys.map((key) => key.hash), 1).slice(0, budget);
        // autocannon shares a run's limit out per connection (in the mix a connection may send
        // one delete more than half its share), and may prepare one request per connection that
        // it never sends: keep a margin of two per connection.
        const warmup = Math.floor(budget * 0.1) - 2 * CONNECTIONS;
        const run = Math.floor(budget * 0.45) - 2 * CONNECTIONS;
        return { write: deletePart(hashes), list: firstPage(), limit: { warmup, run } };
      },
    },
    {
      name: 'PATCH + deep page',
      parts: async (server) => {
        const readme = JSON.parse(PATCH_BODY) as Record<string, unknown>;
        const write = flipPart('PATCH', await listing(server), (disabled) => JSON.stringify({ ...readme, disabled }));
        const deep = await request(server.port, 'GET', `/api/v1/keys?offset=${DEEP_OFFSET}&include_disabled=false`, { headers: AUTH_ONLY });
        const count = deep.status === 200 ? (JSON.parse(deep.body) as { data: unknown[] }).data.length : -1;
        if (count !== 100) throw new Error(`GET /keys?offset=${DEEP_OFFSET}&include_disabled=false answered ${deep.status} with ${count} keys, not a full page`);
        return { write, list: deepPage() };
      },
    },
  ];
}

// ---- driving them -------------------------------------------------------------------------

interface Run {
  rps: number;
  total: number;
  p50: number;
  p99: number;
  /** Socket errors and timeouts. */
  errors: number;
  /** Requests still unanswered when the run stopped (their wait so far is in `latencies`). */
  unanswered: number;
  /** Answers whose status was not the one their kind expects, as "<kind> <status>" → count. */
  unexpected: Record<string, number>;
  cpuPerRequest: number;
  /** Every answer's latency (ms), and by part; with the waits of the unanswered requests. */
  latencies: number[];
  byPart: number[][];
}

/**
 * Drives `parts` in turn on every connection for `seconds`, or until `maxRequests` answers.
 * Requests/s are answers over the run's time: until autocannon stops it, or, for a run that
 * reached `maxRequests`, until its last answer (autocannon notices only at its next sample).
 */
async function drive(server: Server, parts: Part[], seconds: number, maxRequests?: number): Promise<Run> {
  const byPart: number[][] = parts.map(() => []);
  const latencies: number[] = [];
  const unexpected: Record<string, number> = {};
  // autocannon calls a request's onResponse just before it emits 'response' with the latency.
  let answeredPart = 0;
  const requests: autocannon.Request[] = parts.map((part, i) => ({
    method: part.method,
    headers: part.method === 'POST' || part.method === 'PATCH' ? HEADERS : AUTH_ONLY,
    setupRequest: (req, context) => {
      const next = part.next();
      req.path = next.path;
      if (next.body !== undefined) req.body = next.body;
      (context as { key?: number }).key = next.key;
      return req;
    },
    onResponse: (status, _body, context) => {
      answeredPart = i;
      if (status !== part.expect) unexpected[`${part.name} ${status}`] = (unexpected[`${part.name} ${status}`] ?? 0) + 1;
      part.answered?.(status, (context as { key?: number }).key);
    },
  }));
  const cpuBefore = cpuMicros(server.pid);
  const started = performance.now();
  let last = started;
  const instance = autocannon({
    url: server.origin,
    connections: CONNECTIONS,
    duration: seconds,
    requests,
    // Stops a run that reached maxRequests within 0.1 s rather than at the next whole second.
    sampleInt: 100,
    ...(maxRequests === undefined ? {} : { maxOverallRequests: maxRequests }),
  }) as unknown as Promise<autocannon.Result> & NodeJS.EventEmitter;
  // Per connection: when its request now in flight was sent (a connection sends its next request
  // as soon as it has an answer), and which part it is.
  const waiting = new Map<unknown, { since: number; part: number }>();
  instance.on('response', (client: unknown, _status: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    byPart[answeredPart]!.push(responseTime);
    last = performance.now();
    waiting.set(client, { since: last, part: (answeredPart + 1) % parts.length });
  });
  const result = await instance;
  const stopped = performance.now();
  const cpu = cpuMicros(server.pid) - cpuBefore;
  const answers = latencies.length;
  const ended = maxRequests !== undefined && answers >= maxRequests ? last : stopped;
  // autocannon drops the requests still in flight when it stops a run, and the slowest are the
  // likeliest to be in flight: each counts here with the time it had waited (a lower bound), or a
  // server too slow to answer within the run would show a flattering p99. Connections that never
  // answered have waited since the start.
  const unanswered = Math.min(CONNECTIONS, Math.max(0, result.requests.sent - answers - result.errors));
  const pending = [...waiting.values(), ...Array.from({ length: CONNECTIONS - waiting.size }, () => ({ since: started, part: 0 }))];
  for (const { since, part } of pending.sort((x, y) => x.since - y.since).slice(0, unanswered)) {
    latencies.push(stopped - since);
    byPart[part]!.push(stopped - since);
  }
  return {
    rps: answers / ((ended - started) / 1000),
    total: answers,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    errors: result.errors,
    unanswered,
    unexpected,
    cpuPerRequest: cpu / Math.max(1, latencies.length),
    latencies,
    byPart,
  };
}

/**
 * One untimed request of a list, before the list is measured alone: "alone" is what a list costs
 * when nothing else happens, not the first answer after a run of writes (which, with listings
 * rebuilt after a write, would rebuild one and make b — and so the prediction — far too low).
 */
async function prime(server: Server, list: Part): Promise<void> {
  const { path } = list.next();
  const r = await request(server.port, list.method, path, { headers: AUTH_ONLY, timeoutMs: 60_000 });
  if (r.status !== list.expect) throw new Error(`${list.method} ${path} answered ${r.status}: ${r.body.slice(0, 200)}`);
}

interface PairResult {
  name: string;
  write: string;
  list: string;
  /** Medians over the rounds. */
  writeRps: number;
  listRps: number;
  predictedRps: number;
  mixedRps: number;
  /** Median of the per-round mixed ÷ predicted. */
  ratio: number;
  /** Over every mixed answer of every round. */
  p50: number;
  p99: number;
  writeP99: number;
  listP99: number;
  mixedCpu: number;
  errors: number;
  unexpected: Record<string, number>;
  rounds: { write: Run; list: Run; mixed: Run; predicted: number; ratio: number }[];
}

async function measurePair(spec: PairSpec, log: (message: string) => void): Promise<PairResult> {
  const rounds: PairResult['rounds'] = [];
  let server: Server | undefined;
  let parts: Parts | undefined;
  for (let i = 0; i < ROUNDS; i++) {
    // A fresh server on the first round, and on every round for writes that use keys up.
    if (!server || !parts || parts.limit) {
      if (server) await stopServer(server);
      log(`mixed: ${spec.name}: starting the project with ${KEYS.toLocaleString('en')} keys`);
      server = await startProject(KEYS);
      parts = await spec.parts(server);
      log(`mixed: ${spec.name}: warming up`);
      await drive(server, [parts.write], WARMUP, parts.limit?.warmup);
      await prime(server, parts.list);
      await drive(server, [parts.list], WARMUP);
    }
    const { write, list, limit } = parts;
    log(`mixed: ${spec.name}, round ${i + 1}/${ROUNDS}`);
    const runs: Partial<Record<'write' | 'list' | 'mixed', Run>> = {};
    for (const which of i % 2 === 0 ? (['write', 'list', 'mixed'] as const) : (['mixed', 'list', 'write'] as const)) {
      if (which === 'write') runs.write = await drive(server, [write], SLICE, limit?.run);
      else if (which === 'list') {
        await prime(server, list);
        runs.list = await drive(server, [list], SLICE);
      }
      else runs.mixed = await drive(server, [write, list], SLICE, limit ? 2 * limit.run : undefined);
    }
    const a = runs.write!.rps;
    const b = runs.list!.rps;
    const predicted = 2 / (1 / a + 1 / b);
    rounds.push({ write: runs.write!, list: runs.list!, mixed: runs.mixed!, predicted, ratio: runs.mixed!.rps / predicted });
    log(`  ${parts.write.name} ${round(a)} req/s, ${parts.list.name} ${round(b)} req/s, mixed ${round(runs.mixed!.rps)} req/s (${round(runs.mixed!.rps / predicted, 3)} × ${round(predicted)})`);
  }
  await stopServer(server!);
  const all = rounds.flatMap((r) => [r.write, r.list, r.mixed]);
  const unexpected: Record<string, number> = {};
  for (const run of all) for (const [what, n] of Object.entries(run.unexpected)) unexpected[what] = (unexpected[what] ?? 0) + n;
  const mixed = rounds.map((r) => r.mixed);
  const pooled = (pick: (run: Run) => number[]) => mixed.flatMap(pick);
  return {
    name: spec.name,
    write: parts!.write.name,
    list: parts!.list.name,
    writeRps: median(rounds.map((r) => r.write.rps)),
    listRps: median(rounds.map((r) => r.list.rps)),
    predictedRps: median(rounds.map((r) => r.predicted)),
    mixedRps: median(mixed.map((r) => r.rps)),
    ratio: median(rounds.map((r) => r.ratio)),
    p50: quantile(pooled((r) => r.latencies), 0.5),
    p99: quantile(pooled((r) => r.latencies), 0.99),
    writeP99: quantile(pooled((r) => r.byPart[0]!), 0.99),
    listP99: quantile(pooled((r) => r.byPart[1]!), 0.99),
    mixedCpu: median(mixed.map((r) => r.cpuPerRequest)),
    errors: all.reduce((n, run) => n + run.errors, 0),
    unexpected,
    rounds,
  };
}

// ---- the report ---------------------------------------------------------------------------

/** The rows of the case and target tables, shaped as bench/run.ts's (bench/shared.ts). */
export type MixedCaseRow = BenchCaseRow;
export type MixedTargetRow = BenchTargetRow;

export interface MixedReport {
  rows: MixedCaseRow[];
  targets: MixedTargetRow[];
  notes: string[];
  /** The pairs as a markdown table. */
  table: string;
  /** For bench/results.json. */
  json: unknown;
}

const unexpectedCount = (p: PairResult) => Object.values(p.unexpected).reduce((n, x) => n + x, 0);

function check(name: string, value: number, limit: number, direction: '>=' | '<=', unit: string, note: string): MixedTargetRow {
  const ok = direction === '>=' ? value >= limit : value <= limit;
  return {
    target: name,
    value: `${round(value, unit === '×' ? 3 : 2)}${unit}`,
    limit: `${direction} ${limit}${unit}`,
    status: Number.isFinite(value) ? (ok ? 'PASS' : 'MISS') : 'n/a',
    note,
  };
}

/** Measures the four pairs, one after another, each on servers of its own. */
export async function mixedGroup(log: (message: string) => void): Promise<MixedReport> {
  const results: PairResult[] = [];
  for (const spec of pairs()) results.push(await measurePair(spec, log));
  const keys = `${KEYS.toLocaleString('en')} keys`;
  const rows = results.map(
    (p): MixedCaseRow => ({
      case: `${p.name}, mixed (${keys}, ${CONNECTIONS} connections)`,
      rps: p.mixedRps,
      p50: p.p50,
      p99: p.p99,
      errors: p.errors + unexpectedCount(p),
      ratio: Number.NaN,
      cpu: p.mixedCpu,
      cpuRatio: Number.NaN,
    }),
  );
  const targets = results.flatMap((p) => [
    check(
      `${p.name}, mixed (× 2/(1/a+1/b) of the parts alone)`,
      p.ratio,
      MIXED_TARGETS.ratio,
      '>=',
      '×',
      `${p.write} alone ${round(p.writeRps)} req/s, ${p.list} alone ${round(p.listRps)} req/s, predicted ${round(p.predictedRps)}, mixed ${round(p.mixedRps)} (medians of ${ROUNDS} rounds); per-round ratios ${p.rounds.map((r) => round(r.ratio, 3)).join(', ')}`,
    ),
    check(
      `${p.name}, mixed: p99 (ms)`,
      p.p99,
      MIXED_TARGETS.p99Ms,
      '<=',
      ' ms',
      `over all ${p.rounds.reduce((n, r) => n + r.mixed.total, 0)} mixed answers, and the waits of ${p.rounds.reduce((n, r) => n + r.mixed.unanswered, 0)} requests unanswered when a run stopped; p99 of the ${p.write} ${round(p.writeP99)} ms, of the ${p.list} ${round(p.listP99)} ms`,
    ),
  ]);
  const notes = results
    .filter((p) => p.errors > 0 || unexpectedCount(p) > 0)
    .map((p) => `${p.name}: ${p.errors} socket errors/timeouts; unexpected answers: ${JSON.stringify(p.unexpected)}`);
  const pairTable = table(
    [`pair (${keys}, ${CONNECTIONS} connections)`, 'a: write alone req/s', 'b: list alone req/s', '2/(1/a+1/b)', 'mixed req/s', 'mixed ÷ predicted', 'mixed p50 ms', 'mixed p99 ms', 'p99 write / list ms', 'errors'],
    results.map((p) => [
      p.name,
      fmt(p.writeRps),
      fmt(p.listRps),
      fmt(p.predictedRps),
      fmt(p.mixedRps),
      Number.isFinite(p.ratio) ? p.ratio.toFixed(3) : '—',
      fmt(p.p50, 2),
      fmt(p.p99, 2),
      `${fmt(p.writeP99, 2)} / ${fmt(p.listP99, 2)}`,
      String(p.errors + unexpectedCount(p)),
    ]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const summary = (run: Run) => ({
    rps: round(run.rps, 1),
    total: run.total,
    unanswered: run.unanswered,
    p50: round(run.p50, 3),
    p99: round(run.p99, 3),
    errors: run.errors,
    unexpected: run.unexpected,
    cpuPerRequest: round(run.cpuPerRequest, 2),
  });
  const json = {
    settings: { keys: KEYS, connections: CONNECTIONS, rounds: ROUNDS, slice: SLICE, warmup: WARMUP, deepOffset: DEEP_OFFSET, deleteShare: DELETE_SHARE, ring: RING },
    pairs: results.map((p) => ({
      name: p.name,
      writeRps: round(p.writeRps, 1),
      listRps: round(p.listRps, 1),
      predictedRps: round(p.predictedRps, 1),
      mixedRps: round(p.mixedRps, 1),
      ratio: round(p.ratio, 4),
      p50: round(p.p50, 3),
      p99: round(p.p99, 3),
      writeP99: round(p.writeP99, 3),
      listP99: round(p.listP99, 3),
      errors: p.errors,
      unexpected: p.unexpected,
      rounds: p.rounds.map((r) => ({ write: summary(r.write), list: summary(r.list), mixed: summary(r.mixed), predicted: round(r.predicted, 1), ratio: round(r.ratio, 4) })),
    })),
  };
  return { rows, targets, notes, table: pairTable, json };
}

/** The explanation printed under the pair table. */
export const MIXED_LEGEND = `Mixed pairs: each connection alternates the write and the list; a and b are each alone on the same ${CONNECTIONS} connections, alternated with the mix in ${SLICE} s runs over ${ROUNDS} rounds (medians); p50/p99 over all mixed answers, with the wait so far of each request a run's end cut off.`;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const log = (message: string) => process.stderr.write(`[bench:mixed] ${message}\n`);
  mixedGroup(log).then(
    (report) => {
      const targets = table(['target', 'measured', 'target', 'result'], report.targets.map((t) => [t.target, t.value, t.limit, t.status]), ['l', 'r', 'r', 'l']);
      const notes = [...report.targets.map((t) => `- ${t.target}: ${t.note}`), ...report.notes.map((n) => `- ${n}`)];
      process.stdout.write(['', MIXED_LEGEND, '', report.table, '', targets, '', ...notes, ''].join('\n'));
    },
    (error: unknown) => {
      process.stderr.write(`bench:mixed failed: ${(error as Error).stack ?? String(error)}\n`);
      killServers();
      process.exit(1);
    },
  );
}
