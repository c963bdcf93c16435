/**
 * One implementation, one answer: every method of the test handle, called with an input, gives
 * the JSON its `/__mock` route gives for the same input — the route's `data` when it answers
 * `{data: …}`, else the whole body — and a bad input gets the route's error, status and message,
 * having changed nothing. Two servers built alike (the clock stands still) take the same steps,
 * one through the handle, one through the routes, and must hold the same state after each.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createHandle, type MockHandle } from '../../src/control/handle.js';
import { ApiError } from '../../src/domain/errors.js';
import type { StoreState } from '../../src/domain/types.js';
import { api, buildTestApp, ctl, DOCS_HASH, errorOf } from '../helpers/build.js';

interface Route {
  method: InjectOptions['method'];
  path: string;
  body?: unknown;
}

type Outcome = { answer: unknown } | { error: { code: number; message: string } };

/** The JSON a value becomes on the wire. */
const json = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

function twins() {
  const viaHandle = buildTestApp({ managementKey: ['sk-or-v1-aaa', 'sk-or-v1-bbb'] });
  const viaRoutes = buildTestApp({ managementKey: ['sk-or-v1-aaa', 'sk-or-v1-bbb'] });
  const handle = createHandle(viaHandle);
  const covered = new Set<string>();

  const outcomeOfHandle = async (call: () => Promise<unknown>): Promise<Outcome> => {
    try {
      return { answer: json(await call()) };
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      return { error: { code: (error as ApiError).status, message: (error as ApiError).message } };
    }
  };
  const outcomeOfRoute = async (app: FastifyInstance, route: Route): Promise<Outcome> => {
    const res = await ctl(app, route.method, route.path, route.body);
    if (res.statusCode >= 400) return { error: errorOf(res) };
    const body = res.json() as Record<string, unknown>;
    return { answer: 'data' in body ? body.data : body };
  };
  const stateText = async (app: FastifyInstance) => (await ctl(app, 'GET', '/state')).body;

  /** The method `name`, called through the handle on one server and as `route` on the other. */
  async function same(name: string, call: (h: MockHandle) => Promise<unknown>, route: Route): Promise<Outcome> {
    covered.add(name);
    const before = await stateText(viaHandle);
    const fromHandle = await outcomeOfHandle(() => call(handle));
    const fromRoute = await outcomeOfRoute(viaRoutes, route);
    expect(fromHandle, `${name} vs ${String(route.method)} ${route.path}`).toStrictEqual(fromRoute);
    expect(await stateText(viaHandle)).toBe(await stateText(viaRoutes));
    if ('error' in fromHandle) expect(await stateText(viaHandle), 'a refused call changed nothing').toBe(before);
    return fromHandle;
  }

  /** For reads that depend on timings (the journal): both ways on the same server. */
  async function sameOnOne(name: string, call: (h: MockHandle) => Promise<unknown>, route: Route): Promise<Outcome> {
    covered.add(name);
    const fromHandle = await outcomeOfHandle(() => call(handle));
    expect(fromHandle, `${name} vs ${String(route.method)} ${route.path}`).toStrictEqual(await outcomeOfRoute(viaHandle, route));
    return fromHandle;
  }

  /** The same API request to both servers. */
  const both = async (method: InjectOptions['method'], url: string, body?: unknown) => {
    const [a, b] = [await api(viaHandle, method, url, body), await api(viaRoutes, method, url, body)];
    expect(a.statusCode).toBe(b.statusCode);
  };

  const methodNames = (): string[] =>
    Object.entries(handle).flatMap(([key, value]) => (typeof value === 'function' ? [key] : Object.keys(value as object).map((k) => `${key}.${k}`)));

  return { handle, same, sameOnOne, both, covered, methodNames };
}

const answerOf = <T>(outcome: Outcome): T => {
  if (!('answer' in outcome)) throw new Error(`expected an answer, got ${JSON.stringify(outcome)}`);
  return outcome.answer as T;
};

