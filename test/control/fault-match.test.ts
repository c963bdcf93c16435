/**
 * A fault rule that could never match an API request is refused with a 400 saying why (once per
 * door); the routes a rule is checked against are the server's own.
 */
import { describe, expect, it } from 'vitest';
import { API_PREFIX } from '../../src/domain/paths.js';
import { API_ROUTES } from '../../src/http/api-operations.js';
import { buildTestApp, buildTestDoor, ctl, DOCS_HASH, DOORS, errorOf } from '../helpers/build.js';
import { faultsOf } from '../helpers/faults.js';

describe.each(DOORS)('a rule that could never match is refused with a 400 saying why (%s door)', (door) => {
  it.each([
    [{ path: 'keys' }, 'match.path', 'must start with "/"'],
    [{ path: '**' }, 'match.path', 'must start with "/"'],
    [{ path: '/__mock/**' }, 'match.path', 'control routes (/__mock) are never faulted'],
    [{ path: '/__mock' }, 'match.path', 'control routes (/__mock) are never faulted'],
    [{ path: '/keys/' }, 'match.path', 'must not end with "/"'],
    [{ path: '/keys//*' }, 'match.path', 'empty segment'],
    [{ path: '//keys' }, 'match.path', 'empty segment'],
    [{ path: '/keys/../key' }, 'match.path', 'a "." or ".." segment'],
    [{ path: '/./keys' }, 'match.path', 'a "." or ".." segment'],
    [{ path: '/' }, 'match.path', 'no API route has such a path'],
    [{ path: '/api/v1' }, 'match.path', 'no API route has such a path'],
    [{ path: '/api/v1keys' }, 'match.path', 'no API route has such a path'],
    [{ path: '/api/v2/keys' }, 'match.path', 'no API route has such a path'],
    [{ path: '/health' }, 'match.path', 'no API route has such a path'],
    [{ path: '/keys/*/usage' }, 'match.path', 'no API route has such a path'],
    [{ path: '/keys*' }, 'match.path', 'no API route has such a path'], // "keys" and then more: no such route
    [{ path: '/*/*/*' }, 'match.path', 'no API route has such a path'],
    [{ path: '/Keys' }, 'match.path', 'no API route has such a path'],
    [{ method: 'PUT' }, 'match.method', 'the API answers GET, HEAD, POST, PATCH, DELETE'],
    [{ method: 'options' }, 'match.method', 'the API answers'],
    [{ hash: 'a/b' }, 'match.hash', 'a hash has no "/"'],
    [{ method: 'POST', path: '/keys/*' }, 'match', 'no API route takes POST with "/keys/*"'],
    [{ method: 'DELETE', path: '/key' }, 'match', 'no API route takes DELETE with "/key"'],
    [{ method: 'POST', hash: DOCS_HASH }, 'match', 'a hash is only on /api/v1/keys/{hash}'],
    [{ path: '/key', hash: DOCS_HASH }, 'match', 'a hash is only on /api/v1/keys/{hash}'],
  ])('%j → 400 naming %s: "%s"; no rule is added', async (match, field, reason) => {
    const app = buildTestDoor(door);
    const res = await ctl(app, 'POST', '/faults', { match, status: 503 });
    expect(res.statusCode, res.body).toBe(400);
    expect(errorOf(res).message).toContain(`Invalid request body: field "${field}" `);
    expect(errorOf(res).message).toContain(reason);
    expect(await faultsOf(app)).toEqual([]);
  });

  it.each([
    [{ path: '/keys' }],
    [{ path: '/keys/*' }],
    [{ path: `/keys/${DOCS_HASH.slice(0, 8)}*` }],
    [{ path: '/api/v1/keys/**' }],
    [{ path: '/**' }],
    [{ path: '/k*' }],
    [{ path: '/*/*' }],
    [{ method: 'head', path: '/key' }],
    [{ method: 'PATCH', hash: DOCS_HASH }],
    [{ path: '/keys/*', hash: DOCS_HASH }],
  ])('%j is accepted (it matches some API request)', async (match) => {
    const app = buildTestDoor(door);
    expect((await ctl(app, 'POST', '/faults', { match, status: 503 })).statusCode).toBe(201);
  });
});

describe('the routes a rule is checked against (the server)', () => {
  it('the routes a rule is checked against are exactly the API\'s routes', async () => {
    const app = buildTestApp();
    const routes: string[] = [];
    app.addHook('onRoute', (route) => {
      if (route.url.startsWith(API_PREFIX)) routes.push(`${String(route.method)} ${route.url}`);
    });
    await app.ready();
    expect(routes.sort()).toEqual(API_ROUTES.map((route) => `${route.method} ${route.path}`).sort());
  });
});
