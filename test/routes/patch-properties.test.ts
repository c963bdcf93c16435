/**
 * Property tests of PATCH /api/v1/keys/:hash through `app.inject()`.
 *
 * Every generated body goes through one checker that holds the whole contract:
 *  - the answer is 200 or 400, never anything else, and it is the one an independent model predicts;
 *  - a 400 is the envelope {"error":{"code":400,"message":"…"}} and leaves the key byte-identical;
 *  - a 200 equals the model applying the patch to the key as it was just before (and sticks).
 * One app per property; the key's state drifts from run to run, which is fine because the model
 * always starts from a fresh GET of the key.
 */
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { api, buildTestApp, DOCS_HASH, errorOf } from '../helpers/build.js';
import type { KeyView } from '../../src/domain/types.js';

const FIELDS = ['name', 'disabled', 'limit', 'limit_reset', 'include_byok_in_limit'] as const;
type Field = (typeof FIELDS)[number];
const isField = (key: string): key is Field => (FIELDS as readonly string[]).includes(key);

const NUM_RUNS = 150;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A key as the API returns it (the domain's view type). */
type KeyJson = KeyView & { [other: string]: unknown };

// ---- the model -------------------------------------------------------------------------------

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Keys the JSON parser refuses (prototype-poisoning protection): an own `__proto__` anywhere, or a
 * `constructor` object that has a `prototype` key.
 */
function poisoned(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(poisoned);
  if (!isObject(value)) return false;
  if (Object.hasOwn(value, '__proto__')) return true;
  if (Object.hasOwn(value, 'constructor') && isObject(value.constructor) && Object.hasOwn(value.constructor, 'prototype')) return true;
  return Object.keys(value).some((k) => poisoned(value[k]));
}

/** Whether a value is acceptable for a field, as the API documents it. */
function validFor(field: Field, value: unknown): boolean {
  switch (field) {
    case 'name':
      return typeof value === 'string' && value.trim().length > 0;
    case 'disabled':
    case 'include_byok_in_limit':
      return typeof value === 'boolean';
    case 'limit':
      return value === null || (typeof value === 'number' && Number.isFinite(value) && value >= 0);
    case 'limit_reset':
      return value === null || value === 'daily' || value === 'weekly' || value === 'monthly';
  }
}

/** 200 or 400, for the body as the server receives it (the wire text, parsed). */
function predictStatus(body: unknown): 200 | 400 {
  if (poisoned(body) || !isObject(body)) return 400;
  return FIELDS.every((field) => !Object.hasOwn(body, field) || validFor(field, body[field])) ? 200 : 400;
}

/** max(0, limit − spend of the limit's window [+ BYOK spend of that window]), or null without a limit. */
function modelRemaining(key: KeyJson): number | null {
  if (key.limit === null) return null;
  let credits = key.usage;
  let byok = key.byok_usage;
  if (key.limit_reset === 'daily') [credits, byok] = [key.usage_daily, key.byok_usage_daily];
  if (key.limit_reset === 'weekly') [credits, byok] = [key.usage_weekly, key.byok_usage_weekly];
  if (key.limit_reset === 'monthly') [credits, byok] = [key.usage_monthly, key.byok_usage_monthly];
  const used = key.include_byok_in_limit ? credits + byok : credits;
  return Math.max(0, key.limit - used);
}

/**
 * The server rounds limit_remaining to micro-dollars: 1e-6 absolute. Past ~1e9 USD a double cannot
 * hold micro-dollars, so there the bound is relative (1e-12 of the value).
 */
function expectClose(actual: number | null, expected: number | null, what: string): void {
  if (expected === null) {
    expect(actual, what).toBeNull();
    return;
  }
  expect(actual, what).not.toBeNull();
  expect(typeof actual, what).toBe('number');
  expect(Math.abs(actual! - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(Math.max(1e-6, Math.abs(expected) * 1e-12));
}

// ---- the checker -----------------------------------------------------------------------------

async function getText(app: FastifyInstance, hash: string): Promise<string> {
  const response = await api(app, 'GET', `/keys/${hash}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.body;
}

/** Sends `text` as the PATCH body of key `hash` and checks the whole contract; returns the status. */
async function checkPatch(app: FastifyInstance, hash: string, text: string): Promise<number> {
  const beforeText = await getText(app, hash);
  const before = (JSON.parse(beforeText) as { data: KeyJson }).data;
  const wire: unknown = JSON.parse(text);

  const t0 = app.mock.clock.now();
  const response = await api(app, 'PATCH', `/keys/${hash}`, text);
  const t1 = app.mock.clock.now();

  expect([200, 400], `${response.statusCode} for ${text}: ${response.body}`).toContain(response.statusCode);
  expect(response.statusCode, `status for ${text}: ${response.body}`).toBe(predictStatus(wire));
  const afterText = await getText(app, hash);

  if (response.statusCode === 400) {
    // The envelope, exactly: {"error":{"code":400,"message":<non-empty string>}}.
    const body = JSON.parse(response.body) as { error: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(['error']);
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
    const { code, message } = errorOf(response);
    expect(code).toBe(400);
    expect(message.trim().length).toBeGreaterThan(0);
    // Nothing changed, byte for byte.
    expect(afterText).toBe(beforeText);
    return 400;
  }

  const body = wire as Record<string, unknown>;
  const returned = JSON.parse(response.body) as { data: KeyJson };
  expect(Object.keys(returned)).toEqual(['data']);
  const got = returned.data;

  // The model: only the five fields, only those present, take the sent values.
  const expected: KeyJson = { ...before };
  const present = FIELDS.filter((field) => Object.hasOwn(body, field) && body[field] !== undefined);
  for (const field of present) (expected as Record<string, unknown>)[field] = body[field];

  expect(Object.keys(got).sort()).toEqual(Object.keys(before).sort());
  const { limit_remaining: gotRemaining, updated_at: gotUpdated, ...gotRest } = got;
  const { limit_remaining: _ignored, updated_at: beforeUpdated, ...expectedRest } = expected;
  expect(gotRest, `after ${text}`).toEqual(expectedRest);
  expectClose(gotRemaining, modelRemaining(expected), `limit_remaining after ${text}`);

  if (present.length === 0) {
    expect(gotUpdated).toBe(beforeUpdated);
  } else {
    // updated_at moves to now: stamped between the request's start and its answer.
    expect(gotUpdated).not.toBeNull();
    expect(gotUpdated).toBe(new Date(Date.parse(gotUpdated!)).toISOString());
    const stamp = Date.parse(gotUpdated!);
    expect(stamp).toBeGreaterThanOrEqual(t0);
    expect(stamp).toBeLessThanOrEqual(t1);
    if (beforeUpdated === null || Date.parse(beforeUpdated) < t0) expect(gotUpdated).not.toBe(beforeUpdated);
  }

  // The change sticks: GET answers what PATCH answered, byte for byte.
  expect(afterText).toBe(response.body);
  return 200;
}

async function allHashes(app: FastifyInstance): Promise<string[]> {
  const response = await api(app, 'GET', '/keys?include_disabled=true');
  expect(response.statusCode).toBe(200);
  const hashes = (response.json() as { data: { hash: string }[] }).data.map((k) => k.hash);
  expect(hashes).toContain(DOCS_HASH);
  return hashes;
}

/** An object's JSON text from entries (keeps `__proto__` an ordinary key, unlike object literals). */
const objectText = (entries: [string, unknown][]): string =>
  `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;

// ---- generators ------------------------------------------------------------------------------

const whitespace = fc.string({
  unit: fc.constantFrom(' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\u1680', '\u2003', '\u2028', '\u3000', '\ufeff'),
  maxLength: 6,
});

/** Money-scale limits (extreme magnitudes have their own property below). */
const validLimit = fc.oneof(
  fc.constant(null),
  fc.double({ min: 0, max: 1e12, noNaN: true }),
  fc.integer({ min: 0, max: 100_000 }),
  fc.constantFrom(0, 0.01, 1e-7, 25.5, 42.42),
);

const validValue: { [F in Field]: fc.Arbitrary<Json> } = {
  name: fc
    .oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), fc.tuple(whitespace, fc.string({ minLength: 1 }), whitespace).map((p) => p.join('')))
    .filter((s) => s.trim() !== ''),
  disabled: fc.boolean(),
  limit: validLimit,
  limit_reset: fc.constantFrom(null, 'daily', 'weekly', 'monthly'),
  include_byok_in_limit: fc.boolean(),
};

/** A value of any JSON type; top-level numbers are kept at money scale. */
const anyValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double({ min: -1e12, max: 1e12, noNaN: true }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom('daily', 'weekly', 'monthly', 'Daily', 'DAILY', 'yearly', '', 'null', 'true', 'false', '0', '-1'),
  whitespace,
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }) as fc.Arbitrary<Json>,
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }) as fc.Arbitrary<Json>,
);

