/**
 * Contract suite: the official OpenRouter SDK (`@openrouter/sdk`) against a real listening mock.
 * The SDK validates every response with zod, so a call that resolves proves the response shape;
 * the assertions on top prove the values.
 */
import { OpenRouter } from '@openrouter/sdk';
import {
  BadRequestResponseError,
  ForbiddenResponseError,
  NotFoundResponseError,
  OpenRouterDefaultError,
  OpenRouterError,
  UnauthorizedResponseError,
} from '@openrouter/sdk/models/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockServer, type MockServer } from '../../src/server.js';
import { DOCS_HASH, LOCAL_DEV_KEY, MANAGEMENT_KEY, TEST_NOW } from '../helpers/build.js';
import { rejection } from '../helpers/promises.js';

const SEED = 4242;

let server: MockServer;

beforeAll(async () => {
  server = await createMockServer({ port: 0, now: TEST_NOW, seed: SEED });
});

afterAll(async () => {
  await server?.close();
});

function client(apiKey: string = MANAGEMENT_KEY): OpenRouter {
  return new OpenRouter({ apiKey, serverURL: server.url, retryConfig: { strategy: 'none' } });
}

/** The SDK's view of a key (camelCase), the fields the limit depends on. */
interface SdkKeyUsage {
  limit: number | null;
  limitReset: string | null;
  includeByokInLimit: boolean;
  usage: number;
  usageDaily: number;
  usageWeekly: number;
  usageMonthly: number;
  byokUsage: number;
  byokUsageDaily: number;
  byokUsageWeekly: number;
  byokUsageMonthly: number;
}

/** What is left of a key's limit, computed here from the key's own usage fields. */
function expectedRemaining(key: SdkKeyUsage): number | null {
  if (key.limit === null) return null;
  const windows: Record<string, [number, number]> = {
    daily: [key.usageDaily, key.byokUsageDaily],
    weekly: [key.usageWeekly, key.byokUsageWeekly],
    monthly: [key.usageMonthly, key.byokUsageMonthly],
  };
  const [credits, byok] = key.limitReset === null ? [key.usage, key.byokUsage] : windows[key.limitReset]!;
  return Math.max(0, key.limit - (credits + (key.includeByokInLimit ? byok : 0)));
}

function expectRemaining(key: SdkKeyUsage & { limitRemaining: number | null }): void {
  const expected = expectedRemaining(key);
  if (expected === null) {
    expect(key.limitRemaining).toBeNull();
  } else {
    expect(key.limitRemaining).not.toBeNull();
    expect(Math.abs(key.limitRemaining! - expected)).toBeLessThanOrEqual(1e-6);
  }
}


