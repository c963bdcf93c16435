/**
 * Where the engine's cost of a PATCH goes, stage by stage, in process: the stages of
 * `Engine.handle` (src/http/engine.ts) called one at a time on the README's PATCH, each in a
 * loop after a warm-up, with the journal on and off. Printed by `npm run bench:instructions`
 * after its instruction counts (and runnable alone: `node --import tsx bench/stages.ts`).
 *
 * Time in a tight loop, not instructions and not a server's request: Fastify's own work (the
 * HTTP parser, its router, hooks, reply) and the kernel's are not here — that part is what the
 * ceiling of `npm run bench:instructions` has too. The numbers say which stage of the mock's own
 * work is large, not what a request costs. Environment: BENCH_STAGE_LOOPS (default 200,000).
 */
import fastJson from 'fast-json-stringify';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config.js';
import { DEFAULT_MANAGEMENT_KEY } from '../src/config.js';
import { MockControl } from '../src/control/mock-control.js';
import { Engine } from '../src/http/engine.js';
import type { Call, Elapsed, Operation } from '../src/http/operation.js';
import { SHARED_SCHEMAS } from '../src/schemas/validators.js';
import { createMockRuntime } from '../src/runtime.js';
import { DOCS_HASH, envNumber, NOW, PATCH_BODY } from './shared.js';

const LOOPS = Math.round(envNumber('BENCH_STAGE_LOOPS', 200_000));
const AUTHORIZATION = `Bearer ${DEFAULT_MANAGEMENT_KEY}`;
const URL = `/api/v1/keys/${DOCS_HASH}`;
const HEADERS = { authorization: AUTHORIZATION, 'content-type': 'application/json', 'content-length': String(PATCH_BODY.length), host: '127.0.0.1' };

export interface StageCost {
  stage: string;
  /** Nanoseconds a call, journal on and off. */
  on: number;
  off: number;
}

/** ns per call of `run`, after as many untimed calls. */
function time(run: () => unknown): number {
  for (let i = 0; i < LOOPS; i++) run();
  const start = process.hrtime.bigint();
  for (let i = 0; i < LOOPS; i++) run();
  return Number(process.hrtime.bigint() - start) / LOOPS;
}

function stagesOf(journalSize: number): Record<string, number> {
  const config = resolveConfig({ now: NOW, seed: 1, logLevel: 'silent', journalSize });
  const runtime = createMockRuntime(config);
  const engine = new Engine(runtime, new MockControl(runtime));
  const op = engine.operations.find((o) => o.method === 'PATCH' && o.url.endsWith('/keys/:hash')) as Operation;
  const elapsed: Elapsed = { elapsedTime: 0.1 };
  const call = (): Call => ({
    method: 'PATCH',
    url: URL,
    headers: HEADERS,
    params: { hash: DOCS_HASH },
    query: {},
    body: JSON.parse(PATCH_BODY),
    principal: null,
    arrivedAt: runtime.clock.now(),
  });
  const ready = call();
  ready.principal = engine.authorize(op.access, AUTHORIZATION);
  const serialize = fastJson(op.schema.response[200] as unknown as Parameters<typeof fastJson>[0], {
    schema: Object.fromEntries(SHARED_SCHEMAS.map((s) => [s.$id!, s])),
  } as Parameters<typeof fastJson>[1]);
  const answer = engine.run(op, ready, elapsed);
  if (answer instanceof Promise || answer.status !== 200) throw new Error(`the PATCH did not succeed: ${JSON.stringify(answer)}`);
  const body = answer.body;
  const bytes = new TextEncoder().encode(PATCH_BODY);
  return {
    'admit: authorize (management key, cached token hash)': time(() => engine.admit(op, AUTHORIZATION)),
    'readBody: media type and JSON parse': time(() => engine.readBody('api', 'PATCH', 'application/json', PATCH_BODY)),
    'run: query, faults, validation, handler, journal': time(() => {
      const c = call();
      c.principal = ready.principal;
      return engine.run(op, c, elapsed);
    }),
    '  of which: a fresh Call, its body parsed (the harness)': time(() => call()),
    'serialize: the 200 body (fast-json-stringify, as the server)': time(() => serialize(body)),
    'serialize: the 200 body (JSON.stringify, as fetch and MSW)': time(() => JSON.stringify(body)),
    'handle: the whole in-process pipeline (fetch and MSW doors)': Number.NaN,
    _bytes: bytes.byteLength,
  };
}

/** The in-process pipeline end to end (async): ns per `Engine.handle`. */
async function handleCost(journalSize: number): Promise<number> {
  const config = resolveConfig({ now: NOW, seed: 1, logLevel: 'silent', journalSize });
  const runtime = createMockRuntime(config);
  const engine = new Engine(runtime, new MockControl(runtime));
  const body = new TextEncoder().encode(PATCH_BODY);
  const incoming = { method: 'PATCH', url: URL, headers: HEADERS, body };
  const loops = Math.max(1000, Math.floor(LOOPS / 4));
  for (let i = 0; i < loops; i++) await engine.handle(incoming);
  const start = process.hrtime.bigint();
  for (let i = 0; i < loops; i++) await engine.handle(incoming);
  return Number(process.hrtime.bigint() - start) / loops;
}

export async function measureStages(): Promise<StageCost[]> {
  const on = stagesOf(1000);
  const off = stagesOf(0);
  on['handle: the whole in-process pipeline (fetch and MSW doors)'] = await handleCost(1000);
  off['handle: the whole in-process pipeline (fetch and MSW doors)'] = await handleCost(0);
  return Object.keys(on)
    .filter((stage) => !stage.startsWith('_'))
    .map((stage) => ({ stage, on: on[stage]!, off: off[stage]! }));
}

export function stageTable(costs: StageCost[]): string {
  const rows = costs.map(({ stage, on, off }) => `| ${stage} | ${on.toFixed(0)} | ${off.toFixed(0)} |`);
  return ['| stage (in process, ns a call) | journal on | journal off |', '| --- | --: | --: |', ...rows].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(stageTable(await measureStages()));
}