const unknownKey = fc
  .oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.constantFrom('__proto__', 'constructor', 'Name', 'LIMIT', 'limitReset', 'includeByokInLimit', 'hash', 'usage', 'updated_at', 'expires_at', 'limit_remaining', 'name ', ''),
  )
  .filter((k) => !isField(k));

const unknownValue: fc.Arbitrary<Json> = fc.oneof(fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, fc.constant({ prototype: {} }), anyValue);

/** Entries for the five fields: each absent, a valid value, or a value of any type. */
const fieldEntries = (value: (field: Field) => fc.Arbitrary<Json>) =>
  fc
    .tuple(...FIELDS.map((field) => fc.option(value(field), { nil: undefined, freq: 2 }).map((v) => [field, v] as const)))
    .map((pairs) => pairs.filter(([, v]) => v !== undefined) as [string, Json][]);

const unknownEntries = (min: number) =>
  fc.uniqueArray(fc.tuple(unknownKey, unknownValue), { minLength: min, maxLength: 4, selector: ([k]) => k });

/** Known and unknown entries, shuffled together, as JSON object text. */
const mixedBody = (known: fc.Arbitrary<[string, Json][]>, unknown: fc.Arbitrary<[string, Json][]>) =>
  fc
    .tuple(known, unknown)
    .chain(([k, u]) => fc.shuffledSubarray([...k, ...u], { minLength: k.length + u.length }))
    .map(objectText);