/** The OpenRouter error envelope carried by an SDK error's raw body. */
function envelopeOf(error: OpenRouterError): { code: number; message: string } {
  const body = JSON.parse(error.body) as { error: { code: number; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error.message).toBe('string');
  return body.error;
}

/** A fresh ordinary key, created through the SDK; returns its record and plaintext. */
async function createKey(name: string, extra: { limit?: number | null; limitReset?: 'daily' | 'weekly' | 'monthly' | null } = {}) {
  return client().apiKeys.create({ requestBody: { name, ...extra } });
}

describe('every operation parses through the SDK', () => {
  it('list: active keys of the default workspace, newest first; includeDisabled adds the disabled ones', async () => {
    const active = await client().apiKeys.list();
    expect(active.data.length).toBeGreaterThan(0);
    expect(active.data.every((k) => k.disabled === false)).toBe(true);
    expect(active.data.map((k) => k.hash)).toContain(DOCS_HASH);
    const created = active.data.map((k) => Date.parse(k.createdAt));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    for (const key of active.data) expectRemaining(key);

    const all = await client().apiKeys.list({ includeDisabled: true });
    const disabled = all.data.filter((k) => k.disabled);
    expect(disabled.length).toBeGreaterThan(0);
    expect(all.data.length).toBe(active.data.length + disabled.length);
    expect(new Set(all.data.map((k) => k.hash))).toEqual(new Set([...active.data, ...disabled].map((k) => k.hash)));
  });

  it('get: answers the same key the listing shows', async () => {
    const listed = (await client().apiKeys.list()).data.find((k) => k.hash === DOCS_HASH)!;
    const got = await client().apiKeys.get({ hash: DOCS_HASH });
    expect(got.data).toEqual(listed);
    expect(got.data.hash).toBe(DOCS_HASH);
    expectRemaining(got.data);
  });

  it('create: answers the new key, its plaintext, and lists it first', async () => {
    const expiresAt = new Date(Date.parse(TEST_NOW) + 30 * 86_400_000);
    const before = server.store.now();
    const created = await client().apiKeys.create({
      requestBody: { name: 'sdk create', limit: 12.5, limitReset: 'weekly', includeByokInLimit: true, expiresAt },
    });
    const after = server.store.now();
    const { data, key } = created;
    expect(key).toMatch(/^sk-or-v1-[0-9a-f]{64}$/);
    expect(data.name).toBe('sdk create');
    expect(data.limit).toBe(12.5);
    expect(data.limitReset).toBe('weekly');
    expect(data.includeByokInLimit).toBe(true);
    expect(data.disabled).toBe(false);
    expect(data.updatedAt).toBeNull();
    expect(data.expiresAt?.getTime()).toBe(expiresAt.getTime());
    expect(Date.parse(data.createdAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(data.createdAt)).toBeLessThanOrEqual(after);
    // A new key has spent nothing: the whole limit remains.
    expect([data.usage, data.usageDaily, data.usageWeekly, data.usageMonthly]).toEqual([0, 0, 0, 0]);
    expect(data.limitRemaining).toBe(data.limit);
    // The label masks the plaintext: its prefix and its last four characters.
    expect(data.label.startsWith(key.slice(0, 11))).toBe(true);
    expect(data.label.endsWith(key.slice(-4))).toBe(true);

    const listed = await client().apiKeys.list();
    expect(listed.data[0]!.hash).toBe(data.hash);
    expect((await client().apiKeys.get({ hash: data.hash })).data).toEqual(data);
  });

  it('update: changes exactly the fields sent and recomputes limitRemaining', async () => {
    const target = (await createKey('sdk update target', { limit: 40, limitReset: 'daily' })).data;
    const updated = await client().apiKeys.update({ hash: target.hash, requestBody: { name: 'renamed by sdk' } });
    expect(updated.data).toEqual({ ...target, name: 'renamed by sdk', updatedAt: updated.data.updatedAt });
    expect(updated.data.updatedAt).not.toBeNull();
    expectRemaining(updated.data);
  });

  it('delete: answers deleted: true, and the key is gone', async () => {
    const { data } = await createKey('sdk delete target');
    const deleted = await client().apiKeys.delete({ hash: data.hash });
    expect(deleted).toEqual({ deleted: true });
    const listed = await client().apiKeys.list({ includeDisabled: true });
    expect(listed.data.map((k) => k.hash)).not.toContain(data.hash);
    expect(await rejection(() => client().apiKeys.get({ hash: data.hash }))).toBeInstanceOf(NotFoundResponseError);
  });

  it('getCurrentKeyMetadata with the management key: isManagementKey true, no limit', async () => {
    const { data } = await client().apiKeys.getCurrentKeyMetadata();
    expect(data.isManagementKey).toBe(true);
    expect(data.isProvisioningKey).toBe(true);
    expect(data.limit).toBeNull();
    expect(data.limitRemaining).toBeNull();
    // The label masks the management key's plaintext.
    expect(data.label.startsWith(MANAGEMENT_KEY.slice(0, 11))).toBe(true);
    expect(data.label.endsWith(MANAGEMENT_KEY.slice(-4))).toBe(true);
  });

  it('getCurrentKeyMetadata with an ordinary fixture key: isManagementKey false, its own usage', async () => {
    const { data } = await client(LOCAL_DEV_KEY).apiKeys.getCurrentKeyMetadata();
    expect(data.isManagementKey).toBe(false);
    expect(data.isProvisioningKey).toBe(false);
    expect(data.label.endsWith(LOCAL_DEV_KEY.slice(-4))).toBe(true);
    // The same key as the management API sees it: same limit and usage.
    const listed = (await client().apiKeys.list()).data.find((k) => k.label === data.label)!;
    expect(listed).toBeDefined();
    for (const field of ['limit', 'limitReset', 'includeByokInLimit', 'usage', 'usageDaily', 'usageWeekly', 'usageMonthly', 'byokUsage'] as const) {
      expect(data[field]).toEqual(listed[field]);
    }
    expect(data.limitRemaining).toEqual(listed.limitRemaining);
    expectRemaining(data);
  });
});

describe('workflows', () => {
  it('list → update → get: the update sticks and limitRemaining follows the new window', async () => {
    const listed = await client().apiKeys.list();
    // A key with spend in every window, so the window choice matters.
    const key = listed.data.find((k) => k.hash !== DOCS_HASH && k.usageWeekly > 0 && k.usage > k.usageWeekly)!;
    expect(key).toBeDefined();

    const limit = Math.round((key.usageWeekly + key.byokUsageWeekly + 7.25) * 100) / 100;
    const before = server.store.now();
    const updated = await client().apiKeys.update({
      hash: key.hash,
      requestBody: { name: 'workflow renamed', limit, limitReset: 'weekly', includeByokInLimit: true },
    });
    const after = server.store.now();

    expect(updated.data.name).toBe('workflow renamed');
    expect(updated.data.limit).toBe(limit);
    expect(updated.data.limitReset).toBe('weekly');
    expect(updated.data.includeByokInLimit).toBe(true);
    // limit − this week's credits − this week's BYOK spend.
    const expected = limit - key.usageWeekly - key.byokUsageWeekly;
    expect(Math.abs(updated.data.limitRemaining! - expected)).toBeLessThanOrEqual(1e-6);
    expectRemaining(updated.data);
    expect(Date.parse(updated.data.updatedAt!)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(updated.data.updatedAt!)).toBeLessThanOrEqual(after);
    // Nothing else moved.
    const untouched = { ...key, name: 'workflow renamed', limit, limitReset: 'weekly', includeByokInLimit: true };
    expect({ ...updated.data, limitRemaining: 0, updatedAt: null }).toEqual({ ...untouched, limitRemaining: 0, updatedAt: null });

    const got = await client().apiKeys.get({ hash: key.hash });
    expect(got.data).toEqual(updated.data);

    // Switching the window back to all-time with BYOK excluded recomputes against `usage`.
    const allTime = await client().apiKeys.update({ hash: key.hash, requestBody: { limitReset: null, includeByokInLimit: false } });
    expect(Math.abs(allTime.data.limitRemaining! - Math.max(0, limit - key.usage))).toBeLessThanOrEqual(1e-6);
    expectRemaining(allTime.data);
  });

  it('create → its plaintext authenticates GET /key → delete → the plaintext no longer works', async () => {
    const created = await createKey('workflow ephemeral', { limit: 3, limitReset: 'monthly' });
    const own = client(created.key);

    const current = await own.apiKeys.getCurrentKeyMetadata();
    expect(current.data.isManagementKey).toBe(false);
    expect(current.data.isProvisioningKey).toBe(false);
    expect(current.data.label).toBe(created.data.label);
    expect(current.data.limit).toBe(3);
    expect(current.data.limitReset).toBe('monthly');
    expect(current.data.limitRemaining).toBe(3);
    expect(current.data.workspaceId).toBe(created.data.workspaceId);
    expect(current.data.creatorUserId).toBe(created.data.creatorUserId);

    expect(await client().apiKeys.delete({ hash: created.data.hash })).toEqual({ deleted: true });

    const error = await rejection(() => own.apiKeys.getCurrentKeyMetadata());
    expect(error).toBeInstanceOf(UnauthorizedResponseError);
    const unauthorized = error as UnauthorizedResponseError;
    expect(unauthorized.statusCode).toBe(401);
    expect(unauthorized.error.code).toBe(401);
    expect(unauthorized.error.message.length).toBeGreaterThan(0);
  });

  it('a disabled key stops authenticating; re-enabling it restores access', async () => {
    const created = await createKey('workflow disable');
    await client().apiKeys.update({ hash: created.data.hash, requestBody: { disabled: true } });
    const error = await rejection(() => client(created.key).apiKeys.getCurrentKeyMetadata());
    expect(error).toBeInstanceOf(UnauthorizedResponseError);
    expect((error as UnauthorizedResponseError).error.message).toMatch(/disabled/i);

    await client().apiKeys.update({ hash: created.data.hash, requestBody: { disabled: false } });
    const current = await client(created.key).apiKeys.getCurrentKeyMetadata();
    expect(current.data.label).toBe(created.data.label);
  });
});

describe('errors surface as the SDK error classes', () => {
  it('400 BadRequestResponseError: limit -1, and the key is unchanged', async () => {
    const before = await client().apiKeys.get({ hash: DOCS_HASH });
    const error = await rejection(() => client().apiKeys.update({ hash: DOCS_HASH, requestBody: { limit: -1 } }));
    expect(error).toBeInstanceOf(BadRequestResponseError);
    const bad = error as BadRequestResponseError;
    expect(bad.statusCode).toBe(400);
    expect(bad.error.code).toBe(400);
    expect(bad.error.message).toContain('limit');
    expect(envelopeOf(bad)).toEqual({ code: 400, message: bad.error.message });
    expect(await client().apiKeys.get({ hash: DOCS_HASH })).toEqual(before);
  });

  it('400 BadRequestResponseError: a whitespace-only name, and the key is unchanged', async () => {
    const before = await client().apiKeys.get({ hash: DOCS_HASH });
    const error = await rejection(() => client().apiKeys.update({ hash: DOCS_HASH, requestBody: { name: ' \t\n ', limit: 5 } }));
    expect(error).toBeInstanceOf(BadRequestResponseError);
    const bad = error as BadRequestResponseError;
    expect(bad.statusCode).toBe(400);
    expect(bad.error.message).toContain('name');
    expect(await client().apiKeys.get({ hash: DOCS_HASH })).toEqual(before);
  });

  it('400 BadRequestResponseError on create with an empty name', async () => {
    const countBefore = (await client().apiKeys.list({ includeDisabled: true })).data.length;
    const error = await rejection(() => client().apiKeys.create({ requestBody: { name: '' } }));
    expect(error).toBeInstanceOf(BadRequestResponseError);
    expect((error as BadRequestResponseError).error.message).toContain('name');
    expect((await client().apiKeys.list({ includeDisabled: true })).data.length).toBe(countBefore);
  });

  it('401 UnauthorizedResponseError: an API key the mock does not know, on every operation', async () => {
    const stranger = client(`sk-or-v1-${'0'.repeat(64)}`);
    const calls: (() => Promise<unknown>)[] = [
      () => stranger.apiKeys.list(),
      () => stranger.apiKeys.get({ hash: DOCS_HASH }),
      () => stranger.apiKeys.create({ requestBody: { name: 'nope' } }),
      () => stranger.apiKeys.update({ hash: DOCS_HASH, requestBody: { name: 'nope' } }),
      () => stranger.apiKeys.delete({ hash: DOCS_HASH }),
      () => stranger.apiKeys.getCurrentKeyMetadata(),
    ];
    for (const call of calls) {
      const error = await rejection(call);
      expect(error).toBeInstanceOf(UnauthorizedResponseError);
      const unauthorized = error as UnauthorizedResponseError;
      expect(unauthorized.statusCode).toBe(401);
      expect(envelopeOf(unauthorized).code).toBe(401);
    }
    // Nothing happened to the key the stranger aimed at.
    expect((await client().apiKeys.get({ hash: DOCS_HASH })).data.hash).toBe(DOCS_HASH);
  });

  it('404 NotFoundResponseError: an unknown hash on get, update and delete', async () => {
    const unknown = 'ab'.repeat(32);
    for (const call of [
      () => client().apiKeys.get({ hash: unknown }),
      () => client().apiKeys.update({ hash: unknown, requestBody: { name: 'ghost' } }),
      () => client().apiKeys.delete({ hash: unknown }),
    ]) {
      const error = await rejection(call);
      expect(error).toBeInstanceOf(NotFoundResponseError);
      const notFound = error as NotFoundResponseError;
      expect(notFound.statusCode).toBe(404);
      expect(notFound.error.code).toBe(404);
      expect(notFound.error.message).toContain(unknown);
    }
  });

  it('403: an ordinary key on management endpoints (generic error where the SDK has no 403 class)', async () => {
    const created = await createKey('forbidden caller');
    const ordinary = client(created.key);

    const listError = await rejection(() => ordinary.apiKeys.list());
    expect(listError).toBeInstanceOf(OpenRouterError);
    expect(listError).toBeInstanceOf(OpenRouterDefaultError);
    const generic = listError as OpenRouterDefaultError;
    expect(generic.statusCode).toBe(403);
    expect(envelopeOf(generic)).toEqual({ code: 403, message: expect.stringMatching(/management/i) });

    for (const call of [
      () => ordinary.apiKeys.get({ hash: created.data.hash }),
      () => ordinary.apiKeys.update({ hash: created.data.hash, requestBody: { name: 'self-rename' } }),
      () => ordinary.apiKeys.delete({ hash: created.data.hash }),
    ]) {
      const error = await rejection(call);
      expect(error).toBeInstanceOf(OpenRouterError);
      expect((error as OpenRouterError).statusCode).toBe(403);
      expect(envelopeOf(error as OpenRouterError).message).toMatch(/management/i);
    }

    // createKeys declares a 403, so the SDK uses its dedicated class there.
    const createError = await rejection(() => ordinary.apiKeys.create({ requestBody: { name: 'child' } }));
    expect(createError).toBeInstanceOf(ForbiddenResponseError);
    expect((createError as ForbiddenResponseError).statusCode).toBe(403);
    expect((createError as ForbiddenResponseError).error.message).toMatch(/management/i);

    // None of the forbidden calls changed the key.
    const after = await client().apiKeys.get({ hash: created.data.hash });
    expect(after.data).toEqual(created.data);
  });
});
