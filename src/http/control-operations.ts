import { Type } from '../schemas/typebox.js';
import type { MockControl } from '../control/mock-control.js';
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
  FaultEditBody,
  FaultRuleSchema,
  FaultSpecBody,
  HashParams,
  HealthSchema,
  IdParams,
  JournalPageSchema,
  JournalQuery,
  KeySearchPageSchema,
  KeySearchQuery,
  ScenarioApplyBody,
  ScenarioNameParams,
  StateDocumentSchema,
  StateQuery,
  UsageBody,
} from '../schemas/control.js';
import { AdmissionQuery, AdmissionSchema, CompletionRuleSchema, CompletionSpecBody, CreditsBody, CreditsSchema } from '../schemas/inference-control.js';
import { KeyListResponseSchema, KeyResponseSchema } from '../schemas/keys.js';
import { VERSION } from '../version.js';
import { operations, type Access, type Declaration, type Operation, type OperationSchema } from './operation.js';


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
  return op.method === CONTROL_TABLE.load.method && op.url === CONTROL_TABLE.load.url ? CONTROL_BODY_LIMIT : CONTROL_OPTIONS_BODY_LIMIT;
}

const tags = [TAGS.control.name];
const errors = errorResponses([400, 401, 404, 413, 415, 500]);
const SummarySchema = Type.Object({ accounts: Type.Integer(), keys: Type.Integer() });

interface ControlOptions<Status extends Declaration['status'], Schema extends Omit<OperationSchema, 'tags'>, Checks extends boolean> {
  status: Status;
  access?: Access;
  schema: Schema;
  bodyOptional?: boolean;
  handlerChecksBody?: Checks;
}

/**
 * A control route, by default behind the admin token (`access: 'admin'`); its schema is given the
 * control plane's tag. Its result is typed as written (`schema: Schema`), not as the spread's
 * intersection with the tag: TypeBox's `Static` of that intersection instantiates too deep for the
 * compiler.
 */
const control = <Status extends Declaration['status'], Schema extends Omit<OperationSchema, 'tags'>, Checks extends boolean = false>(
  method: Declaration['method'],
  path: string,
  { status, access = 'admin', schema, ...flags }: ControlOptions<Status, Schema, Checks>,
): { method: Declaration['method']; url: string; plane: 'control'; access: Access; status: Status; schema: Schema; bodyOptional?: boolean; handlerChecksBody?: Checks } => ({
  method,
  url: `${CONTROL_PREFIX}${path}`,
  plane: 'control',
  access,
  status,
  schema: { tags, ...schema },
  ...flags,
});

/**
 * `/__mock`, the test-control plane, as data: method, path, who may call, status and schemas.
 * Health is always served and open; the rest only with `--control` (the default), behind
 * `--admin-token` when one is set. What each does is `controlOperations`'.
 */
