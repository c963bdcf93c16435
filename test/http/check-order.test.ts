/**
 * The order of checks on a request with a body, the same on the server and the fetch door:
 * authentication, then a Content-Type that is no media type at all (415), then the size (413), then
 * the media type (415), then the JSON (400).
 */
import { describe, expect, it } from 'vitest';
import { createMockFetch } from '../../src/fetch.js';
import { buildTestApp, MANAGEMENT_KEY, TEST_NOW } from '../helpers/build.js';

const LIMIT = 1024;
const big = `{"name":"${'x'.repeat(2 * LIMIT)}"}`;

const cases: { name: string; headers: Record<string, string>; body: string; status: number }[] = [
  { name: 'no credentials, oversized, text/plain', headers: { 'content-type': 'text/plain' }, body: big, status: 401 },
  { name: 'a Content-Type that is no media type, oversized', headers: { ...auth(), 'content-type': 'json' }, body: big, status: 415 },
  { name: 'text/plain, oversized', headers: { ...auth(), 'content-type': 'text/plain' }, body: big, status: 413 },
  { name: 'no Content-Type, oversized', headers: auth(), body: big, status: 413 },
  { name: 'text/plain, small', headers: { ...auth(), 'content-type': 'text/plain' }, body: '{bad', status: 415 },
  { name: 'JSON, malformed', headers: { ...auth(), 'content-type': 'application/json' }, body: '{bad', status: 400 },
];

function auth() {
  return { authorization: `Bearer ${MANAGEMENT_KEY}` };
}

describe('the order of body checks', () => {
  it.each(cases)('$name: $status on the server and through fetch, with the same body', async ({ headers, body, status }) => {
    const app = buildTestApp({ bodyLimit: LIMIT });
    const mock = await createMockFetch({ bodyLimit: LIMIT, now: TEST_NOW });
    const path = '/api/v1/keys/abc';
    const server = await app.inject({ method: 'PATCH', url: path, headers, payload: body });
    const viaFetch = await mock.fetch(path, { method: 'PATCH', headers, body });
    expect(server.statusCode).toBe(status);
    expect(viaFetch.status).toBe(status);
    expect(await viaFetch.text()).toBe(server.body);
  });
});
