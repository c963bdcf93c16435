import type { Faker } from '@faker-js/faker';
import { parseRelativeInstant } from '../domain/duration.js';
import {
  KEY_VALUE_RULES,
  parseUtcInstant,
  toIso,
  usageFamilyViolation,
  USAGE_FAMILIES,
  type FieldRule,
} from '../domain/rules.js';
import { maskedLabel } from '../domain/secrets.js';
import type { KeyRecord, KeyUsage } from '../domain/types.js';
import { generateKey, generateSecret, generateUsage, type KeyContext } from './key-factory.js';
import type { UsageFamily } from './usage.js';

const usageRecord = ({ usage, byok }: { usage: UsageFamily; byok: UsageFamily }): KeyUsage => ({
  usage: usage.total,
  usage_daily: usage.daily,
  usage_weekly: usage.weekly,
  usage_monthly: usage.monthly,
  byok_usage: byok.total,
  byok_usage_daily: byok.daily,
  byok_usage_weekly: byok.weekly,
  byok_usage_monthly: byok.monthly,
});

/**
 * Fixture keys: a JSON array of key objects in the API's own shape. Every field is optional;
 * omitted ones are filled in (see README, "Fixtures"). Timestamps may be ISO 8601 UTC instants or
 * relative to the clock ("now", "now-30d", "now+1d12h"), so hand-written data never goes stale.
 * An entry may carry the plaintext `key` instead of (or with) its `hash`, so that it can be used
 * as a bearer token for `GET /key`.
 */
export class FixtureError extends Error {
  override readonly name = 'FixtureError';
}

const plaintextRule: FieldRule = (v) =>
  typeof v === 'string' && /^\S{8,}$/.test(v) ? null : 'must be the plaintext key: 8 or more characters, no whitespace';

const FIELD_RULES: Record<string, FieldRule | 'timestamp' | 'nullable-timestamp' | 'ignored'> = {
  key: plaintextRule,
  ...KEY_VALUE_RULES,
  created_at: 'timestamp',
  updated_at: 'nullable-timestamp',
  expires_at: 'nullable-timestamp',
  // Derived on every read; accepted so that a GET response can be pasted in as a fixture.
  limit_remaining: 'ignored',
};

const FAMILIES = USAGE_FAMILIES;

export interface FixtureContext extends KeyContext {
  faker: Faker;
}

export function parseFixtureKeys(entries: unknown, ctx: FixtureContext, source = 'fixtures'): KeyRecord[] {
  if (!Array.isArray(entries)) throw new FixtureError(`${source}: must be a JSON array of key objects`);
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const record = parseEntry(entry, index, ctx, source);
    if (seen.has(record.hash)) {
      throw new FixtureError(`${source}: entry ${index}: field "hash": duplicates an earlier entry (${record.hash})`);
    }
    seen.add(record.hash);
    return record;
  });
}

