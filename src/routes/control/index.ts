import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { preValidationHookHandler } from 'fastify';
import type { MockControl } from '../../control/mock-control.js';
import { apiError } from '../../domain/errors.js';
import { errorResponses } from '../../schemas/common.js';
import {
  AccountCreateBody,
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
  JournalEntrySchema,
  JournalQuery,
  ScenarioApplyBody,
  ScenarioNameParams,
  StateDocumentSchema,
  UsageBody,
} from '../../schemas/control.js';
import { KeyResponseSchema } from '../../schemas/keys.js';
import { Type } from '@sinclair/typebox';
import { VERSION } from '../../version.js';

const tags = ['Mock control'];
const errors = errorResponses([400, 401, 404, 413, 415, 500]);

/** Control routes whose body is optional treat a missing one as `{}`. */
const optionalBody: preValidationHookHandler = (request, _reply, done) => {
  if (request.body === undefined || request.body === null) request.body = {};
  done();
};

const SummarySchema = Type.Object({ accounts: Type.Integer(), keys: Type.Integer() });

/**
 * `/__mock`: the test-control plane, one route table over `MockControl` (the same object the
 * test handle calls). Health is always served and open; the rest only with `--control` (the
 * default), behind `--admin-token` when one is set.
 */
export const controlRoutes: FastifyPluginAsyncTypebox<{ control: MockControl; enabled: boolean; adminToken?: string }> = async (
  app,
  { control, enabled, adminToken },
) => {
  const startedAt = Date.now();
  app.get(
    '/health',
    { schema: { tags, summary: 'Liveness and readiness (always open)', response: { 200: HealthSchema, ...errors } } },
    () => ({ ...control.health(), version: VERSION, uptime_ms: Date.now() - startedAt }),
  );
  if (!enabled) return;

  await app.register(async (scope) => {
    if (adminToken !== undefined) {
      const expected = `Bearer ${adminToken}`;
      scope.addHook('onRequest', (request, _reply, done) => {
        done(request.headers.authorization === expected ? undefined : apiError('adminTokenRequired'));
      });
    }
    const r = scope.withTypeProvider<import('@fastify/type-provider-typebox').TypeBoxTypeProvider>();

    r.post('/reset', { schema: { tags, summary: 'Back to exactly the start-up state', response: { 200: Type.Object({ data: SummarySchema }), ...errors } } }, () => ({
      data: control.reset(),
    }));

    r.get('/state', { schema: { tags, summary: 'Export every account and key', response: { 200: StateDocumentSchema, ...errors } } }, () =>
      control.state(),
    );
    r.put(
      '/state',
      {
        // The body is checked by control.load(), shape and rules together, so that every message
        // names the entry in one style (the schema stays for the docs).
        validatorCompiler: () => () => true,
        schema: {
          tags,
          summary: 'Replace the whole state (validated; a bad document changes nothing)',
          body: StateDocumentSchema,
          response: { 200: Type.Object({ data: SummarySchema }), ...errors },
        },
      },
      (request) => ({ data: control.load(request.body) }),
    );

    r.get(
      '/scenarios',
      {
        schema: {
          tags,
          summary: 'The bundled scenarios',
          response: { 200: Type.Object({ data: Type.Array(Type.Object({ name: Type.String(), description: Type.String(), keys: Type.Integer() })) }), ...errors },
        },
      },
      () => ({ data: control.scenarios() }),
    );
    r.post(
      '/scenarios/:name',
      {
        preValidation: optionalBody,
        schema: {
          tags,
          summary: "Replace an account's keys (default: the first account's) with a scenario",
          params: ScenarioNameParams,
          body: ScenarioApplyBody,
          response: { 200: Type.Object({ data: AccountSummarySchema }), ...errors },
        },
      },
      (request) => ({ data: control.scenario(request.params.name, request.body) }),
    );

    r.get('/accounts', { schema: { tags, summary: 'Every account', response: { 200: Type.Object({ data: Type.Array(AccountSummarySchema) }), ...errors } } }, () => ({
      data: control.accounts(),
    }));
    r.post(
      '/accounts',
      {
        preValidation: optionalBody,
        schema: {
          tags,
          summary: 'Create an isolated account with its own management key',
          body: AccountCreateBody,
          response: { 201: Type.Object({ data: CreatedAccountSchema }), ...errors },
        },
      },
      (request, reply) => {
        const created = control.createAccount(request.body);
        reply.code(201);
        return { data: created };
      },
    );
    r.delete('/accounts/:id', { schema: { tags, summary: 'Remove an account and its keys', params: IdParams, response: { 200: DeletedCountSchema, ...errors } } }, (request) =>
      control.deleteAccount(request.params.id),
    );

    r.get('/clock', { schema: { tags, summary: 'The virtual clock', response: { 200: ClockSchema, ...errors } } }, () => control.clock());
    r.post(
      '/clock',
      { schema: { tags, summary: 'Set, advance, freeze or unfreeze the clock', body: ClockChangeBody, response: { 200: ClockSchema, ...errors } } },
      (request) => control.setClock(request.body),
    );

    r.post(
      '/keys/:hash/usage',
      {
        schema: {
          tags,
          summary: 'Record spend on a key (every window and the total)',
          params: HashParams,
          body: UsageBody,
          response: { 200: KeyResponseSchema, ...errors },
        },
      },
      (request) => ({ data: control.recordUsage(request.params.hash, request.body) }),
    );

    r.get('/faults', { schema: { tags, summary: 'Fault rules, newest first', response: { 200: Type.Object({ data: Type.Array(FaultRuleSchema) }), ...errors } } }, () => ({
      data: control.faults(),
    }));
    r.post(
      '/faults',
      { schema: { tags, summary: 'Add a fault rule', body: FaultSpecBody, response: { 201: Type.Object({ data: FaultRuleSchema }), ...errors } } },
      (request, reply) => {
        const rule = control.addFault(request.body);
        reply.code(201);
        return { data: rule };
      },
    );
    r.delete('/faults', { schema: { tags, summary: 'Remove every fault rule', response: { 200: DeletedCountSchema, ...errors } } }, () => control.clearFaults());
    r.delete('/faults/:id', { schema: { tags, summary: 'Remove one fault rule', params: IdParams, response: { 200: DeletedCountSchema, ...errors } } }, (request) =>
      control.removeFault(request.params.id),
    );

    r.get(
      '/requests',
      {
        schema: {
          tags,
          summary: 'The request journal, newest first',
          querystring: JournalQuery,
          response: {
            200: Type.Object({
              data: Type.Array(JournalEntrySchema),
              meta: Type.Object({ total: Type.Integer(), capacity: Type.Integer(), enabled: Type.Boolean() }),
            }),
            ...errors,
          },
        },
      },
      (request) => control.requests(request.query),
    );
    r.delete('/requests', { schema: { tags, summary: 'Empty the journal', response: { 200: DeletedCountSchema, ...errors } } }, () => control.clearRequests());
  });
};
