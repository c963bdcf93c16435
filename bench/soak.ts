/**
 * `npm run bench:soak`: a bounded soak of the built server (dist/cli.js on 127.0.0.1, started and
 * stopped here). For BENCH_SOAK_SECONDS (default 60), 10 keep-alive connections each cycle through
 * every kind of request below, waiting for each answer, and every answer must have its kind's
 * status:
 *
 *   good PATCH (name, limit, limit_reset, include_byok_in_limit)   200
 *   bad PATCH (a wrong type, a negative limit, a blank name, …)    400
 *   PATCH with malformed JSON                                      400
 *   list (first page, or a later page with disabled keys)         200
 *   GET of a hash no one has                                       404
 *   create                                                         201
 *   delete of the key this connection just created                 200
 *
 * Reports requests, 5xx (must be 0), client errors — socket errors and timeouts (must be 0) —,
 * unexpected statuses (must be 0), that the server still answers afterwards, and the server's
 * resident memory (VmRSS, /proc/<pid>/status) every 10 s, which must level off: the last reading
 * within 40 MB of the second (with fewer than three readings that target is n/a). Prints markdown
 * tables for BENCHMARKS.md and exits 1 when a target fails.
 *
 * The server starts with the default dataset; BENCH_SOAK_KEYS=N starts it with N keys instead.
 */
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { AUTH_ONLY, HEADERS, killServers, memoryOf, request, startProject, stopServer, type Server } from './servers.js';
import { envNumber, fmt, round, table } from './shared.js';

const SECONDS = envNumber('BENCH_SOAK_SECONDS', 60);
const KEYS = process.env.BENCH_SOAK_KEYS ? Math.round(envNumber('BENCH_SOAK_KEYS', 1)) : undefined;
const CONNECTIONS = 10;
const MEMORY_EVERY_S = 10;
/** An answer slower than this counts as a client error. */
const TIMEOUT_MS = 10_000;
const TARGETS = { memoryDriftMB: 40 };
/** A well-formed hash that no dataset holds. */
const UNKNOWN_HASH = 'f'.repeat(64);

const log = (message: string) => process.stderr.write(`[bench:soak] ${message}\n`);

/** One kind of request, the status it must get, and the statuses it got. */
interface Kind {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  expect: number;
  /** The next request's path and body; `worker` carries the key a worker just created. */
  next(worker: Worker): { path: string; body?: string };
  answered?(status: number, body: string, worker: Worker): void;
  answers: number;
  statuses: Map<number, number>;
}

/** What one connection's loop carries from one request to the next. */
interface Worker {
  created?: string;
}

/** Cycles through `items`. */
function cycle<T>(items: readonly T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length]!;
}

function kinds(hashes: readonly string[]): Kind[] {
  const key = cycle(hashes);
  const good = cycle(
    [
      { name: 'soak: renamed', limit: 50, limit_reset: 'weekly', include_byok_in_limit: true },
      { name: 'soak: back again', limit: null, limit_reset: null, include_byok_in_limit: false },
      { limit: 12.5 },
      { name: 'soak: named only' },
    ].map((body) => JSON.stringify(body)),
  );
  const bad = cycle(
    [{ limit: -1 }, { name: '' }, { name: '   ' }, { disabled: 'yes' }, { limit_reset: 'hourly' }, { include_byok_in_limit: 1 }, { name: 42 }].map((body) =>
      JSON.stringify(body),
    ),
  );
  const malformed = cycle(['{"name": "soak",', 'not json', '{"limit": 1}}', '{"name": "soak" "limit": 1}']);
  const list = cycle(['/api/v1/keys', '/api/v1/keys?include_disabled=true&offset=10']);
  const kind = (k: Omit<Kind, 'answers' | 'statuses'>): Kind => ({ ...k, answers: 0, statuses: new Map() });
  return [
    kind({ name: 'PATCH /keys/:hash, valid body', method: 'PATCH', expect: 200, next: () => ({ path: `/api/v1/keys/${key()}`, body: good() }) }),
    kind({ name: 'PATCH /keys/:hash, invalid body', method: 'PATCH', expect: 400, next: () => ({ path: `/api/v1/keys/${key()}`, body: bad() }) }),
    kind({ name: 'PATCH /keys/:hash, malformed JSON', method: 'PATCH', expect: 400, next: () => ({ path: `/api/v1/keys/${key()}`, body: malformed() }) }),
    kind({ name: 'GET /keys (two pages)', method: 'GET', expect: 200, next: () => ({ path: list() }) }),
    kind({ name: 'GET /keys/:hash, unknown hash', method: 'GET', expect: 404, next: () => ({ path: `/api/v1/keys/${UNKNOWN_HASH}` }) }),
    kind({
      name: 'POST /keys',
      method: 'POST',
      expect: 201,
      next: () => ({ path: '/api/v1/keys', body: JSON.stringify({ name: 'soak: created', limit: 5 }) }),
      answered: (status, body, worker) => {
        worker.created = status === 201 ? (JSON.parse(body) as { data: { hash: string } }).data.hash : undefined;
      },
    }),
    // Without a created key (the create failed), the delete asks for one no one has: a 404,
    // counted as unexpected.
    kind({ name: 'DELETE /keys/:hash, the key just created', method: 'DELETE', expect: 200, next: (worker) => ({ path: `/api/v1/keys/${worker.created ?? UNKNOWN_HASH}` }) }),
  ];
}

