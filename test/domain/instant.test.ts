import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantOf } from '../../src/domain/instant.js';
import { parseUtcInstant, timestampRule, toIso } from '../../src/domain/rules.js';

describe('parseUtcInstant: expanded years (what toISOString writes past 9999 and before 0)', () => {
  it.each<[string, number]>([
    ['+010000-01-01T00:00:00.000Z', Date.UTC(10_000, 0, 1)],
    ['+275760-09-13T00:00:00.000Z', 8.64e15],
    ['-000001-12-31T23:59:59.999Z', new Date('-000001-12-31T23:59:59.999Z').getTime()],
    ['+002026-01-14T12:00:00Z', Date.UTC(2026, 0, 14, 12)],
  ])('accepts %s', (text, expected) => {
    expect(parseUtcInstant(text)).toBe(expected);
    expect(timestampRule(text)).toBeNull();
  });

  it.each([
    '-000000-01-01T00:00:00Z', // ECMAScript forbids minus zero
    '+275760-09-13T00:00:00.001Z', // past the last instant a Date holds
    '+275761-01-01T00:00:00Z',
    '+10000-01-01T00:00:00Z', // five digits
    '010000-01-01T00:00:00Z', // no sign
    '+010000-02-30T00:00:00Z',
  ])('rejects %j', (text) => {
    expect(parseUtcInstant(text)).toBeNull();
  });

  it('every toIso output parses back to its instant, across the whole Date range', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(parseUtcInstant(toIso(ms))).toBe(ms);
      }),
    );
  });
});

describe('instantOf', () => {
  it('agrees with parseUtcInstant on canonical timestamps of any year', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(instantOf(toIso(ms))).toBe(ms);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    '2026-01-14T12:00:00Z',
    '2026-01-14T12:00:00.5Z',
    '2026-01-14T12:00:00.123456789Z',
    '0099-06-01T00:00:00.000Z',
    '2028-02-29T23:59:59.999Z',
    '+010000-01-01T00:00:00.000Z',
  ])('reads the other accepted forms as parseUtcInstant does: %s', (text) => {
    expect(instantOf(text)).toBe(parseUtcInstant(text));
  });

  it('a text no rule accepts is -Infinity (oldest), never NaN, so orders stay total', () => {
    for (const text of ['', 'garbage', '2027-02-29T00:00:00.000Z', '2026-13-01T00:00:00.000Z', '2026-01-14T24:00:00.000Z']) {
      expect(instantOf(text)).toBe(Number.NEGATIVE_INFINITY);
    }
  });

  it('orders far-future years after today, unlike string comparison', () => {
    const future = '+010000-01-01T00:00:00.000Z';
    const today = '2026-01-14T12:00:00.000Z';
    expect(future < today).toBe(true); // the trap
    expect(instantOf(future)).toBeGreaterThan(instantOf(today));
    // and a second without milliseconds is earlier than the same second with them
    expect('2026-01-14T12:00:00Z' > '2026-01-14T12:00:00.500Z').toBe(true);
    expect(instantOf('2026-01-14T12:00:00Z')).toBeLessThan(instantOf('2026-01-14T12:00:00.500Z'));
  });
});
