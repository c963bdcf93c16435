/**
 * Every object the domain and the control plane hand to the HTTP layer serialises to the same
 * bytes through `JSON.stringify` as through the route's compiled serializer (fast-json-stringify,
 * which writes the schema's fields, required ones first, in the schema's order). A door that
 * answers with `JSON.stringify` (the browser-safe `fetch` door) then answers byte for byte as the
 * server does — which holds only if each object has exactly the schema's fields in that order.
 *
 * The recorder is a `preSerialization` hook added to every route from an `onRoute` hook (added
 * before `ready`, so each encapsulated scope sees it); error answers of a route go through the same
 * route context, so they are recorded too.
 *
 * Every operation of the engine's table must have a case here answered with its success status:
 * the last test names any that has none (an operation added without a case fails). The event
 * stream is the one exception: its answer is a stream, written by no serializer.
 */
import type { FastifyInstance, LightMyRequestResponse, preSerializationHookHandler } from 'fastify';
import { describe, expect, it } from 'vitest';
import { api, bearer, buildTestApp, ctl, DOCS_HASH, LOCAL_DEV_KEY } from '../helpers/build.js';
import type { MockOptions } from '../../src/config.js';
import { EVENT_STREAM } from '../../src/http/event-stream.js';

interface Recorder {
  app: FastifyInstance;
  /** Asserts the answer's body is the recorded object's `JSON.stringify`; returns the response. */
  same(response: LightMyRequestResponse | Promise<LightMyRequestResponse>, status?: number): Promise<LightMyRequestResponse>;
}

/** The answers a case checked, as "METHOD /route status": what the coverage check reads. */
const checked = new Set<string>();

function recordingApp(options: MockOptions = {}): Recorder {
  const app = buildTestApp(options);
  const recorded = new Map<string, { json: string; answer: string }>();
  const record: preSerializationHookHandler<unknown> = (request, reply, payload, done) => {
    recorded.set(request.id, { json: JSON.stringify(payload), answer: `${request.method} ${request.routeOptions.url} ${reply.statusCode}` });
    done(null, payload);
  };
  app.addHook('onRoute', (route) => {
    const own = route.preSerialization;
    route.preSerialization = own === undefined ? [record] : [...(Array.isArray(own) ? own : [own]), record];
  });
  return {
    app,
    async same(pending, status) {
      const response = await pending;
      if (status !== undefined) expect(response.statusCode, response.body).toBe(status);
      const id = response.headers['x-request-id'] as string;
      const expected = recorded.get(id);
      expect(expected, `${id}: nothing went through the serializer`).toBeDefined();
      expect(response.body).toBe(expected!.json);
      checked.add(expected!.answer);
      return response;
    },
  };
}

const FUTURE = '2027-06-01T00:00:00.000Z';

