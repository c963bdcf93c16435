import { Type } from '@sinclair/typebox';
import type { MockControl } from '../control/mock-control.js';
import type { FaultSpec } from '../domain/faults.js';
import { CONTROL_PREFIX, TAGS } from '../domain/paths.js';
import { errorResponses } from '../schemas/common.js';
import {
  AccountCreateBody,
  AccountKeysQuery,
  AccountKeySchema,
  AccountSummarySchema,
  ClockChangeBody,
  ClockSchema,
  CreatedAccountSchema,
  DeletedCountSchema,
  FaultRuleSchema,
  FaultSpecBody,
  HashParams,
  HealthSchema,
  IdParams,
  JournalPageSchema,
  JournalQuery,
  ScenarioApplyBody,
  ScenarioNameParams,
  StateDocumentSchema,
  UsageBody,
} from '../schemas/control.js';
import { KeyListResponseSchema, KeyResponseSchema } from '../schemas/keys.js';
import { VERSION } from '../version.js';
import { operation, type Call, type Operation, type OperationSchema } from './operation.js';


/**
 * The largest body a `/__mock` control route accepts, whatever `--body-limit` says: 256 MiB. The
 * largest documents it takes are `PUT /__mock/state` exports, and those of 100,000 keys must
 * round-trip: measured at 58 MiB as `GET /__mock/state` writes it (~600 bytes a key), 84 MiB
 * pretty-printed with two spaces. 256 MiB leaves room for three times that (longer names, external
 * users, more accounts) and stays well under V8's longest string (~512 MiB), which the body is
 * read into before parsing.
 */
export const CONTROL_BODY_LIMIT = 256 * 1024 * 1024;

/**
 * The largest body of every other control route (a fault rule, a clock change, an account's
 * options: a few hundred bytes): 1 MiB, so that only the state import reads a large body.
 */
export const CONTROL_OPTIONS_BODY_LIMIT = 1024 * 1024;

/** The largest body a control operation takes: CONTROL_BODY_LIMIT for `PUT /__mock/state`, CONTROL_OPTIONS_BODY_LIMIT for the rest. */
export function controlBodyLimit(op: Pick<Operation, 'method' | 'url'>): number {
  return op.method === 'PUT' && op.url === `${CONTROL_PREFIX}/state` ? CONTROL_BODY_LIMIT : CONTROL_OPTIONS_BODY_LIMIT;
}

const tags = [TAGS.control.name];
const errors = errorResponses([400, 401, 404, 413, 415, 500]);
const SummarySchema = Type.Object({ accounts: Type.Integer(), keys: Type.Integer() });

const params = <T>(call: Call) => call.params as T;

/**
 * `/__mock`: the test-control plane, one table over `MockControl` (the same object the test handle
 * calls). Health is always served and open; the rest only with `--control` (the default), behind
 * `--admin-token` when one is set (`access: 'admin'`).
 */
