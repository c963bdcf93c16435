/**
 * Fault rules meet a request by its decoded path, as they meet it by its decoded `:hash`: a
 * percent-encoded request path is not a way around a rule. The same on the server and through fetch.
 */
import { describe, expect, it } from 'vitest';
import { createMockFetch } from '../../src/fetch.js';
import { buildTestApp, DOCS_HASH, MANAGEMENT_KEY, TEST_NOW } from '../helpers/build.js';

const encoded = `/api/v1/keys/%${DOCS_HASH.charCodeAt(0).toString(16)}${DOCS_HASH.slice(1)}`;
const headers = { authorization: `Bearer ${MANAGEMENT_KEY}` };

describe('fault rules and percent-encoded paths', () => {
  it.each([`/keys/${DOCS_HASH}`, `/api/v1/keys/${DOCS_HASH}`, '/keys/*'])('a rule for %s meets %s', async (path) => {
    const rule = { match: { method: 'GET', path }, status: 503, times: 1 };
    const app = buildTestApp();
    expect((await app.inject({ method: 'POST', url: '/__mock/faults', payload: rule })).statusCode).toBe(201);
    const mock = await createMockFetch({ now: TEST_NOW });
    await mock.fault(rule);

    const server = await app.inject({ method: 'GET', url: encoded, headers });
    const viaFetch = await mock.fetch(encoded, { headers });
    expect(server.statusCode).toBe(503);
    expect(viaFetch.status).toBe(503);
    // `times: 1`: the next one is the real answer, the documentation's key.
    expect((await app.inject({ method: 'GET', url: encoded, headers })).json()).toMatchObject({ data: { hash: DOCS_HASH } });
    expect(await (await mock.fetch(encoded, { headers })).json()).toMatchObject({ data: { hash: DOCS_HASH } });
  });
});
