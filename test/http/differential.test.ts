/**
 * The doors against each other: one script of requests, sent to a listening server (over real HTTP,
 * with Node's `fetch`), to the fetch handler and to MSW handlers (in Node, `setupServer`) built with
 * the same options; every answer must be the same — status, `content-type`, `retry-after`,
 * `x-mock-server` and the body's bytes. Only the request id (a header not compared) and the
 * journal's `duration_ms` may differ. The script reaches every operation of the engine's table
 * (each method and route, HEAD twins and the event stream included): an operation added without a
 * step fails here, named.
 */
import fc from 'fast-check';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { MockControl } from '../../src/control/mock-control.js';
import { createMockFetch, type MockFetch, type MockFetchOptions } from '../../src/fetch.js';
import { Engine } from '../../src/http/engine.js';
import { Router } from '../../src/http/router.js';
import { createMswHandlers } from '../../src/msw.js';
import { createMockRuntime } from '../../src/runtime.js';
import { createMockServer, type MockServer } from '../../src/server.js';
import { DOCS_HASH, MANAGEMENT_KEY, TEST_NOW } from '../helpers/build.js';
import { SCRIPT, STRICT_SCRIPT, type Answers, type ScriptEntry, type Step } from './differential-script.js';

type Send = (step: Step) => Promise<Response>;

/** What a door answered, as compared. */
type Outcome =
  | { status: number; 'content-type': string | null; 'retry-after': string | null; 'x-mock-server': string | null; body: string }
  | { threw: string };

const encoder = new TextEncoder();
const init = (step: Step): RequestInit => ({
  method: step.method,
  headers: step.headers ?? {},
  ...(step.body === undefined ? {} : { body: encoder.encode(step.body) }),
});

/**
 * The journal's `duration_ms` and `wall_time` are the body fields that depend on timing, and its
 * `request_headers` are each door's own (a socket's `host`, `connection`, the client's `user-agent`).
 */
const normalise = (body: string) =>
  body
    .replace(/"(duration_ms|uptime_ms)":[0-9.e+-]+/g, (_, name: string) => `"${name}":0`)
    .replace(/"wall_time":"[^"]*"/g, '"wall_time":""')
    .replace(/"request_headers":\{[^}]*\}/g, '"request_headers":{}');

async function outcomeOf(sending: Promise<Response>): Promise<Outcome> {
  try {
    const res = await sending;
    const body = normalise(new TextDecoder().decode(await res.arrayBuffer()));
    const h = res.headers;
    return { status: res.status, 'content-type': h.get('content-type'), 'retry-after': h.get('retry-after'), 'x-mock-server': h.get('x-mock-server'), body };
  } catch (error) {
    const e = error as Error;
    return { threw: `${e.name}: ${e.message}` };
  }
}

/** Runs a script on one door, each step computed from this door's own earlier answers. */
async function run(script: ScriptEntry[], send: Send): Promise<{ steps: Step[]; outcomes: Outcome[] }> {
  const labelled = new Map<string, Outcome>();
  const answers: Answers = {
    json(label) {
      const outcome = labelled.get(label);
      if (!outcome || 'threw' in outcome) throw new Error(`step "${label}" has no answer`);
      return JSON.parse(outcome.body);
    },
  };
  const steps: Step[] = [];
  const outcomes: Outcome[] = [];
  for (const entry of script) {
    const step = typeof entry.step === 'function' ? entry.step(answers) : entry.step;
    const outcome = await outcomeOf(send(step));
    if (entry.label) labelled.set(entry.label, outcome);
    steps.push(step);
    outcomes.push(outcome);
  }
  return { steps, outcomes };
}