// ---- properties ------------------------------------------------------------------------------

describe('PATCH /keys/:hash properties', () => {
  it('any JSON value as the body: 200 or 400 as the model predicts; 400 changes nothing; 200 matches the model', async () => {
    const app = buildTestApp();
    const hashes = await allHashes(app);
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...hashes), fc.jsonValue(), async (hash, value) => {
        statuses.add(await checkPatch(app, hash, JSON.stringify(value)));
      }),
      { numRuns: NUM_RUNS },
    );
    expect([...statuses].sort()).toEqual([200, 400]);
  });

  it('objects mixing the real fields (values of any type) with unknown keys: the same contract', async () => {
    const app = buildTestApp();
    const hashes = await allHashes(app);
    const statuses = new Set<number>();
    const field = (f: Field) => fc.oneof(validValue[f], anyValue);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...hashes), mixedBody(fieldEntries(field), unknownEntries(0)), async (hash, text) => {
        statuses.add(await checkPatch(app, hash, text));
      }),
      { numRuns: 200 },
    );
    expect([...statuses].sort()).toEqual([200, 400]);
  });

  it('valid patches (unknown keys ignored): always 200, equal to the model', async () => {
    const app = buildTestApp();
    const hashes = await allHashes(app);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...hashes),
        mixedBody(fieldEntries((f) => validValue[f]), unknownEntries(0)).filter((text) => !poisoned(JSON.parse(text))),
        async (hash, text) => {
          expect(await checkPatch(app, hash, text)).toBe(200);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('a patch with at least one invalid field: 400, nothing changes (not even the valid fields sent with it)', async () => {
    const app = buildTestApp();
    const hashes = await allHashes(app);
    const invalid = fc
      .constantFrom(...FIELDS)
      .chain((bad) => fc.tuple(fc.constant(bad), anyValue.filter((v) => !validFor(bad, v))));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...hashes), fieldEntries((f) => validValue[f]), invalid, async (hash, valid, [bad, value]) => {
        const entries = [...valid.filter(([k]) => k !== bad), [bad, value] as [string, Json]];
        expect(await checkPatch(app, hash, objectText(entries))).toBe(400);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('limit_remaining follows the model for every finite limit, up to Number.MAX_VALUE', async () => {
    const app = buildTestApp();
    const hashes = await allHashes(app);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...hashes),
        fc.double({ min: 0, max: Number.MAX_VALUE, noNaN: true }),
        fc.constantFrom(null, 'daily', 'weekly', 'monthly'),
        fc.boolean(),
        async (hash, limit, limitReset, byok) => {
          const text = JSON.stringify({ limit, limit_reset: limitReset, include_byok_in_limit: byok });
          expect(await checkPatch(app, hash, text)).toBe(200);
        },
      ),
      { numRuns: NUM_RUNS, examples: [[DOCS_HASH, 1e303, 'monthly', false]] },
    );
  });
});

describe('PATCH /keys/:hash properties, --strict', () => {
  it('any unknown key: 400 naming it, nothing changes; the same body without unknown keys is accepted', async () => {
    const app = buildTestApp({ strict: true });
    const hashes = await allHashes(app);
    const body = fc
      .tuple(fieldEntries((f) => validValue[f]), unknownEntries(1))
      .filter(([, unknown]) => !poisoned(JSON.parse(objectText(unknown))))
      .chain(([known, unknown]) =>
        fc
          .shuffledSubarray([...known, ...unknown], { minLength: known.length + unknown.length })
          .map((entries) => ({ known, unknown, text: objectText(entries) })),
      );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...hashes), body, async (hash, { known, unknown, text }) => {
        const beforeText = await getText(app, hash);
        const response = await api(app, 'PATCH', `/keys/${hash}`, text);
        expect(response.statusCode, `${text}: ${response.body}`).toBe(400);
        const { code, message } = errorOf(response);
        expect(code).toBe(400);
        const names = unknown.map(([k]) => k);
        expect(names.some((k) => message.includes(`field "${k}"`)), `${message} names one of ${JSON.stringify(names)}`).toBe(true);
        expect(await getText(app, hash)).toBe(beforeText);

        // Strict mode rejects only the unknown keys: the known fields alone are a valid patch.
        expect(await checkPatch(app, hash, objectText(known))).toBe(200);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