describe('every handle method answers what its route answers, for the same input', () => {
  it('good inputs and bad ones, through every method', async () => {
    const { same, sameOnOne, both, covered, methodNames } = twins();
    const bad = async (...args: Parameters<typeof same>) => expect(await same(...args)).toHaveProperty('error');

    // Reads.
    await same('state', (h) => h.state(), { method: 'GET', path: '/state' });
    await same('scenarios', (h) => h.scenarios(), { method: 'GET', path: '/scenarios' });
    const accounts = answerOf<{ id: string }[]>(await same('accounts', (h) => h.accounts(), { method: 'GET', path: '/accounts' }));
    await same('clock.now', (h) => h.clock.now(), { method: 'GET', path: '/clock' });

    // The clock.
    await same('clock.set', (h) => h.clock.set('2026-02-01T00:00:00Z'), { method: 'POST', path: '/clock', body: { now: '2026-02-01T00:00:00Z' } });
    await same('clock.set', (h) => h.clock.set(new Date('2026-02-02T00:00:00Z')), { method: 'POST', path: '/clock', body: { now: '2026-02-02T00:00:00.000Z' } });
    await same('clock.set', (h) => h.clock.set(Date.parse('2026-02-03T00:00:00Z')), { method: 'POST', path: '/clock', body: { now: '2026-02-03T00:00:00.000Z' } });
    await same('clock.advance', (h) => h.clock.advance('1d12h'), { method: 'POST', path: '/clock', body: { advance: '1d12h' } });
    await same('clock.advance', (h) => h.clock.advance(90_000), { method: 'POST', path: '/clock', body: { advance: 90_000 } });
    await same('clock.freeze', (h) => h.clock.freeze(), { method: 'POST', path: '/clock', body: { frozen: true } });
    await same('clock.unfreeze', (h) => h.clock.unfreeze(), { method: 'POST', path: '/clock', body: { frozen: false } });
    await bad('clock.set', (h) => h.clock.set('not a date'), { method: 'POST', path: '/clock', body: { now: 'not a date' } });
    await bad('clock.set', (h) => h.clock.set(new Date(Number.NaN)), { method: 'POST', path: '/clock', body: { now: 'Invalid Date' } });
    await bad('clock.advance', (h) => h.clock.advance(-1), { method: 'POST', path: '/clock', body: { advance: -1 } });
    await bad('clock.advance', (h) => h.clock.advance(1.5), { method: 'POST', path: '/clock', body: { advance: 1.5 } });
    await bad('clock.advance', (h) => h.clock.advance('soon'), { method: 'POST', path: '/clock', body: { advance: 'soon' } });

    // Usage.
    await same('recordUsage', (h) => h.recordUsage(DOCS_HASH, 2), { method: 'POST', path: `/keys/${DOCS_HASH}/usage`, body: { amount: 2 } });
    await same('recordUsage', (h) => h.recordUsage(DOCS_HASH, { amount: 1, byok: 0.5 }), { method: 'POST', path: `/keys/${DOCS_HASH}/usage`, body: { amount: 1, byok: 0.5 } });
    await bad('recordUsage', (h) => h.recordUsage(DOCS_HASH, -1), { method: 'POST', path: `/keys/${DOCS_HASH}/usage`, body: { amount: -1 } });
    await bad('recordUsage', (h) => h.recordUsage(DOCS_HASH, { amount: 1, extra: 1 } as never), { method: 'POST', path: `/keys/${DOCS_HASH}/usage`, body: { amount: 1, extra: 1 } });
    await bad('recordUsage', (h) => h.recordUsage('0'.repeat(64), 1), { method: 'POST', path: `/keys/${'0'.repeat(64)}/usage`, body: { amount: 1 } });

    // Faults.
    const rule = answerOf<{ id: string }>(
      await same('fault', (h) => h.fault({ match: { method: 'PATCH', path: '/keys/*' }, status: 503, times: 2 }), {
        method: 'POST',
        path: '/faults',
        body: { match: { method: 'PATCH', path: '/keys/*' }, status: 503, times: 2 },
      }),
    );
    await same('fault', (h) => h.fault({ status: 500, body: { error: { message: 'down' } } }), { method: 'POST', path: '/faults', body: { status: 500, body: { error: { message: 'down' } } } });
    await bad('fault', (h) => h.fault({ status: 200 }), { method: 'POST', path: '/faults', body: { status: 200 } });
    await bad('fault', (h) => h.fault({ match: { path: 'keys' } }), { method: 'POST', path: '/faults', body: { match: { path: 'keys' } } });
    await bad('fault', (h) => h.fault({ match: { path: '/__mock/**' } }), { method: 'POST', path: '/faults', body: { match: { path: '/__mock/**' } } });
    await same('faults', (h) => h.faults(), { method: 'GET', path: '/faults' });
    await same('editFault', (h) => h.editFault(rule.id, { enabled: false, delay_ms: null }), { method: 'PATCH', path: `/faults/${rule.id}`, body: { enabled: false, delay_ms: null } });
    await bad('editFault', (h) => h.editFault(rule.id, { status: 200 }), { method: 'PATCH', path: `/faults/${rule.id}`, body: { status: 200 } });
    await bad('editFault', (h) => h.editFault(rule.id, { match: { path: '/__mock/**' } }), { method: 'PATCH', path: `/faults/${rule.id}`, body: { match: { path: '/__mock/**' } } });
    await bad('editFault', (h) => h.editFault('fault_404', { enabled: true }), { method: 'PATCH', path: '/faults/fault_404', body: { enabled: true } });
    await same('removeFault', (h) => h.removeFault(rule.id), { method: 'DELETE', path: `/faults/${rule.id}` });
    await bad('removeFault', (h) => h.removeFault(rule.id), { method: 'DELETE', path: `/faults/${rule.id}` });
    await same('clearFaults', (h) => h.clearFaults(), { method: 'DELETE', path: '/faults' });
    await same('clearFaults', (h) => h.clearFaults(), { method: 'DELETE', path: '/faults' });

    // The inference surface: completion rules and an account's credits.
    const completion = answerOf<{ id: string }>(
      await same('completion', (h) => h.completion({ match: { model: 'openai/gpt-4o' }, content: 'Hi.', cost: 0.5, times: 2 }), {
        method: 'POST',
        path: '/completions',
        body: { match: { model: 'openai/gpt-4o' }, content: 'Hi.', cost: 0.5, times: 2 },
      }),
    );
    await bad('completion', (h) => h.completion({ error: { code: 502, message: 'x' } }), { method: 'POST', path: '/completions', body: { error: { code: 502, message: 'x' } } });
    await bad('completion', (h) => h.completion({ times: 0 }), { method: 'POST', path: '/completions', body: { times: 0 } });
    await same('completions', (h) => h.completions(), { method: 'GET', path: '/completions' });
    await same('removeCompletion', (h) => h.removeCompletion(completion.id), { method: 'DELETE', path: `/completions/${completion.id}` });
    await bad('removeCompletion', (h) => h.removeCompletion(completion.id), { method: 'DELETE', path: `/completions/${completion.id}` });
    await same('completion', (h) => h.completion({}), { method: 'POST', path: '/completions', body: {} });
    await same('clearCompletions', (h) => h.clearCompletions(), { method: 'DELETE', path: '/completions' });
    const first = accounts[0]!.id;
    await same('credits', (h) => h.credits(first), { method: 'GET', path: `/accounts/${first}/credits` });
    await same('setCredits', (h) => h.setCredits(first, { total_credits: 5 }), { method: 'POST', path: `/accounts/${first}/credits`, body: { total_credits: 5 } });
    await bad('setCredits', (h) => h.setCredits(first, {}), { method: 'POST', path: `/accounts/${first}/credits`, body: {} });
    await bad('setCredits', (h) => h.setCredits(first, { total_usage: -1 }), { method: 'POST', path: `/accounts/${first}/credits`, body: { total_usage: -1 } });
    await bad('credits', (h) => h.credits('acct_nope'), { method: 'GET', path: '/accounts/acct_nope/credits' });
    await same('admission', (h) => h.admission(DOCS_HASH), { method: 'GET', path: `/keys/${DOCS_HASH}/admission` });
    await same('admission', (h) => h.admission(DOCS_HASH, { max_tokens: 10_000_000 }), { method: 'GET', path: `/keys/${DOCS_HASH}/admission?max_tokens=10000000` });
    await bad('admission', (h) => h.admission('nope'), { method: 'GET', path: '/keys/nope/admission' });
    await bad('admission', (h) => h.admission(DOCS_HASH, { max_tokens: 0 }), { method: 'GET', path: `/keys/${DOCS_HASH}/admission?max_tokens=0` });

    // Accounts and scenarios.
    const created = answerOf<{ id: string }>(
      await same('createAccount', (h) => h.createAccount({ scenario: 'near-limit', seed: 5 }), { method: 'POST', path: '/accounts', body: { scenario: 'near-limit', seed: 5 } }),
    );
    const empty = answerOf<{ id: string }>(await same('createAccount', (h) => h.createAccount(), { method: 'POST', path: '/accounts' }));
    await bad('createAccount', (h) => h.createAccount({ seed: -1 }), { method: 'POST', path: '/accounts', body: { seed: -1 } });
    await bad('createAccount', (h) => h.createAccount({ bogus: 1 } as never), { method: 'POST', path: '/accounts', body: { bogus: 1 } });
    await bad('createAccount', (h) => h.createAccount({ scenario: 'no-such-scenario' }), { method: 'POST', path: '/accounts', body: { scenario: 'no-such-scenario' } });
    await same('scenario', (h) => h.scenario('over-limit', { account_id: created.id, seed: 2 }), { method: 'POST', path: '/scenarios/over-limit', body: { account_id: created.id, seed: 2 } });
    await same('scenario', (h) => h.scenario('default', { account_id: accounts[1]!.id }), { method: 'POST', path: '/scenarios/default', body: { account_id: accounts[1]!.id } });
    await same('scenario', (h) => h.scenario('byok-heavy'), { method: 'POST', path: '/scenarios/byok-heavy' });
    await bad('scenario', (h) => h.scenario('Not_A_Name'), { method: 'POST', path: '/scenarios/Not_A_Name' });
    await bad('scenario', (h) => h.scenario('no-such-scenario'), { method: 'POST', path: '/scenarios/no-such-scenario' });
    await bad('scenario', (h) => h.scenario('empty', { seed: -1 }), { method: 'POST', path: '/scenarios/empty', body: { seed: -1 } });
    await bad('scenario', (h) => h.scenario('empty', { account_id: 'acct_none' }), { method: 'POST', path: '/scenarios/empty', body: { account_id: 'acct_none' } });
    await same('accounts', (h) => h.accounts(), { method: 'GET', path: '/accounts' });
    await same('accountKey', (h) => h.accountKey(accounts[0]!.id), { method: 'GET', path: `/accounts/${accounts[0]!.id}/management-key` });
    await same('accountKey', (h) => h.accountKey(created.id), { method: 'GET', path: `/accounts/${created.id}/management-key` });
    await bad('accountKey', (h) => h.accountKey('acct_none'), { method: 'GET', path: '/accounts/acct_none/management-key' });
    await same('accountKeys', (h) => h.accountKeys(accounts[0]!.id), { method: 'GET', path: `/accounts/${accounts[0]!.id}/keys` });
    await same('accountKeys', (h) => h.accountKeys(accounts[0]!.id, { offset: 1, include_disabled: 'true' }), {
      method: 'GET',
      path: `/accounts/${accounts[0]!.id}/keys?offset=1&include_disabled=true`,
    });
    await bad('accountKeys', (h) => h.accountKeys('acct_none'), { method: 'GET', path: '/accounts/acct_none/keys' });
    await same('keySearch', (h) => h.keySearch(accounts[0]!.id), { method: 'GET', path: `/accounts/${accounts[0]!.id}/keys/search` });
    await same('keySearch', (h) => h.keySearch(accounts[0]!.id, { q: 'a', field: 'name', reverse: 'true' }), {
      method: 'GET',
      path: `/accounts/${accounts[0]!.id}/keys/search?q=a&field=name&reverse=true`,
    });
    await bad('keySearch', (h) => h.keySearch(accounts[0]!.id, { field: 'email' } as never), { method: 'GET', path: `/accounts/${accounts[0]!.id}/keys/search?field=email` });
    await bad('keySearch', (h) => h.keySearch('acct_none'), { method: 'GET', path: '/accounts/acct_none/keys/search' });
    await bad('accountKeys', (h) => h.accountKeys(accounts[0]!.id, { include_disabled: 'yes' } as never), { method: 'GET', path: `/accounts/${accounts[0]!.id}/keys?include_disabled=yes` });
    await same('deleteAccount', (h) => h.deleteAccount(empty.id), { method: 'DELETE', path: `/accounts/${empty.id}` });
    await bad('deleteAccount', (h) => h.deleteAccount(empty.id), { method: 'DELETE', path: `/accounts/${empty.id}` });

    // The whole state.
    const doc = answerOf<StoreState>(await same('state', (h) => h.state(), { method: 'GET', path: '/state' }));
    doc.accounts = doc.accounts.slice(0, 2);
    await same('load', (h) => h.load(doc), { method: 'PUT', path: '/state', body: doc });
    const broken = structuredClone(doc);
    (broken.accounts[0]!.keys[2] as unknown as Record<string, unknown>).usage_daily = '6';
    await bad('load', (h) => h.load(broken), { method: 'PUT', path: '/state', body: broken });
    await bad('load', (h) => h.load({ accounts: 'all' } as never), { method: 'PUT', path: '/state', body: { accounts: 'all' } });

    // The journal: some API traffic on both, then each filter both ways on one server.
    await both('GET', '/keys');
    await both('GET', `/keys/${DOCS_HASH}`);
    await both('PATCH', `/keys/${DOCS_HASH}`, { name: 'renamed' });
    await both('GET', '/keys/unknown');
    for (const [filter, query] of [
      [{}, ''],
      [{ method: 'GET' }, '?method=GET'],
      [{ limit: 1 }, '?limit=1'],
      [{ status: 404 }, '?status=404'],
      [{ path: '/api/v1/keys/*' }, `?path=${encodeURIComponent('/api/v1/keys/*')}`],
      [{ hash: DOCS_HASH }, `?hash=${DOCS_HASH}`],
      [{ since: new Date('2000-01-01T00:00:00Z') }, '?since=2000-01-01T00:00:00.000Z'],
      [{ since: Date.parse('2100-01-01T00:00:00Z') }, '?since=2100-01-01T00:00:00.000Z'],
      [{ since: '2026-02-01T00:00:00Z' }, '?since=2026-02-01T00:00:00Z'],
    ] as const) {
      await sameOnOne('requests', (h) => h.requests(filter), { method: 'GET', path: `/requests${query}` });
    }
    for (const [filter, query] of [
      [{ limit: 0 }, '?limit=0'],
      [{ limit: 1.5 }, '?limit=1.5'],
      [{ status: 600 }, '?status=600'],
      [{ method: '' }, '?method='],
      [{ since: 'yesterday' }, '?since=yesterday'],
      [{ since: new Date(Number.NaN) }, '?since=Invalid%20Date'],
    ] as const) {
      expect(await sameOnOne('requests', (h) => h.requests(filter), { method: 'GET', path: `/requests${query}` })).toHaveProperty('error');
    }
    await same('clearRequests', (h) => h.clearRequests(), { method: 'DELETE', path: '/requests' });

    // And back to the start.
    await same('reset', (h) => h.reset(), { method: 'POST', path: '/reset' });
    await same('state', (h) => h.state(), { method: 'GET', path: '/state' });

    // waitForRequest has no route (a wait is not a request): test/control/wait-for-request.test.ts.
    expect([...covered].sort()).toEqual(methodNames().filter((name) => name !== 'waitForRequest').sort());
  });

  it('the issue\'s two cases: requests({limit: 0}) is the route\'s 400; clock.now() is {now, frozen}', async () => {
    const { handle, sameOnOne } = twins();
    const refused = await sameOnOne('requests', (h) => h.requests({ limit: 0 }), { method: 'GET', path: '/requests?limit=0' });
    expect(refused).toEqual({ error: { code: 400, message: 'Invalid query parameter: field "limit" must be ≥ 1' } });
    expect(await handle.clock.now()).toEqual({ now: '2026-01-14T12:00:00.000Z', frozen: false });
  });
});
