/**
 * What the bench scripts share: where the servers are, the requests they measure, the project's
 * settings, compiling the ceiling, and the numbers and tables of their reports.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = join(ROOT, 'dist', 'cli.js');
const CEILING_BUILD = join(ROOT, 'node_modules', '.cache', 'openrouter-keys-mock-bench');
export const CEILING = join(CEILING_BUILD, 'bench', 'ceiling.js');

export const NOW = '2026-01-15T12:00:00Z';
/** The project with its defaults, request logging off, a fixed clock and seed. */
export const PROJECT_ARGS = ['--log-level', 'silent', '--now', NOW, '--seed', '1'];
/** The documentation's example key: a fixture, so in every dataset. */
export const DOCS_HASH = 'f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943';
/** The README's PATCH example body. */
export const PATCH_BODY = JSON.stringify({ name: 'Updated API Key Name', disabled: false, limit: 75, limit_reset: 'daily', include_byok_in_limit: true });
/** The body of every measured POST /keys. */
export const POST_BODY = JSON.stringify({ name: 'bench key', limit: 10, limit_reset: 'monthly' });

/** A positive number from the environment (`fallback` when unset or empty); anything else throws. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number (got ${raw})`);
  return n;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Compiles the ceiling server (bench/ceiling.ts and the project schemas it imports) to plain JS
 * under node_modules/.cache, so that it runs under plain `node`, like dist/cli.js.
 */
export function compileCeiling(log: (message: string) => void): void {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first (the bench scripts do)');
  log('compiling the ceiling (bench/tsconfig.json)');
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'bench', 'tsconfig.json')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (tsc.status !== 0) throw new Error(`compiling the ceiling failed:\n${tsc.stdout}${tsc.stderr}`);
  mkdirSync(CEILING_BUILD, { recursive: true });
  // The output sits under node_modules, where Node stops looking for package.json: say it is ESM.
  writeFileSync(join(CEILING_BUILD, 'package.json'), '{"type":"module"}\n');
}

// ---- numbers and markdown tables for the reports ---------------------------------------

export const median = (values: number[]): number => {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
export const quantile = (values: number[], q: number): number => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};
export const round = (n: number, digits = 2) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : n);

export function table(headers: string[], body: string[][], align: ('l' | 'r')[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (align[i] === 'r' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(headers), rule, ...body.map(line)].join('\n');
}

export const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—');

/** A row of the bench's case table (bench/run.ts and bench/mixed.ts). */
export interface BenchCaseRow {
  case: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Requests/s over the ceiling's (median of the alternated ratios where alternated). */
  ratio: number;
  /** Server CPU µs per request. */
  cpu: number;
  /** The ceiling's CPU per request over this case's (1 = as cheap as the ceiling). */
  cpuRatio: number;
  note?: string;
}

/** A row of the bench's targets table. */
export interface BenchTargetRow {
  target: string;
  value: string;
  limit: string;
  status: 'PASS' | 'MISS' | 'n/a';
  note?: string;
}
