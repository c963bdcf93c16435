/**
 * PATCH with event streams open (`GET /__mock/events`, what an inspector page reads): one server
 * with 1 stream open and one with 100, alternated in BENCH_SLICE-second runs over
 * BENCH_STREAM_ROUNDS rounds (default 5; the order flips every round). Every stream is read (and
 * its bytes thrown away) in the runner's process, as a browser tab reads. Reported, no target:
 * each open stream costs a write per 25 ms batch, not a serialisation per event.
 *
 * Run by `npm run bench` (group `streams`).
 */
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { startProject, stopServer, type Server } from './servers.js';
import { CLI, envNumber, ROOT } from './shared.js';

const ROUNDS = Math.round(envNumber('BENCH_STREAM_ROUNDS', 5));
export const STREAM_COUNTS = [1, 100] as const;

/** Opens `count` streams and waits until each has answered (its status), so that all listen before the load. */
export async function openStreams(server: Server, count: number): Promise<() => void> {
  const closers: (() => void)[] = [];
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve, reject) => {
          const req = http.get({ host: '127.0.0.1', port: server.port, path: '/__mock/events', agent: false }, (res) => {
            if (res.statusCode !== 200) reject(new Error(`GET /__mock/events answered ${res.statusCode}`));
            res.resume();
            resolve();
          });
          req.on('error', reject);
          closers.push(() => req.destroy());
        }),
    ),
  );
  return () => {
    for (const close of closers) close();
  };
}

/** Whether the built CLI has the stream cap (older builds have no cap and no option). */
function capOption(): boolean {
  const help = spawnSync(process.execPath, [CLI, '--help'], { cwd: ROOT, encoding: 'utf8' });
  return /--max-event-streams\b/.test(help.stdout);
}

export interface StreamRuns<R> {
  streams: number;
  runs: R[];
}

/**
 * Measures PATCH on servers with 1 and 100 streams open, alternated; `measure` is the runner's
 * load function (one BENCH_SLICE-second autocannon run).
 */
export async function streamsGroup<R>(
  log: (message: string) => void,
  measure: (server: Server, warmup: boolean) => Promise<R>,
): Promise<StreamRuns<R>[]> {
  const most = Math.max(...STREAM_COUNTS);
  const extra = capOption() ? ['--max-event-streams', String(most)] : [];
  const servers: { streams: number; server: Server; close: () => void; runs: R[] }[] = [];
  for (const streams of STREAM_COUNTS) {
    const server = await startProject(undefined, extra);
    servers.push({ streams, server, close: await openStreams(server, streams), runs: [] });
  }
  log(`PATCH with ${STREAM_COUNTS.join(' and ')} event streams open: warming up`);
  for (const s of servers) await measure(s.server, true);
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 === 0 ? servers : [...servers].reverse();
    log(`PATCH with event streams open, round ${i + 1}/${ROUNDS}: ${order.map((s) => `${s.streams} open`).join(', ')}`);
    for (const s of order) s.runs.push(await measure(s.server, false));
  }
  for (const s of servers) {
    s.close();
    await stopServer(s.server);
  }
  return servers.map(({ streams, runs }) => ({ streams, runs }));
}

export const STREAMS_NOTE = `PATCH with N event streams open: two project servers (1 and 100 streams of GET /__mock/events, each read and discarded by the runner), alternated in ${ROUNDS} rounds (BENCH_STREAM_ROUNDS); "× ceiling" over the ceiling's median PATCH. Reported, no target.`;
