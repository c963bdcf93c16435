/**
 * A `timeout` fault holds the request until the caller aborts, however late the abort comes and
 * whatever the garbage collector did meanwhile. The abort came through only within ~20 ms before:
 * the handler waited on the signal of a `Request` it had built, which follows the caller's signal
 * only while that `Request` lives. The cases run in a child process with `--expose-gc`
 * (late-abort.script.ts), where a collection every 10 ms makes a lost link certain, not likely.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./late-abort.script.ts', import.meta.url));

describe("a 'timeout' fault, aborted late under garbage collection", () => {
  it('rejects with the signal’s reason on the fetch handler (init.signal, a Request’s signal, AbortSignal.timeout) and on MSW', () => {
    const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', SCRIPT], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    const results = JSON.parse(output.trim().split('\n').at(-1)!) as Record<string, string>;
    expect(results).toEqual({
      'fetch, init.signal aborted at 300 ms': 'rejected AbortError',
      'fetch, AbortSignal.timeout(500)': 'rejected TimeoutError',
      'fetch, a Request carrying a signal aborted at 300 ms': 'rejected AbortError',
      'fetch, a Request carrying AbortSignal.timeout(500)': 'rejected TimeoutError',
      'msw at https://openrouter.ai, signal aborted at 300 ms': 'rejected AbortError',
      'msw at https://openrouter.ai, AbortSignal.timeout(500)': 'rejected TimeoutError',
      'msw at http://localhost:5173/openrouter, signal aborted at 300 ms': 'rejected AbortError',
      'msw at http://localhost:5173/openrouter, AbortSignal.timeout(500)': 'rejected TimeoutError',
    });
  }, 90_000);
});
