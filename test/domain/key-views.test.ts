/**
 * Key views carry exactly their schema's fields, in the order the route's serializer writes them,
 * so that `JSON.stringify` of a view is the server's bytes (test/http/wire-order.test.ts checks
 * the bytes through every route; this pins the objects themselves, without HTTP).
 */
import type { TObject } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { FaultRegistry } from '../../src/domain/faults.js';
import { API_ROUTES } from '../../src/http/api-operations.js';
import { currentKeyView, keyView } from '../../src/domain/key-views.js';
import { createMockRuntime } from '../../src/runtime.js';
import { FaultRuleSchema } from '../../src/schemas/control.js';
import { CurrentKeySchema, KeySchema } from '../../src/schemas/keys.js';
import { LOCAL_DEV_KEY, MANAGEMENT_KEY, TEST_NOW } from '../helpers/build.js';

/** The order fast-json-stringify writes an object's fields in: the schema's, required ones first. */
function serializerOrder(schema: TObject): string[] {
  const required = new Set(schema.required ?? []);
  const keys = Object.keys(schema.properties);
  return [...keys.filter((key) => required.has(key)), ...keys.filter((key) => !required.has(key))];
}

function store() {
  return createMockRuntime(resolveConfig({ logLevel: 'silent', now: TEST_NOW }), () => 0).store;
}

describe('key views in wire order', () => {
  it('keyView has KeySchema’s fields in its order (limit_remaining after limit), for every key of the dataset', () => {
    const keys = store().export().accounts.flatMap((account) => account.keys);
    expect(keys.length).toBeGreaterThan(10);
    for (const key of keys) expect(Object.keys(keyView(key))).toEqual(serializerOrder(KeySchema));
  });

  it('currentKeyView has CurrentKeySchema’s fields in its order, for a management key and an ordinary one', () => {
    const keys = store();
    const expected = serializerOrder(CurrentKeySchema);
    for (const token of [MANAGEMENT_KEY, LOCAL_DEV_KEY]) {
      const principal = keys.authenticate(`Bearer ${token}`);
      const view = currentKeyView(principal.account, principal.kind === 'key' ? principal.key : undefined);
      expect(Object.keys(view)).toEqual(expected);
      expect(Object.keys(view.free_model_daily_requests)).toEqual(serializerOrder(CurrentKeySchema.properties.free_model_daily_requests));
      expect(Object.keys(view.rate_limit)).toEqual(serializerOrder(CurrentKeySchema.properties.rate_limit));
    }
  });

  it('a fault rule has FaultRuleSchema’s fields in serializer order, whatever order the spec came in; unset ones absent', () => {
    const faults = new FaultRegistry(API_ROUTES);
    const full = faults.add({
      fault: 'reset',
      retry_after: 1,
      times: 2,
      jitter_ms: 3,
      delay_ms: 4,
      body: 'x',
      status: 500,
      match: { hash: 'h', path: '/keys/*', method: 'GET' },
    });
    expect(Object.keys(full)).toEqual(serializerOrder(FaultRuleSchema));
    expect(Object.keys(full.match)).toEqual(['method', 'path', 'hash']);
    const bare = faults.add({ delay_ms: 1 });
    expect(Object.keys(bare)).toEqual(['match', 'id', 'remaining', 'hits', 'enabled', 'state', 'last_hit', 'delay_ms']);
    expect(bare.match).toStrictEqual({});
  });
});