interface Reading {
  seconds: number;
  answers: number;
  rssMB: number;
}

interface Failures {
  /** Socket errors (reset, refused, …) by code. */
  errors: Map<string, number>;
  timeouts: number;
}

/**
 * The load: CONNECTIONS loops, each on its own keep-alive connection (Node's http agent), each
 * sending the kinds in turn and waiting for every answer. Node's client rather than autocannon:
 * Fastify answers malformed JSON and then closes the connection (it cannot know where the body
 * ended), and autocannon, which reconnects without forgetting the request it had already written,
 * then pairs every later answer with the wrong request.
 */
async function soak(server: Server, all: Kind[]): Promise<{ readings: Reading[]; failures: Failures; seconds: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const failures: Failures = { errors: new Map(), timeouts: 0 };
  const send = (kind: Kind, worker: Worker) =>
    new Promise<void>((resolve) => {
      const { path, body } = kind.next(worker);
      const headers = body === undefined ? AUTH_ONLY : HEADERS;
      const req = http.request({ host: '127.0.0.1', port: server.port, method: kind.method, path, headers, agent, timeout: TIMEOUT_MS }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          kind.answers++;
          kind.statuses.set(status, (kind.statuses.get(status) ?? 0) + 1);
          kind.answered?.(status, text, worker);
          resolve();
        });
      });
      req.on('timeout', () => {
        failures.timeouts++;
        req.destroy(new Error('timeout'));
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.message !== 'timeout') failures.errors.set(error.code ?? error.message, (failures.errors.get(error.code ?? error.message) ?? 0) + 1);
        resolve();
      });
      req.end(body);
    });
  const answered = () => all.reduce((n, k) => n + k.answers, 0);
  const readings: Reading[] = [];
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  const read = () => readings.push({ seconds: round((performance.now() - started) / 1000, 1), answers: answered(), rssMB: memoryOf(server.pid).rss / 1e6 });
  const timer = setInterval(read, MEMORY_EVERY_S * 1000);
  const loop = async () => {
    const worker: Worker = {};
    while (performance.now() < deadline) for (const kind of all) await send(kind, worker);
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, loop));
  clearInterval(timer);
  agent.destroy();
  // The last whole 10 s may end with the run: read it if the timer did not.
  if (readings.length < Math.floor(SECONDS / MEMORY_EVERY_S)) read();
  return { readings, failures, seconds: (performance.now() - started) / 1000 };
}

interface Target {
  target: string;
  value: string;
  limit: string;
  status: 'PASS' | 'MISS' | 'n/a';
}

