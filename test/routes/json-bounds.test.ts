/**
 * JSON bodies are bounded before they are parsed: nesting depth and element count (a parser builds
 * every array it meets, so 200 MB of "[" took the process down), and every control route but the
 * state import takes a small body.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, MAX_JSON_ELEMENTS, readJsonBody } from '../../src/http/body.js';
import { CONTROL_OPTIONS_BODY_LIMIT } from '../../src/http/control-operations.js';
import { api, buildTestApp, buildTestDoor, ctl, DOCS_HASH, DOORS, errorOf } from '../helpers/build.js';

const deep = (levels: number, open = '[', close = ']') => `${open.repeat(levels)}${close.repeat(levels)}`;
const TOO_DEEP = `Invalid request body: JSON nested deeper than ${MAX_JSON_DEPTH} levels`;

describe.each(DOORS)('JSON bounds (%s door)', (door) => {
  it('PUT /__mock/state of 100,000 nested "[" is a 400; the state is unchanged and the mock answers', async () => {
    const mock = buildTestDoor(door);
    const before = (await ctl(mock, 'GET', '/state')).body;
    const res = await ctl(mock, 'PUT', '/state', '['.repeat(100_000));
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toBe(TOO_DEEP);
    expect((await ctl(mock, 'GET', '/state')).body).toBe(before);
    expect((await ctl(mock, 'GET', '/health')).statusCode).toBe(200);
  });

  it(`a state with more than ${MAX_JSON_ELEMENTS} elements is a 400 naming the limit`, async () => {
    const mock = buildTestDoor(door);
    const before = (await ctl(mock, 'GET', '/state')).body;
    const res = await ctl(mock, 'PUT', '/state', `{"accounts":[${'0,'.repeat(MAX_JSON_ELEMENTS)}0]}`);
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toContain(`more than ${MAX_JSON_ELEMENTS} elements`);
    expect((await ctl(mock, 'GET', '/state')).body).toBe(before);
  });

  it(`a PATCH nested ${MAX_JSON_DEPTH + 1} deep is a 400 and changes nothing; ${MAX_JSON_DEPTH} deep is read`, async () => {
    const mock = buildTestDoor(door);
    const before = (await api(mock, 'GET', `/keys/${DOCS_HASH}`)).body;
    const tooDeep = await api(mock, 'PATCH', `/keys/${DOCS_HASH}`, `{"name":"deep","extra":${deep(MAX_JSON_DEPTH)}}`);
    expect(tooDeep.statusCode).toBe(400);
    expect(errorOf(tooDeep).message).toBe(TOO_DEEP);
    expect((await api(mock, 'GET', `/keys/${DOCS_HASH}`)).body).toBe(before);
    // One level less: the object around it makes 64.
    const fits = await api(mock, 'PATCH', `/keys/${DOCS_HASH}`, `{"name":"deep","extra":${deep(MAX_JSON_DEPTH - 1, '{"a":', '}').replace(/\{"a":\}/, '{}')}}`);
    expect(fits.statusCode, fits.body).toBe(200);
  });

  it('brackets inside strings (escaped quotes too) are text, not nesting', async () => {
    const mock = buildTestDoor(door);
    const name = `\\"${'['.repeat(200)}\\\\`;
    const res = await api(mock, 'PATCH', `/keys/${DOCS_HASH}`, `{"name":"${name}"}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ data: { name: string } }>().data.name).toBe(`"${'['.repeat(200)}\\`);
  });

  it(`every control route but PUT /__mock/state takes at most ${CONTROL_OPTIONS_BODY_LIMIT} bytes (413); the state import takes more`, async () => {
    const mock = buildTestDoor(door);
    const big = JSON.stringify({ status: 500, body: 'x'.repeat(CONTROL_OPTIONS_BODY_LIMIT) });
    const res = await ctl(mock, 'POST', '/faults', big);
    expect(res.statusCode).toBe(413);
    expect(errorOf(res).message).toBe(`Request body too large: the limit is ${CONTROL_OPTIONS_BODY_LIMIT} bytes`);
    expect((await ctl(mock, 'GET', '/faults')).json()).toEqual({ data: [] });
    const state = (await ctl(mock, 'GET', '/state')).json<{ accounts: unknown[] }>();
    const padded = `${JSON.stringify(state)}${' '.repeat(CONTROL_OPTIONS_BODY_LIMIT)}`;
    expect((await ctl(mock, 'PUT', '/state', padded)).statusCode).toBe(200);
  });
});

describe('JSON bounds on a real socket', () => {
  it('a deep PUT /__mock/state is a 400 and /__mock/health still answers', async () => {
    const app = buildTestApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const res = await fetch(`${base}/__mock/state`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '['.repeat(1_000_000) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(TOO_DEEP);
    expect((await fetch(`${base}/__mock/health`)).status).toBe(200);
  });
});

describe('the scan before parsing', () => {
  const read = (text: string) => readJsonBody('POST', 'application/json', text, false);

  it('lets every JSON value within the bounds through unchanged', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }).filter((value) => !/__proto__|constructor/.test(JSON.stringify(value))), (value) => {
        expect(read(JSON.stringify(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 500 },
    );
  });

  it(`refuses a text exactly when it nests deeper than ${MAX_JSON_DEPTH}, whatever strings it holds`, () => {
    const tricky = fc.constantFrom('"["', '"]"', '"\\"["', '"\\\\"', '"{}"', '0', 'null');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 150 }), fc.array(fc.boolean(), { minLength: 150, maxLength: 150 }), tricky, (levels, objects, leaf) => {
        let text: string = leaf;
        for (let i = 0; i < levels; i++) text = objects[i] ? `{"k":${text},"s":"]}"}` : `[${text},"[["]`;
        if (levels > MAX_JSON_DEPTH) expect(() => read(text)).toThrow(TOO_DEEP);
        else expect(() => read(text)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