export function controlOperations(control: MockControl, { enabled, startedAt = Date.now() }: { enabled: boolean; startedAt?: number }): Operation[] {
  const route = (
    method: Operation['method'],
    path: string,
    schema: Omit<OperationSchema, 'tags'>,
    handle: (call: Call) => unknown,
    extra: Partial<Pick<Operation, 'status' | 'bodyOptional' | 'handlerChecksBody'>> = {},
  ): Operation =>
    operation({ method, url: `${CONTROL_PREFIX}${path}`, plane: 'control', access: 'admin', status: 200, schema: { tags, ...schema }, handle, ...extra });

  const health = operation({
    method: 'GET',
    url: `${CONTROL_PREFIX}/health`,
    plane: 'control',
    access: 'open',
    status: 200,
    schema: { tags, summary: 'Liveness and readiness (always open)', response: { 200: HealthSchema, ...errors } },
    handle() {
      const { status, accounts, keys } = control.health();
      return { status, version: VERSION, uptime_ms: Date.now() - startedAt, accounts, keys };
    },
  });
  if (!enabled) return [health];

  return [
    health,
    route('POST', '/reset', { summary: 'Back to exactly the start-up state', response: { 200: Type.Object({ data: SummarySchema }), ...errors } }, () => ({
      data: control.reset(),
    })),
    route('GET', '/state', { summary: 'Export every account and key', response: { 200: StateDocumentSchema, ...errors } }, () => control.state()),
    route(
      'PUT',
      '/state',
      {
        summary: 'Replace the whole state (validated; a bad document changes nothing)',
        body: StateDocumentSchema,
        response: { 200: Type.Object({ data: SummarySchema }), ...errors },
      },
      (call) => ({ data: control.load(call.body) }),
      // control.load() checks shape and rules together, so that every message names the entry in
      // one style (the schema stays for the docs).
      { handlerChecksBody: true },
    ),
    route(
      'GET',
      '/scenarios',
      {
        summary: 'The bundled scenarios',
        response: { 200: Type.Object({ data: Type.Array(Type.Object({ name: Type.String(), description: Type.String(), keys: Type.Integer() })) }), ...errors },
      },
      () => ({ data: control.scenarios() }),
    ),
    route(
      'POST',
      '/scenarios/:name',
      {
        summary: "Replace an account's keys (default: the first account's) with a scenario",
        params: ScenarioNameParams,
        body: ScenarioApplyBody,
        response: { 200: Type.Object({ data: AccountSummarySchema }), ...errors },
      },
      (call) => ({ data: control.scenario(params<{ name: string }>(call).name, call.body as never) }),
      { bodyOptional: true },
    ),
    route('GET', '/accounts', { summary: 'Every account', response: { 200: Type.Object({ data: Type.Array(AccountSummarySchema) }), ...errors } }, () => ({
      data: control.accounts(),
    })),
    route(
      'POST',
      '/accounts',
      {
        summary: 'Create an isolated account with its own management key',
        body: AccountCreateBody,
        response: { 201: Type.Object({ data: CreatedAccountSchema }), ...errors },
      },
      (call) => ({ data: control.createAccount(call.body as never) }),
      { status: 201, bodyOptional: true },
    ),
    route(
      'GET',
      '/accounts/:id/management-key',
      {
        summary: "An account's management key in plaintext, when the mock knows it (the inspector calls the API with it)",
        params: IdParams,
        response: { 200: Type.Object({ data: AccountKeySchema }), ...errors },
      },
      (call) => ({ data: control.accountKey(params<{ id: string }>(call).id) }),
    ),
    route(
      'GET',
      '/accounts/:id/keys',
      {
        summary: "An account's keys as GET /api/v1/keys lists them, without its management key: not journalled, faulted or delayed (the inspector reads with it)",
        params: IdParams,
        querystring: AccountKeysQuery,
        response: { 200: KeyListResponseSchema, ...errors },
      },
      (call) => ({ data: control.accountKeys(params<{ id: string }>(call).id, call.query as never) }),
    ),
    route('DELETE', '/accounts/:id', { summary: 'Remove an account and its keys', params: IdParams, response: { 200: DeletedCountSchema, ...errors } }, (call) =>
      control.deleteAccount(params<{ id: string }>(call).id),
    ),
    route('GET', '/clock', { summary: 'The virtual clock', response: { 200: ClockSchema, ...errors } }, () => control.clock()),
    route(
      'POST',
      '/clock',
      { summary: 'Set, advance, freeze or unfreeze the clock', body: ClockChangeBody, response: { 200: ClockSchema, ...errors } },
      (call) => control.setClock(call.body as never),
    ),
    route(
      'POST',
      '/keys/:hash/usage',
      { summary: 'Record spend on a key (every window and the total)', params: HashParams, body: UsageBody, response: { 200: KeyResponseSchema, ...errors } },
      (call) => ({ data: control.recordUsage(params<{ hash: string }>(call).hash, call.body as never) }),
    ),
    route('GET', '/faults', { summary: 'Fault rules, newest first', response: { 200: Type.Object({ data: Type.Array(FaultRuleSchema) }), ...errors } }, () => ({
      data: control.faults(),
    })),
    route(
      'POST',
      '/faults',
      { summary: 'Add a fault rule', body: FaultSpecBody, response: { 201: Type.Object({ data: FaultRuleSchema }), ...errors } },
      (call) => ({ data: control.addFault(call.body as FaultSpec) }),
      { status: 201 },
    ),
    route('DELETE', '/faults', { summary: 'Remove every fault rule', response: { 200: DeletedCountSchema, ...errors } }, () => control.clearFaults()),
    route('DELETE', '/faults/:id', { summary: 'Remove one fault rule', params: IdParams, response: { 200: DeletedCountSchema, ...errors } }, (call) =>
      control.removeFault(params<{ id: string }>(call).id),
    ),
    route(
      'GET',
      '/requests',
      {
        summary: 'The request journal, newest first',
        querystring: JournalQuery,
        response: { 200: JournalPageSchema, ...errors },
      },
      (call) => control.requests(call.query as never),
    ),
    route('DELETE', '/requests', { summary: 'Empty the journal', response: { 200: DeletedCountSchema, ...errors } }, () => control.clearRequests()),
  ];
}
