import { afterAll, describe, expect, it } from 'vitest';
import { buildCeiling } from '../../bench/ceiling.js';
import { DOCS_HASH, PATCH_BODY } from '../../bench/shared.js';
import { buildApp } from '../../src/app.js';
import { DEFAULT_MANAGEMENT_KEY, resolveConfig } from '../../src/config.js';

/**
 * `npm run bench`'s reference row "ceiling + the mock's 3 headers" must send the headers the mock
 * sends, or it does not say what they cost: the same names, in the same order, before the body's own.
 */
describe('the benchmark ceiling with the mock’s headers', () => {
  const mock = buildApp(resolveConfig({ logLevel: 'silent' }));
  const plain = buildCeiling();
  const headered = buildCeiling({ headers: true });
  afterAll(() => Promise.all([mock.close(), plain.close(), headered.close()]));

  const patch = (app: typeof mock) =>
    app.inject({
      method: 'PATCH',
      url: `/api/v1/keys/${DOCS_HASH}`,
      headers: { authorization: `Bearer ${DEFAULT_MANAGEMENT_KEY}`, 'content-type': 'application/json' },
      payload: PATCH_BODY,
    });
  // What Fastify writes for every JSON answer, and inject's own.
  const answerOwn = new Set(['content-type', 'content-length', 'date', 'connection']);
  const stamped = (headers: Record<string, unknown>) => Object.keys(headers).filter((name) => !answerOwn.has(name));

  it('writes X-Mock-Server, X-Request-Id and Vary as the mock does, and the plain ceiling writes none of them', async () => {
    const [fromMock, fromHeadered, fromPlain] = await Promise.all([patch(mock), patch(headered), patch(plain)]);
    expect([fromMock.statusCode, fromHeadered.statusCode, fromPlain.statusCode]).toEqual([200, 200, 200]);
    expect(stamped(fromHeadered.headers)).toEqual(stamped(fromMock.headers));
    expect(stamped(fromHeadered.headers)).toEqual(['x-mock-server', 'x-request-id', 'vary']);
    expect(fromHeadered.headers['x-mock-server']).toBe(fromMock.headers['x-mock-server']);
    expect(fromHeadered.headers.vary).toBe(fromMock.headers.vary);
    expect(fromHeadered.headers['x-request-id']).toMatch(/^req-[0-9a-z]+$/);
    expect(stamped(fromPlain.headers)).toEqual([]);
  });

  it('numbers its request ids as the mock does: one more each request, in base 36', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(String((await patch(headered)).headers['x-request-id']));
    const numbers = ids.map((id) => parseInt(id.slice(4), 36));
    expect(numbers.slice(1).map((n, i) => n - numbers[i]!)).toEqual(Array(39).fill(1));
  });
});

/** The reference row "ceiling, answers sent at the turn's end": the plain ceiling's answer, only sent later. */
describe('the benchmark ceiling sending at the turn’s end', () => {
  const plain = buildCeiling();
  const atTurnEnd = buildCeiling({ turnEnd: true });
  afterAll(() => Promise.all([plain.close(), atTurnEnd.close()]));
  const patch = (app: typeof plain) =>
    app.inject({ method: 'PATCH', url: `/api/v1/keys/${DOCS_HASH}`, headers: { 'content-type': 'application/json' }, payload: PATCH_BODY });

  it('answers every request of a turn with the plain ceiling’s status, headers and body', async () => {
    const [expected, ...answers] = await Promise.all([patch(plain), ...Array.from({ length: 5 }, () => patch(atTurnEnd))]);
    const { date: _date, ...expectedHeaders } = expected!.headers;
    for (const answer of answers) {
      expect(answer.statusCode).toBe(200);
      const { date: _d, ...headers } = answer.headers;
      expect(headers).toEqual(expectedHeaders);
      expect(answer.body).toBe(expected!.body);
    }
  });
});