describe('wire order: what the HTTP layer is handed serialises the same through JSON.stringify', () => {
  it('the key API, with keys in every shape and both kinds of bearer for GET /key', async () => {
    const { app, same } = recordingApp();
    const account = app.mock.store.listAccounts()[0]!;
    const otherWorkspace = account.state.workspace_ids[1]!;

    // limit null, limit_reset null, expires_at null, default workspace, no external user.
    const plain = (await same(api(app, 'POST', '/keys', { name: 'plain' }), 201)).json().data;
    // Every optional field set, in a non-default workspace, created by nobody.
    const full = (
      await same(
        api(app, 'POST', '/keys', {
          external: { api_key: 'ext', user: 'customer-42' },
          workspace_id: otherWorkspace,
          creator_user_id: null,
          expires_at: FUTURE,
          include_byok_in_limit: true,
          limit_reset: 'weekly',
          limit: 25,
          name: 'full',
        }),
        201,
      )
    ).json();
    // A limit with no reset window.
    const capped = (await same(api(app, 'POST', '/keys', { limit: 5, name: 'capped' }), 201)).json().data;

    // Spend, BYOK included, so limit_remaining and the byok fields are not their defaults.
    await same(ctl(app, 'POST', `/keys/${full.data.hash}/usage`, { amount: 3.25, byok: 1.5 }), 200);
    await same(ctl(app, 'POST', `/keys/${capped.hash}/usage`, { amount: 7 }), 200);

    // PATCH: fields in an order other than the schema's, a disabled key, an unchanged one ({}).
    await same(api(app, 'PATCH', `/keys/${plain.hash}`, { disabled: true, limit_reset: 'daily', limit: 1, name: 'renamed' }), 200);
    await same(api(app, 'PATCH', `/keys/${capped.hash}`, { include_byok_in_limit: true, limit: null }), 200);
    await same(api(app, 'PATCH', `/keys/${DOCS_HASH}`, {}), 200);

    await same(api(app, 'GET', '/keys'), 200);
    await same(api(app, 'GET', '/keys?include_disabled=true'), 200);
    await same(api(app, 'GET', `/keys?workspace_id=${otherWorkspace}&include_disabled=true`), 200);
    await same(api(app, 'GET', '/keys?offset=1000'), 200);
    for (const hash of [plain.hash, full.data.hash, capped.hash, DOCS_HASH]) await same(api(app, 'GET', `/keys/${hash}`), 200);

    await same(api(app, 'GET', '/key'), 200);
    await same(api(app, 'GET', '/key', undefined, LOCAL_DEV_KEY), 200);
    await same(api(app, 'GET', '/key', undefined, full.key), 200);
    // A model's fields in the catalogue file's order, optional ones among them.
    await same(api(app, 'GET', '/models'), 200);

    await same(api(app, 'DELETE', `/keys/${plain.hash}`), 200);
  });

  it('the key API’s error answers: 400, 401, 403, 404, 413, 415, 429 and injected 5xx', async () => {
    const { app, same } = recordingApp({ bodyLimit: 1024 });
    await same(api(app, 'PATCH', `/keys/${DOCS_HASH}`, { limit: 'x' }), 400);
    await same(api(app, 'POST', '/keys', { name: '' }), 400);
    await same(api(app, 'GET', '/keys?offset=-1'), 400);
    await same(api(app, 'POST', '/keys', '{"name":'), 400);
    await same(app.inject({ method: 'GET', url: '/api/v1/keys' }), 401);
    await same(api(app, 'GET', '/keys', undefined, 'sk-or-v1-nope'), 401);
    await same(api(app, 'GET', '/keys', undefined, LOCAL_DEV_KEY), 403);
    await same(api(app, 'GET', '/keys/unknown'), 404);
    await same(api(app, 'DELETE', '/keys/unknown'), 404);
    await same(api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'x'.repeat(2048) }), 413);
    await same(
      app.inject({ method: 'POST', url: '/api/v1/keys', headers: { ...bearer(), 'content-type': 'text/plain' }, payload: 'name' }),
      415,
    );

    await same(ctl(app, 'POST', '/faults', { times: 1, status: 429, match: { path: '/keys', method: 'GET' } }), 201);
    await same(api(app, 'GET', '/keys'), 429);
    // A message and metadata of the rule's own, in an order of its own.
    await same(
      ctl(app, 'POST', '/faults', { status: 503, body: { error: { metadata: { z: 1, a: [true, null] }, message: 'down' } }, match: { hash: DOCS_HASH } }),
      201,
    );
    await same(api(app, 'GET', `/keys/${DOCS_HASH}`), 503);
    await same(ctl(app, 'POST', '/faults', { status: 500, body: 'boom' }), 201);
    await same(api(app, 'GET', '/key'), 500);
    await same(
      app.inject({ method: 'GET', url: '/api/v1/keys', headers: { ...bearer(), 'x-mock-response': 'status=502; message=bad gateway' } }),
      502,
    );
  });

  it('the control plane: every route, and its errors', async () => {
    const { app, same } = recordingApp({ bodyLimit: 1024 });
    await same(ctl(app, 'POST', '/reset'), 200);

    // A journal with queries and bodies of every kind before it is read.
    await api(app, 'GET', '/keys?include_disabled=true&offset=0');
    await api(app, 'PATCH', `/keys/${DOCS_HASH}`, { name: 'journalled', limit: 3 });
    await api(app, 'GET', '/keys/unknown');
    await same(ctl(app, 'GET', '/requests'), 200);
    await same(ctl(app, 'GET', '/requests?method=patch&limit=1'), 200);
    await same(ctl(app, 'DELETE', '/requests'), 200);
    await same(ctl(app, 'GET', '/requests'), 200);

    await same(ctl(app, 'GET', '/scenarios'), 200);
    await same(ctl(app, 'POST', '/scenarios/byok-heavy', {}), 200);
    await same(ctl(app, 'POST', '/scenarios/near-limit'), 200);
    await same(ctl(app, 'GET', '/state'), 200);
    await same(ctl(app, 'POST', '/scenarios/expired', { seed: 7 }), 200);

    const created = (await same(ctl(app, 'POST', '/accounts', { seed: 3, scenario: 'disabled' }), 201)).json().data;
    await same(ctl(app, 'POST', '/accounts'), 201);
    await same(ctl(app, 'GET', '/accounts'), 200);
    await same(ctl(app, 'GET', `/accounts/${created.id}/management-key`), 200);
    await same(ctl(app, 'GET', `/accounts/${created.id}/keys`), 200);
    await same(ctl(app, 'GET', `/accounts/${created.id}/keys?include_disabled=true&offset=1`), 200);
    // The whole state, scenario keys of every shape included, exported and put back.
    const exported = (await same(ctl(app, 'GET', '/state'), 200)).body;
    await same(ctl(app, 'PUT', '/state', exported), 200);
    await same(ctl(app, 'GET', '/state'), 200);
    await same(ctl(app, 'DELETE', `/accounts/${created.id}`), 200);

    await same(ctl(app, 'POST', '/reset'), 200);
    await same(ctl(app, 'GET', '/clock'), 200);
    await same(ctl(app, 'POST', '/clock', { frozen: true, advance: '36h' }), 200);
    await same(ctl(app, 'POST', '/clock', { now: '2026-03-01T00:00:00Z' }), 200);

    await same(ctl(app, 'POST', `/keys/${DOCS_HASH}/usage`, { byok: 2, amount: 0.5 }), 200);

    // Rules with every field, none, and match fields in an order other than the schema's.
    await same(
      ctl(app, 'POST', '/faults', {
        fault: 'timeout',
        retry_after: 2,
        times: 3,
        jitter_ms: 5,
        delay_ms: 10,
        body: { error: { message: 'x' } },
        status: 503,
        match: { hash: DOCS_HASH, path: '/keys/*', method: 'get' },
      }),
      201,
    );
    await same(ctl(app, 'POST', '/faults', {}), 201);
    const rule = (await same(ctl(app, 'POST', '/faults', { body: 'slow', delay_ms: 1, match: { method: 'DELETE' } }), 201)).json().data;
    await same(ctl(app, 'GET', '/faults'), 200);
    await api(app, 'DELETE', `/keys/${DOCS_HASH}`); // uses up nothing (no times) but counts a hit
    await same(ctl(app, 'GET', '/faults'), 200);
    await same(ctl(app, 'PATCH', `/faults/${rule.id}`, { enabled: false, delay_ms: null, status: 502 }), 200);
    await same(ctl(app, 'DELETE', `/faults/${rule.id}`), 200);
    await same(ctl(app, 'DELETE', '/faults'), 200);

    // Errors: 400 (schema, rule, state document), 404, 413 is the control plane's own limit, 415.
    await same(ctl(app, 'POST', '/clock', { now: 'yesterday' }), 400);
    await same(ctl(app, 'POST', '/clock', { when: 1 }), 400);
    await same(ctl(app, 'POST', '/faults', { match: { path: 'keys' } }), 400);
    await same(ctl(app, 'PUT', '/state', { accounts: [{ id: 'a' }] }), 400);
    await same(ctl(app, 'POST', '/keys/unknown/usage', { amount: 1 }), 404);
    await same(ctl(app, 'DELETE', '/accounts/unknown'), 404);
    await same(ctl(app, 'DELETE', '/faults/unknown'), 404);
    await same(ctl(app, 'POST', '/scenarios/unknown'), 404);
    await same(ctl(app, 'POST', '/clock', 'x', { 'content-type': 'text/plain' }), 415);
  });

  it('the inference surface: completions plain (BYOK and not), generations, credits, rules', async () => {
    const { app, same } = recordingApp();
    const account = app.mock.store.listAccounts()[0]!;
    const created = (await same(api(app, 'POST', '/keys', { name: 'chatter', limit: 5 }), 201)).json();
    const chat = (body: unknown) =>
      app.inject({ method: 'POST', url: '/api/v1/chat/completions', headers: { ...bearer(created.key), 'content-type': 'application/json' }, payload: body as object });
    // Every rule field, the match's in an order other than the schema's.
    await same(
      ctl(app, 'POST', '/completions', {
        times: 1,
        byok: true,
        error: { message: 'boom', code: 502 },
        error_after_chunks: 1,
        chunk_delay_ms: 0,
        cost: 0.25,
        completion_tokens: 7,
        prompt_tokens: 3,
        content: 'A reply.',
        match: { account: account.id, key: created.data.hash, model: 'openai/gpt-4o-mini' },
      }),
      201,
    );
    await same(ctl(app, 'GET', '/completions'), 200);
    await same(ctl(app, 'DELETE', '/completions'), 200);
    const rule = (await same(ctl(app, 'POST', '/completions', { byok: true, content: 'Billed as BYOK.', times: 1 }), 201)).json().data;
    const byok = (await same(chat({ messages: [{ role: 'user', content: 'Hi' }] }), 200)).json();
    expect(byok.usage.is_byok).toBe(true);
    const plain = (await same(chat({ model: 'anthropic/claude-3.5-haiku', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] }), 200)).json();
    await same(chat({ model: 'meta-llama/llama-3.3-70b-instruct:free', max_tokens: 5, messages: [{ role: 'user', content: 'Free' }] }), 200);
    await same(api(app, 'GET', `/generation?id=${byok.id}`, undefined, created.key), 200);
    await same(api(app, 'GET', `/generation?id=${plain.id}`), 200);
    await same(api(app, 'GET', '/generation?id=gen-1-nothing'), 404);
    await same(api(app, 'GET', '/credits'), 200);
    await same(ctl(app, 'GET', `/accounts/${account.id}/credits`), 200);
    await same(ctl(app, 'POST', `/accounts/${account.id}/credits`, { total_usage: 1.5, total_credits: 20 }), 200);
    await same(ctl(app, 'GET', `/keys/${created.data.hash}/admission`), 200);
    await same(ctl(app, 'GET', `/keys/${created.data.hash}/admission?max_tokens=10000000`), 200);
    await same(ctl(app, 'GET', `/accounts/${account.id}/keys/search?q=${encodeURIComponent(created.data.name.slice(0, 2))}`), 200);
    await same(ctl(app, 'GET', `/accounts/${account.id}/keys/search?reverse=true`), 200);
    const other = (await same(ctl(app, 'POST', '/completions', { times: 2 }), 201)).json().data;
    await same(ctl(app, 'DELETE', `/completions/${other.id}`), 200);
    await same(ctl(app, 'DELETE', `/completions/${rule.id}`), 404);
    // Refusals: the envelope with metadata, and without.
    await same(chat({ max_tokens: 10_000_000, messages: [{ role: 'user', content: 'Too much' }] }), 402);
    await same(chat({ model: 'nope/nope', messages: [{ role: 'user', content: 'x' }] }), 400);
    await same(chat({}), 400);
  });

  it('the control plane behind --admin-token: 401', async () => {
    const { app, same } = recordingApp({ adminToken: 'secret-admin-token' });
    await same(ctl(app, 'GET', '/faults'), 401);
    await same(ctl(app, 'GET', '/faults', undefined, { authorization: 'Bearer secret-admin-token' }), 200);
  });

  it('the control plane with a body over its limit: 413', async () => {
    const { app, same } = recordingApp();
    // The control plane's limit is not --body-limit; a body over it still needs sending, so a
    // reply stub stands in: the route's error answer is all that is checked here.
    await same(
      app.inject({ method: 'POST', url: '/__mock/clock', headers: { 'content-type': 'application/json', 'content-length': String(300 * 1024 * 1024) }, payload: '{}' }),
      413,
    );
  });

  it('GET /__mock/health', async () => {
    const { app, same } = recordingApp();
    await same(ctl(app, 'GET', '/health'), 200);
  });

  it('every operation of the engine has a case answered with its success status (one without fails, named)', () => {
    const app = buildTestApp();
    const expected = app.engine.operations.filter((op) => op.url !== EVENT_STREAM.url).map((op) => `${op.method} ${op.url} ${op.status}`);
    expect(checked.size, 'the cases above ran').toBeGreaterThan(0);
    expect(expected.length).toBeGreaterThan(20);
    expect(expected.filter((answer) => !checked.has(answer))).toEqual([]);
  });
});
