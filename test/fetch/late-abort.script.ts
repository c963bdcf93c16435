/**
 * Run by late-abort.test.ts as `node --expose-gc --import tsx`: requests held by a `timeout`
 * fault, aborted late (300 ms, `AbortSignal.timeout(500)`) while the garbage collector runs every
 * few milliseconds, on the fetch handler and the MSW handlers. Prints one JSON line: each case's
 * outcome (`rejected <name>` as fetch rejects, or `pending` after 5 s).
 */
import { setupServer } from 'msw/node';
import { createMockFetch } from '../../src/fetch.js';
import { createMswHandlers } from '../../src/msw.js';

const exposed = (globalThis as { gc?: () => void }).gc;
if (!exposed) throw new Error('run with --expose-gc');
const gc = exposed;

/** What the request came to, collecting garbage (and making some) while it waits. */
async function outcome(pending: Promise<Response>): Promise<string> {
  const pressure = setInterval(() => {
    Array.from({ length: 50_000 }, (_, i) => ({ i }));
    gc();
  }, 10);
  try {
    return await Promise.race([
      pending.then(
        () => 'answered',
        (error: Error) => `rejected ${error.name}`,
      ),
      new Promise<string>((resolve) => setTimeout(() => resolve('pending'), 5000)),
    ]);
  } finally {
    clearInterval(pressure);
  }
}

/** A signal aborted after `ms`; the caller keeps only its controller, as code that aborts on a timer does. */
function abortedAfter(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms);
  return controller.signal;
}

const results: Record<string, string> = {};
const mock = await createMockFetch({ seed: 7, now: '2026-01-14T12:00:00Z' });
await mock.fault({ match: { path: '/keys' }, fault: 'timeout' });
const headers = { authorization: `Bearer ${mock.managementKey}` };
results['fetch, init.signal aborted at 300 ms'] = await outcome(mock.fetch('/api/v1/keys', { headers, signal: abortedAfter(300) }));
results['fetch, AbortSignal.timeout(500)'] = await outcome(mock.fetch('/api/v1/keys', { headers, signal: AbortSignal.timeout(500) }));
results['fetch, a Request carrying a signal aborted at 300 ms'] = await outcome(
  mock.fetch(new Request('https://openrouter.ai/api/v1/keys', { headers, signal: abortedAfter(300) })),
);
results['fetch, a Request carrying AbortSignal.timeout(500)'] = await outcome(
  mock.fetch(new Request('https://openrouter.ai/api/v1/keys', { headers, signal: AbortSignal.timeout(500) })),
);

for (const baseUrl of ['https://openrouter.ai', 'http://localhost:5173/openrouter']) {
  const { handlers, mock: msw } = await createMswHandlers({ seed: 7, baseUrl });
  const server = setupServer(...handlers);
  server.listen({ onUnhandledRequest: 'error' });
  await msw.fault({ match: { path: '/keys' }, fault: 'timeout' });
  const auth = { authorization: `Bearer ${msw.managementKey}` };
  results[`msw at ${baseUrl}, signal aborted at 300 ms`] = await outcome(fetch(`${baseUrl}/api/v1/keys`, { headers: auth, signal: abortedAfter(300) }));
  results[`msw at ${baseUrl}, AbortSignal.timeout(500)`] = await outcome(fetch(`${baseUrl}/api/v1/keys`, { headers: auth, signal: AbortSignal.timeout(500) }));
  server.close();
}
console.log(JSON.stringify(results));
