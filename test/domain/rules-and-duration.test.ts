import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/domain/clock.js';
import { parseDuration, parseRelativeInstant } from '../../src/domain/duration.js';
import { parseUtcInstant, toIso } from '../../src/domain/rules.js';
import { KEY_PREFIX, maskedLabel, plaintextKey } from '../../src/domain/secrets.js';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('parseUtcInstant', () => {
  it.each<[string, number]>([
    ['2026-01-14T12:00:00Z', Date.UTC(2026, 0, 14, 12, 0, 0)],
    ['1970-01-01T00:00:00Z', 0],
    ['2027-12-31T23:59:59Z', Date.UTC(2027, 11, 31, 23, 59, 59)],
    ['2028-02-29T06:07:08Z', Date.UTC(2028, 1, 29, 6, 7, 8)], // leap year
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)], // divisible by 400: leap
    ['2026-01-14T12:00:00.5Z', Date.UTC(2026, 0, 14, 12, 0, 0, 500)],
    ['2026-01-14T12:00:00.05Z', Date.UTC(2026, 0, 14, 12, 0, 0, 50)],
    ['2026-01-14T12:00:00.123Z', Date.UTC(2026, 0, 14, 12, 0, 0, 123)],
    ['2026-01-14T12:00:00.999Z', Date.UTC(2026, 0, 14, 12, 0, 0, 999)],
    ['2026-01-14T12:00:00.000Z', Date.UTC(2026, 0, 14, 12, 0, 0, 0)],
    // sub-millisecond digits are truncated, never rounded into the next second
    ['2026-01-14T12:00:00.123456789Z', Date.UTC(2026, 0, 14, 12, 0, 0, 123)],
    ['2026-01-14T23:59:59.9999Z', Date.UTC(2026, 0, 14, 23, 59, 59, 999)],
    // years 0–99 are real years, not 1900–1999
    ['0099-06-01T00:00:00Z', new Date('0099-06-01T00:00:00Z').getTime()],
  ])('accepts %s', (text, expected) => {
    expect(parseUtcInstant(text)).toBe(expected);
  });

  it('every millisecond fraction reads back exactly', () => {
    const base = Date.UTC(2026, 5, 1, 8, 30, 15);
    for (let ms = 0; ms < 1000; ms++) {
      expect(parseUtcInstant(`2026-06-01T08:30:15.${String(ms).padStart(3, '0')}Z`)).toBe(base + ms);
    }
  });

  it.each([
    // offsets other than Z
    '2026-01-14T12:00:00+00:00',
    '2026-01-14T12:00:00-05:00',
    '2026-01-14T12:00:00+0000',
    '2026-01-14T12:00:00.000+01:00',
    // no zone at all
    '2026-01-14T12:00:00',
    // impossible calendar moments
    '2027-02-30T00:00:00Z',
    '2027-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-01-00T00:00:00Z',
    '2026-01-14T24:00:00Z',
    '2026-01-14T23:60:00Z',
    '2026-01-14T23:59:60Z',
    // not the format
    '',
    'garbage',
    'now',
    '2026-01-14',
    '2026-01-14T12:00Z',
    '2026-01-14 12:00:00Z',
    '2026-1-14T12:00:00Z',
    ' 2026-01-14T12:00:00Z',
    '2026-01-14T12:00:00Z ',
    '2026-01-14T12:00:00.Z',
    '2026-01-14T12:00:00.1234567890Z',
    '+02026-01-14T12:00:00Z',
    '1768392000000',
  ])('rejects %j', (text) => {
    expect(parseUtcInstant(text)).toBeNull();
  });

  it('toIso writes the canonical form that parses back to the same instant', () => {
    for (const ms of [0, Date.UTC(2026, 0, 14, 12), Date.UTC(2028, 1, 29, 23, 59, 59, 999)]) {
      const text = toIso(ms);
      expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(parseUtcInstant(text)).toBe(ms);
    }
  });
});

