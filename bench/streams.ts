/**
 * PATCH with event streams open (`GET /__mock/events`, what an inspector page reads): one server
 * with 1 stream open, one with 100 and one with an inspector page's traffic (openPage), alternated in BENCH_SLICE-second runs over
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

/**
 * Opens what one inspector page costs the server: its event stream, and, as the page does
 * (inspector/src/app.tsx), a reload of the keys table (`GET /__mock/accounts/:id/keys/search`)
 * after a `keys` event, at most every 100 ms. The first account's table, as a first visit shows.
 */
export async function openPage(server: Server): Promise<() => void> {
  const accounts = await new Promise<string>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: server.port, path: '/__mock/accounts', agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
  const id = (JSON.parse(accounts) as { data: { id: string }[] }).data[0]!.id;
  const search = `/__mock/accounts/${encodeURIComponent(id)}/keys/search`;
  let due: NodeJS.Timeout | undefined;
  let last = 0;
  let closed = false;
  const reload = () => {
    due = undefined;
    last = Date.now();
    http.get({ host: '127.0.0.1', port: server.port, path: search }, (res) => res.resume()).on('error', () => {});
  };
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: server.port, path: '/__mock/events', agent: false }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`GET /__mock/events answered ${res.statusCode}`));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (closed || due !== undefined || !chunk.includes('event: keys')) return;
        due = setTimeout(reload, Math.max(0, last + 100 - Date.now()));
      });
      resolve(() => {
        closed = true;
        if (due !== undefined) clearTimeout(due);
        req.destroy();
      });
    });
    req.on('error', reject);
  });
}

/** Whether the built CLI has the stream cap (older builds have no cap and no option). */
function capOption(): boolean {
  const help = spawnSync(process.execPath, [CLI, '--help'], { cwd: ROOT, encoding: 'utf8' });
  return /--max-event-streams\b/.test(help.stdout);
}

export interface StreamRuns<R> {
  /** How many streams were open; `page`: one inspector page's traffic instead (openPage). */
  streams: number | 'page';
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
  const servers: { streams: number | 'page'; server: Server; close: () => void; runs: R[] }[] = [];
  for (const streams of STREAM_COUNTS) {
    const server = await startProject(undefined, extra);
    servers.push({ streams, server, close: await openStreams(server, streams), runs: [] });
  }
  const paged = await startProject(undefined, extra);
  servers.push({ streams: 'page', server: paged, close: await openPage(paged), runs: [] });
  log(`PATCH with ${STREAM_COUNTS.join(' and ')} event streams open, and with an inspector page's traffic: warming up`);
  for (const s of servers) await measure(s.server, true);
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 === 0 ? servers : [...servers].reverse();
    log(`PATCH with event streams open, round ${i + 1}/${ROUNDS}: ${order.map((s) => (s.streams === 'page' ? 'a page open' : `${s.streams} open`)).join(', ')}`);
    for (const s of order) s.runs.push(await measure(s.server, false));
  }
  for (const s of servers) {
    s.close();
    await stopServer(s.server);
  }
  return servers.map(({ streams, runs }) => ({ streams, runs }));
}

export const STREAMS_NOTE = `PATCH with N event streams open: project servers with 1 and 100 streams of GET /__mock/events (each read and discarded by the runner), and one with an inspector page's traffic (its event stream, and its keys table reloaded after a keys event at most every 100 ms, as inspector/src/app.tsx does), alternated in ${ROUNDS} rounds (BENCH_STREAM_ROUNDS); "× ceiling" over the ceiling's median PATCH. Reported, no target.`;