async function main(): Promise<number> {
  const loadStart = os.loadavg();
  log(`starting the project (${KEYS === undefined ? 'default dataset' : `${KEYS} keys`}) on 127.0.0.1`);
  const server = await startProject(KEYS, ['--host', '127.0.0.1']);
  const page = await request(server.port, 'GET', '/api/v1/keys?include_disabled=true', { headers: AUTH_ONLY });
  if (page.status !== 200) throw new Error(`GET /keys answered ${page.status}: ${page.body.slice(0, 200)}`);
  const hashes = (JSON.parse(page.body) as { data: { hash: string }[] }).data.map((k) => k.hash);
  if (hashes.length === 0) throw new Error('the dataset lists no keys to PATCH');
  const all = kinds(hashes);
  const before = memoryOf(server.pid).rss / 1e6;
  log(`${SECONDS} s of mixed traffic on ${CONNECTIONS} connections (${all.map((k) => k.name).join(', ')})`);
  const { readings, failures, seconds } = await soak(server, all);
  const after = await request(server.port, 'GET', '/api/v1/keys', { headers: AUTH_ONLY }).catch((error: unknown) => ({ status: 0, body: String(error) }));
  const alive = server.child.exitCode === null && server.child.signalCode === null && after.status === 200;
  await stopServer(server);

  const total = all.reduce((n, k) => n + k.answers, 0);
  const status5xx = all.reduce((n, k) => n + [...k.statuses].filter(([s]) => s >= 500).reduce((m, [, c]) => m + c, 0), 0);
  const unexpectedOf = (k: Kind) => k.answers - (k.statuses.get(k.expect) ?? 0);
  const unexpected = all.reduce((n, k) => n + unexpectedOf(k), 0);
  const socketErrors = [...failures.errors.values()].reduce((n, x) => n + x, 0);
  const second = readings[1];
  const last = readings.at(-1);
  const drift = readings.length >= 3 && second && last ? Math.abs(last.rssMB - second.rssMB) : Number.NaN;

  const count = (name: string, value: number): Target => ({ target: name, value: String(value), limit: '= 0', status: value === 0 ? 'PASS' : 'MISS' });
  const targets: Target[] = [
    count('5xx answers', status5xx),
    count(`client errors (socket errors ${socketErrors}${failures.errors.size ? ` ${JSON.stringify(Object.fromEntries(failures.errors))}` : ''}, timeouts ${failures.timeouts})`, socketErrors + failures.timeouts),
    count('answers with an unexpected status', unexpected),
    { target: 'the server still answers GET /keys after the soak', value: alive ? 'yes' : `no (${after.status})`, limit: 'yes', status: alive ? 'PASS' : 'MISS' },
    {
      target: `resident memory: last reading within ${TARGETS.memoryDriftMB} MB of the second`,
      value: Number.isFinite(drift) ? `${round(drift, 1)} MB` : '—',
      limit: `<= ${TARGETS.memoryDriftMB} MB`,
      status: Number.isFinite(drift) ? (drift <= TARGETS.memoryDriftMB ? 'PASS' : 'MISS') : 'n/a',
    },
  ];

  const kindTable = table(
    ['request', 'expected', 'answers', 'unexpected', 'statuses seen'],
    all.map((k) => [
      k.name,
      String(k.expect),
      fmt(k.answers),
      fmt(unexpectedOf(k)),
      [...k.statuses].sort(([a], [b]) => a - b).map(([s, c]) => `${s}: ${fmt(c)}`).join(', '),
    ]),
    ['l', 'r', 'r', 'r', 'l'],
  );
  const memoryTable = table(
    ['after (s)', 'answers so far', 'VmRSS MB'],
    [['0 (before the load)', '0', fmt(before, 1)], ...readings.map((r) => [fmt(r.seconds, 1), fmt(r.answers), fmt(r.rssMB, 1)])],
    ['r', 'r', 'r'],
  );
  const targetTable = table(['target', 'measured', 'target', 'result'], targets.map((t) => [t.target, t.value, t.limit, t.status]), ['l', 'r', 'r', 'l']);
  const failed = targets.filter((t) => t.status === 'MISS');
  process.stdout.write(
    [
      '',
      `Soak: \`${process.env.BENCH_SOAK_SECONDS ? `BENCH_SOAK_SECONDS=${process.env.BENCH_SOAK_SECONDS} ` : ''}${KEYS === undefined ? '' : `BENCH_SOAK_KEYS=${KEYS} `}npm run bench:soak\`: ${round(seconds, 1)} s, ${CONNECTIONS} connections each cycling through the ${all.length} kinds below, against dist/cli.js on 127.0.0.1 (${KEYS === undefined ? 'default dataset' : `${KEYS} keys`}), ${fmt(total)} answers (${fmt(total / seconds)} a second).`,
      `Node ${process.version}, ${os.availableParallelism()} CPUs; load average at start ${loadStart.map((x) => x.toFixed(2)).join(' ')}, at end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}.`,
      '',
      kindTable,
      '',
      memoryTable,
      '',
      targetTable,
      '',
      ...(readings.length < 3 ? [`- Memory: ${readings.length} reading(s) under load; the level-off target needs three (a run of ${MEMORY_EVERY_S * 3} s or more).`, ''] : []),
      failed.length === 0 ? 'All targets met.' : `Failed: ${failed.map((t) => t.target).join('; ')}.`,
      '',
    ].join('\n'),
  );
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:soak failed: ${(error as Error).stack ?? String(error)}\n`);
    killServers();
    process.exit(1);
  },
);