describe('parseDuration', () => {
  it.each<[string, number]>([
    ['90s', 90 * SEC],
    ['36h', 36 * HOUR],
    ['1d12h30m', DAY + 12 * HOUR + 30 * MIN],
    ['500ms', 500],
    ['1m', MIN],
    ['1m500ms', MIN + 500],
    ['2d', 2 * DAY],
    ['0s', 0],
    ['1d2h3m4s5ms', DAY + 2 * HOUR + 3 * MIN + 4 * SEC + 5],
    ['400d', 400 * DAY],
    ['90m', 90 * MIN],
    ['1h1s', HOUR + SEC],
  ])('%s → %s ms', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each([
    '',
    '1x',
    'h',
    'd',
    'ms',
    '1',
    '1.5h',
    '-1h',
    '+1h',
    ' 1h',
    '1h ',
    '1H',
    '1h1d', // parts out of order
    '1s1m',
    '1d1d',
    '1 d',
    'now',
    '999999999999999999d', // beyond safe integers
  ])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('parseRelativeInstant', () => {
  const now = Date.UTC(2026, 0, 14, 12);
  it.each<[string, number]>([
    ['now', now],
    ['now-30d', now - 30 * DAY],
    ['now+1d12h', now + DAY + 12 * HOUR],
    ['now-2d4h', now - 2 * DAY - 4 * HOUR],
    ['now+500ms', now + 500],
    ['now-0s', now],
  ])('%s', (text, expected) => {
    expect(parseRelativeInstant(text, now)).toBe(expected);
  });

  it('is relative to the now it is given', () => {
    const other = now + 12_345_678;
    expect(parseRelativeInstant('now-30d', other)).toBe(other - 30 * DAY);
  });

  it.each(['', 'Now', 'NOW', ' now', 'now ', 'now-', 'now+', 'now-x', 'now*1d', 'now--1d', 'now-1x', 'tomorrow', '2026-01-14T12:00:00Z', '-30d'])(
    'rejects %j',
    (text) => {
      expect(parseRelativeInstant(text, now)).toBeNull();
    },
  );
});

describe('VirtualClock', () => {
  function fakeReal(start: number) {
    let t = start;
    return { now: () => t, move: (ms: number) => (t += ms) };
  }

  it('starts at the chosen instant and runs forward with (injected) real time', () => {
    const real = fakeReal(5_000_000);
    const start = Date.UTC(2026, 0, 14, 12);
    const clock = new VirtualClock(real.now, start);
    expect(clock.now()).toBe(start);
    real.move(250);
    expect(clock.now()).toBe(start + 250);
    real.move(DAY);
    expect(clock.now()).toBe(start + 250 + DAY);
  });

  it('without a start instant it follows real time', () => {
    const real = fakeReal(1_700_000_000_000);
    const clock = new VirtualClock(real.now);
    expect(clock.now()).toBe(1_700_000_000_000);
    real.move(42);
    expect(clock.now()).toBe(1_700_000_000_042);
  });

  it('set() jumps to an instant (forward or back) and keeps running from there', () => {
    const real = fakeReal(0);
    const clock = new VirtualClock(real.now, 1_000_000);
    real.move(500);
    const target = Date.UTC(2030, 5, 1);
    clock.set(target);
    expect(clock.now()).toBe(target);
    real.move(10);
    expect(clock.now()).toBe(target + 10);
    clock.set(0);
    expect(clock.now()).toBe(0);
    real.move(7);
    expect(clock.now()).toBe(7);
  });

  it('advance() moves forward by a span on top of elapsed real time', () => {
    const real = fakeReal(100);
    const start = Date.UTC(2026, 0, 1);
    const clock = new VirtualClock(real.now, start);
    real.move(300);
    clock.advance(30 * DAY);
    expect(clock.now()).toBe(start + 300 + 30 * DAY);
    real.move(1);
    clock.advance(HOUR);
    expect(clock.now()).toBe(start + 301 + 30 * DAY + HOUR);
  });

  it('does not move while real time stands still', () => {
    const real = fakeReal(0);
    const clock = new VirtualClock(real.now, 123);
    expect([clock.now(), clock.now(), clock.now()]).toEqual([123, 123, 123]);
  });
});

describe('maskedLabel and plaintextKey', () => {
  const secret = '0e6f44a47a95b3ce1f5c3a1e8d2e0e3f7a9b5c1d2e3f4a5b6c7d8e9f0a1b1c96';

  it('shows the prefix, the first 3 and last 4 characters of the secret', () => {
    expect(secret).toHaveLength(64);
    const key = plaintextKey(secret);
    expect(key).toBe(`sk-or-v1-${secret}`);
    expect(KEY_PREFIX).toBe('sk-or-v1-');
    expect(maskedLabel(key)).toBe(`sk-or-v1-${secret.slice(0, 3)}...${secret.slice(-4)}`);
    expect(maskedLabel(key)).toBe('sk-or-v1-0e6...1c96');
  });

  it('masks a key without the prefix by its own characters', () => {
    expect(maskedLabel('abcdefgh1234')).toBe('sk-or-v1-abc...1234');
  });

  it('never reveals a short secret', () => {
    expect(maskedLabel('sk-or-v1-short')).toBe('sk-or-v1-***...****');
    expect(maskedLabel('abc')).toBe('sk-or-v1-***...****');
    expect(maskedLabel('sk-or-v1-')).toBe('sk-or-v1-***...****');
  });

  it('an 8-character secret is the shortest shown', () => {
    expect(maskedLabel('sk-or-v1-12345678')).toBe('sk-or-v1-123...5678');
    expect(maskedLabel('sk-or-v1-1234567')).toBe('sk-or-v1-***...****');
  });
});