export const CONTROL_TABLE = {
  health: control('GET', '/health', {
    status: 200,
    access: 'open',
    schema: { summary: 'Liveness and readiness (always open)', response: { 200: HealthSchema, ...errors } },
  }),
  reset: control('POST', '/reset', {
    status: 200,
    schema: { summary: 'Back to exactly the start-up state', response: { 200: Type.Object({ data: SummarySchema }), ...errors } },
  }),
  state: control('GET', '/state', {
    status: 200,
    schema: {
      summary: 'Export every account and key (with ?include=clock,faults, the clock and the fault rules too)',
      querystring: StateQuery,
      response: { 200: StateDocumentSchema, ...errors },
    },
  }),
  load: control('PUT', '/state', {
    status: 200,
    schema: {
      summary: 'Replace the whole state (validated; a bad document changes nothing)',
      body: StateDocumentSchema,
      response: { 200: Type.Object({ data: SummarySchema }), ...errors },
    },
    // control.load() checks shape and rules together, so that every message names the entry in
    // one style (the schema stays for the docs).
    handlerChecksBody: true,
  }),
  scenarios: control('GET', '/scenarios', {
    status: 200,
    schema: {
      summary: 'The bundled scenarios',
      response: { 200: Type.Object({ data: Type.Array(Type.Object({ name: Type.String(), description: Type.String(), keys: Type.Integer() })) }), ...errors },
    },
  }),
  scenario: control('POST', '/scenarios/:name', {
    status: 200,
    schema: {
      summary: "Replace an account's keys (default: the first account's) with a scenario",
      params: ScenarioNameParams,
      body: ScenarioApplyBody,
      response: { 200: Type.Object({ data: AccountSummarySchema }), ...errors },
    },
    bodyOptional: true,
  }),
  accounts: control('GET', '/accounts', {
    status: 200,
    schema: { summary: 'Every account', response: { 200: Type.Object({ data: Type.Array(AccountSummarySchema) }), ...errors } },
  }),
  createAccount: control('POST', '/accounts', {
    status: 201,
    schema: {
      summary: 'Create an isolated account with its own management key',
      body: AccountCreateBody,
      response: { 201: Type.Object({ data: CreatedAccountSchema }), ...errors },
    },
    bodyOptional: true,
  }),
  accountKey: control('GET', '/accounts/:id/management-key', {
    status: 200,
    schema: {
      summary: "An account's management key in plaintext, when the mock knows it (the inspector calls the API with it)",
      params: IdParams,
      response: { 200: Type.Object({ data: AccountKeySchema }), ...errors },
    },
  }),
  accountKeys: control('GET', '/accounts/:id/keys', {
    status: 200,
    schema: {
      summary: "An account's keys as GET /api/v1/keys lists them, without its management key: not journalled, faulted or delayed (the inspector reads with it)",
      params: IdParams,
      querystring: AccountKeysQuery,
      response: { 200: KeyListResponseSchema, ...errors },
    },
  }),
  keySearch: control('GET', '/accounts/:id/keys/search', {
    status: 200,
    schema: {
      summary:
        "An account's keys found by the start of a name, label or hash (or all, in GET /api/v1/keys order), with the total and what a chat completion with each would get now: not journalled (the inspector's table)",
      params: IdParams,
      querystring: KeySearchQuery,
      response: { 200: Type.Object({ data: KeySearchPageSchema }), ...errors },
    },
  }),
  deleteAccount: control('DELETE', '/accounts/:id', {
    status: 200,
    schema: { summary: 'Remove an account and its keys', params: IdParams, response: { 200: DeletedCountSchema, ...errors } },
  }),
  clock: control('GET', '/clock', { status: 200, schema: { summary: 'The virtual clock', response: { 200: ClockSchema, ...errors } } }),
  setClock: control('POST', '/clock', {
    status: 200,
    schema: { summary: 'Set, advance, freeze or unfreeze the clock', body: ClockChangeBody, response: { 200: ClockSchema, ...errors } },
  }),
  recordUsage: control('POST', '/keys/:hash/usage', {
    status: 200,
    schema: { summary: 'Record spend on a key (every window and the total)', params: HashParams, body: UsageBody, response: { 200: KeyResponseSchema, ...errors } },
  }),
  admission: control('GET', '/keys/:hash/admission', {
    status: 200,
    schema: {
      summary: 'What a chat completion with this key would get now: accepted, or the status and error it would be refused with (nothing is charged)',
      params: HashParams,
      querystring: AdmissionQuery,
      response: { 200: Type.Object({ data: AdmissionSchema }), ...errors },
    },
  }),
  faults: control('GET', '/faults', {
    status: 200,
    schema: { summary: 'Fault rules, newest first', response: { 200: Type.Object({ data: Type.Array(FaultRuleSchema) }), ...errors } },
  }),
  addFault: control('POST', '/faults', {
    status: 201,
    schema: { summary: 'Add a fault rule', body: FaultSpecBody, response: { 201: Type.Object({ data: FaultRuleSchema }), ...errors } },
  }),
  clearFaults: control('DELETE', '/faults', { status: 200, schema: { summary: 'Remove every fault rule', response: { 200: DeletedCountSchema, ...errors } } }),
  editFault: control('PATCH', '/faults/:id', {
    status: 200,
    schema: {
      summary: 'Edit a fault rule: enable, disable, or change what it matches and does (checked as an add; a refused edit changes nothing)',
      params: IdParams,
      body: FaultEditBody,
      response: { 200: Type.Object({ data: FaultRuleSchema }), ...errors },
    },
  }),
  removeFault: control('DELETE', '/faults/:id', {
    status: 200,
    schema: { summary: 'Remove one fault rule', params: IdParams, response: { 200: DeletedCountSchema, ...errors } },
  }),
  requests: control('GET', '/requests', {
    status: 200,
    schema: { summary: 'The request journal, newest first', querystring: JournalQuery, response: { 200: JournalPageSchema, ...errors } },
  }),
  clearRequests: control('DELETE', '/requests', { status: 200, schema: { summary: 'Empty the journal', response: { 200: DeletedCountSchema, ...errors } } }),
  credits: control('GET', '/accounts/:id/credits', {
    status: 200,
    schema: { summary: "An account's credits", params: IdParams, response: { 200: Type.Object({ data: CreditsSchema }), ...errors } },
  }),
  setCredits: control('POST', '/accounts/:id/credits', {
    status: 200,
    schema: { summary: "Set an account's credits (either figure, or both)", params: IdParams, body: CreditsBody, response: { 200: Type.Object({ data: CreditsSchema }), ...errors } },
  }),
  completionRules: control('GET', '/completions', {
    status: 200,
    schema: { summary: 'Completion rules, newest first', response: { 200: Type.Object({ data: Type.Array(CompletionRuleSchema) }), ...errors } },
  }),
  addCompletionRule: control('POST', '/completions', {
    status: 201,
    schema: { summary: 'Add a completion rule', body: CompletionSpecBody, response: { 201: Type.Object({ data: CompletionRuleSchema }), ...errors } },
  }),
  clearCompletionRules: control('DELETE', '/completions', {
    status: 200,
    schema: { summary: 'Remove every completion rule', response: { 200: DeletedCountSchema, ...errors } },
  }),
  removeCompletionRule: control('DELETE', '/completions/:id', {
    status: 200,
    schema: { summary: 'Remove one completion rule', params: IdParams, response: { 200: DeletedCountSchema, ...errors } },
  }),
};