function parseEntry(entry: unknown, index: number, ctx: FixtureContext, source: string): KeyRecord {
  const where = (field?: string) => {
    const name = entry && typeof entry === 'object' && typeof (entry as { name?: unknown }).name === 'string'
      ? ` ("${(entry as { name: string }).name}")`
      : '';
    return `${source}: entry ${index}${name}${field ? `: field "${field}"` : ''}`;
  };
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new FixtureError(`${where()}: must be a JSON object`);
  }
  const given = entry as Record<string, unknown>;
  const times: Record<string, number | null> = {};
  for (const [field, value] of Object.entries(given)) {
    const rule = FIELD_RULES[field];
    if (rule === undefined) {
      throw new FixtureError(`${where(field)}: unknown field; allowed: ${Object.keys(FIELD_RULES).join(', ')}`);
    }
    if (rule === 'ignored') continue;
    if (rule === 'timestamp' || rule === 'nullable-timestamp') {
      if (value === null && rule === 'nullable-timestamp') {
        times[field] = null;
        continue;
      }
      const at = typeof value === 'string' ? (parseUtcInstant(value) ?? parseRelativeInstant(value, ctx.now)) : null;
      if (at === null) {
        throw new FixtureError(
          `${where(field)}: must be an ISO 8601 UTC timestamp ending in "Z" or a time relative to the clock such as "now-30d"${rule === 'nullable-timestamp' ? ', or null' : ''}`,
        );
      }
      times[field] = at;
      continue;
    }
    const broken = rule(value);
    if (broken) throw new FixtureError(`${where(field)}: ${broken}`);
  }

  // A generated key of the same position supplies realistic values for what the entry leaves out.
  const generated = generateKey(ctx.faker, ctx, index);
  let hash: string;
  let label: string;
  if (typeof given.key === 'string') {
    hash = ctx.sha256Hex(given.key);
    if (given.hash !== undefined && given.hash !== hash) {
      throw new FixtureError(`${where('hash')}: does not match the SHA-256 of "key" (expected ${hash})`);
    }
    label = maskedLabel(given.key);
  } else if (typeof given.hash === 'string') {
    hash = given.hash;
    label = generateSecret(ctx.faker).label;
  } else {
    ({ hash, label } = generated);
  }

  const createdAt = times.created_at ?? Date.parse(generated.created_at);
  const updatedAt = times.updated_at === undefined ? null : times.updated_at;
  const expiresAt = times.expires_at === undefined ? null : times.expires_at;
  if (createdAt > ctx.now) throw new FixtureError(`${where('created_at')}: must not be later than the clock (${toIso(ctx.now)})`);
  if (updatedAt !== null && updatedAt < createdAt) throw new FixtureError(`${where('updated_at')}: must not be earlier than created_at`);
  if (updatedAt !== null && updatedAt > ctx.now) throw new FixtureError(`${where('updated_at')}: must not be later than the clock (${toIso(ctx.now)})`);

  // Usage left out is generated by the rule generated keys follow, for this entry's own age.
  let drawn: KeyUsage | undefined;
  const generatedUsage = (): KeyUsage => (drawn ??= usageRecord(generateUsage(ctx.faker, createdAt, expiresAt, ctx.now)));
  const usage = {} as KeyUsage;
  for (const family of FAMILIES) Object.assign(usage, fillFamily(family, given, generatedUsage, where));

  return {
    hash,
    name: (given.name as string | undefined) ?? generated.name,
    label: (given.label as string | undefined) ?? label,
    disabled: (given.disabled as boolean | undefined) ?? false,
    limit: (given.limit as number | null | undefined) ?? null,
    limit_reset: (given.limit_reset as KeyRecord['limit_reset'] | undefined) ?? null,
    include_byok_in_limit: (given.include_byok_in_limit as boolean | undefined) ?? false,
    ...usage,
    created_at: toIso(createdAt),
    updated_at: updatedAt === null ? null : toIso(updatedAt),
    expires_at: expiresAt === null ? null : toIso(expiresAt),
    creator_user_id: given.creator_user_id === undefined ? ctx.userId : (given.creator_user_id as string | null),
    workspace_id: (given.workspace_id as string | undefined)?.toLowerCase() ?? ctx.workspaceIds[0]!,
    external_user: (given.external_user as string | null | undefined) ?? null,
  };
}

/**
 * One usage family (total, daily, weekly, monthly). None given: generated figures (`generated()`,
 * drawn for the entry's own created_at and expires_at).
 * Some given: the missing ones take the smallest values the rules allow (daily 0, weekly and monthly
 * = daily, total = the larger window). Then daily ≤ weekly ≤ total and daily ≤ monthly ≤ total must hold.
 */
function fillFamily(
  [total, daily, weekly, monthly]: (typeof FAMILIES)[number],
  given: Record<string, unknown>,
  generated: () => KeyUsage,
  where: (field: string) => string,
): Partial<KeyUsage> {
  const pick = (f: keyof KeyUsage) => given[f] as number | undefined;
  if ([total, daily, weekly, monthly].every((f) => pick(f) === undefined)) {
    const g = generated();
    return { [total]: g[total], [daily]: g[daily], [weekly]: g[weekly], [monthly]: g[monthly] };
  }
  const d = pick(daily) ?? 0;
  const w = pick(weekly) ?? d;
  const m = pick(monthly) ?? d;
  const t = pick(total) ?? Math.max(w, m);
  const broken = usageFamilyViolation([total, daily, weekly, monthly], { [total]: t, [daily]: d, [weekly]: w, [monthly]: m });
  if (broken) throw new FixtureError(`${where(broken[0])}: ${broken[1]}`);
  return { [total]: t, [daily]: d, [weekly]: w, [monthly]: m };
}