/** A readable list of every difference, one block per request. */
function differences(steps: Step[], server: Outcome[], fetched: Outcome[], door = 'fetch'): string[] {
  const found: string[] = [];
  steps.forEach((step, i) => {
    const a = server[i]!;
    const b = fetched[i]!;
    const fields = new Set([...Object.keys(a), ...Object.keys(b)]);
    const lines: string[] = [];
    for (const field of fields) {
      const x = (a as Record<string, unknown>)[field];
      const y = (b as Record<string, unknown>)[field];
      if (x !== y) lines.push(`    ${field}:\n      server: ${JSON.stringify(x)?.slice(0, 400)}\n      ${door}:  ${JSON.stringify(y)?.slice(0, 400)}`);
    }
    if (lines.length > 0) {
      const body = step.body === undefined ? '' : ` ${JSON.stringify(step.body.slice(0, 80))}`;
      found.push(`#${i + 1} ${step.method} ${step.path.slice(0, 120)} ${JSON.stringify(step.headers ?? {})}${body}\n${lines.join('\n')}`);
    }
  });
  return found;
}

interface Doors {
  server: MockServer;
  mock: MockFetch;
  viaServer: Send;
  viaFetch: Send;
  runOnMsw(script: ScriptEntry[]): ReturnType<typeof run>;
  close(): Promise<void>;
}

let mswDoors = 0;

async function doors(options: MockFetchOptions): Promise<Doors> {
  const server = await createMockServer({ port: 0, ...options });
  const mock = await createMockFetch(options);
  // On an origin of its own, so the other doors' requests (another MSW's too) pass by untouched.
  const origin = `https://msw-${++mswDoors}.openrouter.test`;
  const { handlers } = await createMswHandlers({ ...options, baseUrl: origin, catchAll: true });
  const msw = setupServer(...handlers);
  return {
    server,
    mock,
    close: () => server.close(),
    // MSW intercepts only while a script runs on it: two setupServer at once is not supported.
    async runOnMsw(script) {
      msw.listen({ onUnhandledRequest: 'bypass' });
      try {
        return await run(script, (step) => fetch(`${origin}${step.path}`, init(step)));
      } finally {
        msw.close();
      }
    },
    viaServer: (step) => fetch(`${server.origin}${step.path}`, init(step)),
    // Control steps by bare path, API steps on OpenRouter's origin: the handler takes both.
    viaFetch: (step) => mock.fetch(step.path.startsWith('/__mock') ? step.path : `https://openrouter.ai${step.path}`, init(step)),
  };
}

const OPTIONS = { seed: 7, now: TEST_NOW, bodyLimit: 4096, journalSize: 50 } as const;

/**
 * MSW's answers as the server's would read: a network error is MSW's `TypeError: Failed to fetch`
 * where Node's fetch says `fetch failed` (the same failure), and a path outside `/api/v1` and
 * `/__mock` is not MSW's to answer (it passes the request on), so the server's answer stands.
 */
function forMsw(steps: Step[], outcomes: Outcome[], server?: Outcome[]): Outcome[] {
  return outcomes.map((outcome, i) => {
    const path = steps[i]!.path;
    if (server && !/^\/(api\/v1|__mock)(\/|$)/.test(path)) return server[i]!;
    return 'threw' in outcome && outcome.threw === 'TypeError: Failed to fetch' ? { threw: 'TypeError: fetch failed' } : outcome;
  });
}

/** Every method and route the engine serves, HEAD twins included: what the scripts must reach. */
function operationsOf(options: MockFetchOptions): { router: Router; all: string[] } {
  const runtime = createMockRuntime(resolveConfig(options));
  const engine = new Engine(runtime, new MockControl(runtime));
  const all = engine.operations.flatMap((op) => (op.method === 'GET' ? ['GET', 'HEAD'] : [op.method]).map((method) => `${method} ${op.url}`));
  return { router: new Router(engine.operations), all };
}

/** The operations some step of the scripts was routed to, as "METHOD /url". */
function reached(router: Router, steps: Step[]): Set<string> {
  const found = new Set<string>();
  for (const step of steps) {
    try {
      const routed = router.find(step.method, step.path.split('?')[0]!);
      if (routed) found.add(`${step.method} ${routed.operation.url}`);
    } catch {
      // A malformed or over-long path: a step about the router, not about an operation.
    }
  }
  return found;
}