/**
 * The control plane's operations: the table's declarations, each calling the `MockControl` method
 * of the same name (the one the test handle calls, here without its input check), wrapped in
 * `{data}` where its route answers so.
 * Without `enabled` (`--control false`), health only.
 */
export function controlOperations(mock: MockControl, { enabled, startedAt = Date.now() }: { enabled: boolean; startedAt?: number }): Operation[] {
  // The engine has validated each request against the table's schemas: the methods are called
  // without MockControl's own input checks (those are for the test handle), so input is checked once.
  const core = mock.unchecked;
  const inference = mock.inference.unchecked;
  const all = operations(CONTROL_TABLE, {
    health: () => {
      const { status, accounts, keys } = core.health();
      return { status, version: VERSION, uptime_ms: Date.now() - startedAt, accounts, keys };
    },
    reset: () => ({ data: core.reset() }),
    state: (call) => core.state(call.query),
    load: (call) => ({ data: core.load(call.body) }),
    scenarios: () => ({ data: core.scenarios() }),
    scenario: (call) => ({ data: core.scenario(call.params.name, call.body) }),
    accounts: () => ({ data: core.accounts() }),
    createAccount: (call) => ({ data: core.createAccount(call.body) }),
    accountKey: (call) => ({ data: core.accountKey(call.params.id) }),
    accountKeys: (call) => ({ data: core.accountKeys(call.params.id, call.query) }),
    keySearch: (call) => ({ data: core.keySearch(call.params.id, call.query) }),
    deleteAccount: (call) => core.deleteAccount(call.params.id),
    clock: () => core.clock(),
    setClock: (call) => core.setClock(call.body),
    recordUsage: (call) => ({ data: core.recordUsage(call.params.hash, call.body) }),
    admission: (call) => ({ data: inference.admission(call.params.hash, call.query) }),
    faults: () => ({ data: core.faults() }),
    addFault: (call) => ({ data: core.addFault(call.body) }),
    clearFaults: () => core.clearFaults(),
    editFault: (call) => ({ data: core.editFault(call.params.id, call.body) }),
    removeFault: (call) => core.removeFault(call.params.id),
    requests: (call) => core.requests(call.query),
    clearRequests: () => core.clearRequests(),
    credits: (call) => ({ data: inference.credits(call.params.id) }),
    setCredits: (call) => ({ data: inference.setCredits(call.params.id, call.body) }),
    completionRules: () => ({ data: inference.completionRules() }),
    addCompletionRule: (call) => ({ data: inference.addCompletionRule(call.body) }),
    clearCompletionRules: () => inference.clearCompletionRules(),
    removeCompletionRule: (call) => inference.removeCompletionRule(call.params.id),
  });
  return enabled ? all : all.filter((op) => op.url === CONTROL_TABLE.health.url);
}
