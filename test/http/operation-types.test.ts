/**
 * Operations are typed by their schemas: a handler's params, query and body are the `Static` types
 * of the declaration's schemas, and it must return the `Static` type of its success response. The
 * `@ts-expect-error` lines are the test (`npm run typecheck` fails if any of them compiles); the
 * runtime assertions only check what `operation()` and `operations()` build.
 */
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { declare, operation, operations } from '../../src/http/operation.js';

const SET = declare({
  method: 'POST',
  url: '/__mock/things/:id',
  plane: 'control',
  access: 'admin',
  status: 201,
  schema: {
    params: Type.Object({ id: Type.String() }),
    querystring: Type.Object({ dry: Type.Optional(Type.Boolean()) }),
    body: Type.Object({ count: Type.Integer() }),
    response: { 201: Type.Object({ data: Type.Object({ id: Type.String(), count: Type.Integer() }) }), 400: Type.Object({ error: Type.String() }) },
  },
});

const LOAD = declare({
  method: 'PUT',
  url: '/__mock/things',
  plane: 'control',
  access: 'admin',
  status: 200,
  handlerChecksBody: true,
  schema: { body: Type.Object({ count: Type.Integer() }), response: { 200: Type.Object({ ok: Type.Boolean() }) } },
});

describe('operations typed by their schemas', () => {
  it('a handler sees typed input and must answer its success schema', () => {
    const op = operation(SET, (call) => ({ data: { id: call.params.id, count: call.body.count + (call.query.dry ? 0 : 1) } }));
    expect(op.handle({ method: 'POST', url: '/', headers: {}, params: { id: 'a' }, query: {}, body: { count: 1 }, principal: null, arrivedAt: 0 })).toEqual({
      data: { id: 'a', count: 2 },
    });
    expect({ method: op.method, url: op.url, status: op.status }).toEqual({ method: 'POST', url: '/__mock/things/:id', status: 201 });

    // @ts-expect-error a field of the wrong type
    operation(SET, (call) => ({ data: { id: call.params.id, count: 'one' } }));
    // @ts-expect-error a required field missing
    operation(SET, (call) => ({ data: { id: call.params.id } }));
    // @ts-expect-error the answer of another status (the 400's)
    operation(SET, () => ({ error: 'no' }));
    // @ts-expect-error a body field the schema has not
    operation(SET, (call) => ({ data: { id: call.params.id, count: call.body.total } }));
    // @ts-expect-error a path parameter the schema has not
    operation(SET, (call) => ({ data: { id: call.params.name, count: 1 } }));
  });

  it('a body the handler checks itself is unknown, not the schema’s type', () => {
    // @ts-expect-error the engine has not validated it
    operation(LOAD, (call) => ({ ok: call.body.count > 0 }));
    const op = operation(LOAD, (call) => ({ ok: typeof call.body === 'object' }));
    expect(op.handlerChecksBody).toBe(true);
  });

  it('a table needs a handler for each declaration, by name, and keeps its order', () => {
    const table = { set: SET, load: LOAD };
    const ops = operations(table, { set: (call) => ({ data: { id: call.params.id, count: 0 } }), load: () => ({ ok: true }) });
    expect(ops.map((op) => op.method)).toEqual(['POST', 'PUT']);
    // @ts-expect-error `load` has no handler
    operations(table, { set: (call) => ({ data: { id: call.params.id, count: 0 } }) });
  });
});
