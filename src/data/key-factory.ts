import type { Faker } from '@faker-js/faker';
import { toIso } from '../domain/rules.js';
import { maskedLabel, plaintextKey } from '../domain/secrets.js';
import type { KeyRecord, LimitReset } from '../domain/types.js';
import { splitUsage } from './usage.js';

const DAY_MS = 86_400_000;

/** What a generated key belongs to. */
export interface KeyContext {
  now: number;
  userId: string;
  workspaceIds: string[];
  sha256Hex(text: string): string;
}

/**
 * The kinds of key a realistic account holds. Generated keys take them in turn, so any account of
 * ten or more keys shows every state a key list must render.
 */
const PROFILES = [
  'monthly',
  'unlimited',
  'daily',
  'weekly-byok',
  'disabled',
  'lifetime',
  'expired',
  'near-limit',
  'over-limit',
  'expiring',
] as const;
type Profile = (typeof PROFILES)[number];

const ENVIRONMENTS = ['Production', 'Staging', 'Development', 'Preview', 'QA', 'Sandbox'];
const PURPOSES = [
  'backend',
  'chatbot',
  'API gateway',
  'worker',
  'web app',
  'mobile app',
  'evals',
  'RAG pipeline',
  'summarizer',
  'support bot',
  'agent',
  'batch jobs',
  'analytics',
];
const LIMITS = [5, 10, 20, 25, 50, 75, 100, 200, 250, 500, 1000];

function keyName(faker: Faker): string {
  switch (faker.number.int({ min: 0, max: 5 })) {
    case 0:
      return `${faker.person.firstName()}'s laptop`;
    case 1:
      return `${faker.company.name()} integration`;
    case 2:
      return `CI – ${faker.hacker.noun()}-service`;
    default:
      return `${faker.helpers.arrayElement(ENVIRONMENTS)} ${faker.helpers.arrayElement(PURPOSES)}`;
  }
}

/** A fresh secret and what the API shows of it. The plaintext is not kept anywhere. */
export function generateSecret(faker: Faker, sha256Hex: (text: string) => string): { hash: string; label: string } {
  const plaintext = plaintextKey(faker.string.hexadecimal({ length: 64, casing: 'lower', prefix: '' }));
  return { hash: sha256Hex(plaintext), label: maskedLabel(plaintext) };
}

export function userId(faker: Faker): string {
  return `user_${faker.string.alphanumeric({ length: 27, casing: 'mixed' })}`;
}

/** One realistic key; `index` picks its profile so that variety is guaranteed, not left to chance. */
export function generateKey(faker: Faker, ctx: KeyContext, index: number): KeyRecord {
  const profile: Profile = PROFILES[index % PROFILES.length]!;
  const { now } = ctx;
  // Most keys are weeks or months old; a few are from today, so daily figures equal lifetime ones.
  const ageMs = faker.datatype.boolean({ probability: 0.1 })
    ? faker.number.int({ min: 60_000, max: DAY_MS / 2 })
    : faker.number.int({ min: DAY_MS, max: 400 * DAY_MS });
  const createdAt = now - ageMs;

  let expiresAt: number | null = null;
  if (profile === 'expired') expiresAt = createdAt + Math.floor((now - createdAt) * faker.number.float({ min: 0.3, max: 0.95 }));
  else if (profile === 'expiring') expiresAt = now + faker.number.int({ min: 2, max: 365 }) * DAY_MS;
  else if (faker.datatype.boolean({ probability: 0.1 })) expiresAt = now + faker.number.int({ min: 30, max: 720 }) * DAY_MS;

  const lastActive = expiresAt !== null && expiresAt < now ? expiresAt : now;
  const usage = splitUsage(faker.number.float({ min: 0, max: 180 }), createdAt, lastActive, now, () => faker.number.float({ min: 0, max: 1 }));
  const byokUsed = profile === 'weekly-byok' || faker.datatype.boolean({ probability: 0.25 });
  const byok = splitUsage(byokUsed ? faker.number.float({ min: 0, max: 60 }) : 0, createdAt, lastActive, now, () =>
    faker.number.float({ min: 0, max: 1 }),
  );

  let limit: number | null = faker.helpers.arrayElement(LIMITS);
  let limitReset: LimitReset | null = null;
  switch (profile) {
    case 'monthly':
    case 'expiring':
      limitReset = 'monthly';
      break;
    case 'daily':
      limitReset = 'daily';
      break;
    case 'weekly-byok':
      limitReset = 'weekly';
      break;
    case 'unlimited':
      limit = null;
      break;
    case 'near-limit':
      // Lifetime limit with about 5 % left.
      limit = Math.ceil((usage.total / faker.number.float({ min: 0.9, max: 0.98 })) * 100) / 100 || 1;
      break;
    case 'over-limit':
      limit = Math.max(0, Math.floor(usage.total * 0.7));
      break;
    default:
      limitReset = faker.helpers.arrayElement<LimitReset | null>([null, 'daily', 'weekly', 'monthly']);
  }

  const updated = profile === 'disabled' || faker.datatype.boolean({ probability: 0.6 });
  const updatedAt = updated ? createdAt + Math.floor((now - createdAt) * faker.number.float({ min: 0.05, max: 1 })) : null;
  const creator = faker.number.int({ min: 0, max: 19 });
  const workspaceId =
    ctx.workspaceIds.length > 1 && faker.datatype.boolean({ probability: 0.1 }) ? ctx.workspaceIds[1]! : ctx.workspaceIds[0]!;
  const external = faker.number.int({ min: 0, max: 9 });

  return {
    ...generateSecret(faker, ctx.sha256Hex),
    name: keyName(faker),
    disabled: profile === 'disabled',
    limit,
    limit_reset: limitReset,
    include_byok_in_limit: profile === 'weekly-byok' || faker.datatype.boolean({ probability: 0.2 }),
    usage: usage.total,
    usage_daily: usage.daily,
    usage_weekly: usage.weekly,
    usage_monthly: usage.monthly,
    byok_usage: byok.total,
    byok_usage_daily: byok.daily,
    byok_usage_weekly: byok.weekly,
    byok_usage_monthly: byok.monthly,
    created_at: toIso(createdAt),
    updated_at: updatedAt === null ? null : toIso(updatedAt),
    expires_at: expiresAt === null ? null : toIso(expiresAt),
    creator_user_id: creator < 16 ? ctx.userId : creator < 19 ? userId(faker) : null,
    workspace_id: workspaceId,
    external_user: external === 0 ? faker.internet.email().toLowerCase() : external === 1 ? `cust_${faker.string.alphanumeric(12)}` : null,
  };
}