describe('differential: the fetch handler and MSW answer as the server does', () => {
  let main: Doors;
  let mainSteps: Step[] = [];
  let strictSteps: Step[] = [];
  beforeAll(async () => {
    main = await doors(OPTIONS);
  });
  afterAll(() => main.close());

  it(`the main script (${SCRIPT.length} requests)`, async () => {
    expect(SCRIPT.length).toBeGreaterThanOrEqual(60);
    const server = await run(SCRIPT, main.viaServer);
    const fetched = await run(SCRIPT, main.viaFetch);
    const msw = await main.runOnMsw(SCRIPT);
    expect(differences(server.steps, server.outcomes, fetched.outcomes).join('\n\n')).toBe('');
    expect(differences(server.steps, server.outcomes, forMsw(server.steps, msw.outcomes, server.outcomes), 'msw').join('\n\n')).toBe('');
    // Every door computed the same dependent steps (the same created hash, the same new account).
    expect(fetched.steps).toEqual(server.steps);
    expect(msw.steps).toEqual(server.steps);
    mainSteps = server.steps;
    // The script reached what it means to: each status, and the reset fault.
    const statuses = new Set(server.outcomes.map((o) => ('status' in o ? o.status : 0)));
    for (const status of [200, 201, 400, 401, 403, 404, 413, 414, 415, 429, 500, 502, 503]) expect(statuses, `status ${status}`).toContain(status);
    expect(server.outcomes.some((o) => 'threw' in o && o.threw === 'TypeError: fetch failed')).toBe(true);
  });

  it(`strict, with an admin token (${STRICT_SCRIPT.length} requests)`, async () => {
    const strict = await doors({ ...OPTIONS, strict: true, adminToken: 'admin-token-1' });
    try {
      const server = await run(STRICT_SCRIPT, strict.viaServer);
      const fetched = await run(STRICT_SCRIPT, strict.viaFetch);
      const msw = await strict.runOnMsw(STRICT_SCRIPT);
      expect(differences(server.steps, server.outcomes, fetched.outcomes).join('\n\n')).toBe('');
      expect(differences(server.steps, server.outcomes, forMsw(server.steps, msw.outcomes, server.outcomes), 'msw').join('\n\n')).toBe('');
      expect(server.outcomes.filter((o) => 'status' in o && o.status === 400).length).toBeGreaterThanOrEqual(2);
      strictSteps = server.steps;
    } finally {
      await strict.close();
    }
  });

  it('the scripts reach every operation of the engine (an operation without a step fails, named)', () => {
    expect(mainSteps.length, 'the main script ran').toBeGreaterThan(0);
    const { router, all } = operationsOf({ ...OPTIONS, strict: true });
    const found = reached(router, [...mainSteps, ...strictSteps]);
    expect(all.filter((op) => !found.has(op))).toEqual([]);
    // The event stream is among them: the check sees the whole table.
    expect(all).toContain('GET /__mock/events');
  });

  it('any Content-Type header gets the same status from both doors (PATCH, a valid small body)', async () => {
    const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,8}$/);
    const piece = fc.oneof(
      token,
      fc.constantFrom('application', 'json', 'Application', 'JSON', 'text', 'plain', 'charset', 'utf-8', 'UTF-8', '*'),
      fc.constantFrom('/', ';', '=', ' ', '\t', '"', ',', '; ', '/json', 'application/json', ' ; charset=utf-8', '\u00e9', '\\', '(', '@'),
    );
    const header = fc
      .array(piece, { minLength: 0, maxLength: 7 })
      .map((parts) => parts.join(''))
      // What a `Headers` object can carry at all (no control characters; it trims the ends itself).
      .filter((value) => !/[\r\n\0]/.test(value));
    const step = (contentType: string): Step => ({
      method: 'PATCH',
      path: `/api/v1/keys/${DOCS_HASH}`,
      headers: { authorization: `Bearer ${MANAGEMENT_KEY}`, 'content-type': contentType },
      body: '{"include_byok_in_limit":true}',
    });
    await fc.assert(
      fc.asyncProperty(header, async (contentType) => {
        const a = await outcomeOf(main.viaServer(step(contentType)));
        const b = await outcomeOf(main.viaFetch(step(contentType)));
        expect('status' in b && b.status, `Content-Type ${JSON.stringify(contentType)}`).toBe('status' in a && a.status);
      }),
      { numRuns: 300 },
    );
  });
});
