/**
 * `npm run bench:dataset`: how long the start-up dataset takes to build, and the heap it keeps,
 * for a given number of keys (default 100,000), best of N runs (default 5) in fresh processes.
 *   BENCH_KEYS=100000 BENCH_RUNS=5 npm run bench:dataset
 */
import { spawnSync } from 'node:child_process';

const keys = Number(process.env.BENCH_KEYS ?? 100_000);
const runs = Number(process.env.BENCH_RUNS ?? 5);

if (process.argv[2] === '--child') {
  const { buildDataset } = await import('../dist/data/dataset.js');
  const { sha256Hex } = await import('../dist/runtime.js');
  const started = performance.now();
  const state = buildDataset({ seed: 1, now: Date.UTC(2026, 0, 14, 12), keys, fixtures: [], managementKeys: ['k'], sha256Hex });
  const ms = performance.now() - started;
  (globalThis as { gc?: () => void }).gc?.();
  const heapMb = process.memoryUsage().heapUsed / 1e6;
  process.stdout.write(JSON.stringify({ ms, heapMb, keys: state.accounts[0]!.keys.length }));
} else {
  const results = Array.from({ length: runs }, () => {
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', new URL(import.meta.url).pathname, '--child'], {
      encoding: 'utf8',
      env: process.env,
    });
    return JSON.parse(child.stdout) as { ms: number; heapMb: number; keys: number };
  }).sort((a, b) => a.ms - b.ms);
  const best = results[0]!;
  const median = results[Math.floor(results.length / 2)]!;
  console.log(
    `buildDataset, ${best.keys} keys: best ${best.ms.toFixed(0)} ms, median ${median.ms.toFixed(0)} ms of ${runs}; heap kept ${best.heapMb.toFixed(0)} MB`,
  );
}
