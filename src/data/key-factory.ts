import type { Faker } from '@faker-js/faker';
import { toIso } from '../domain/rules.js';
import { createRandom, type RandomSource } from '../domain/random.js';
import { maskedLabel } from '../domain/secrets.js';
import type { KeyRecord, LimitReset } from '../domain/types.js';
import { splitUsage, type UsageFamily } from './usage.js';

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

/**
 * Bulk generation draws from a fast seeded source rather than from faker call by call: faker is
 * ~50 µs a key, which made 100,000 keys take ten seconds to start. Faker still supplies the words
 * (pools of names, companies, nouns, e-mail addresses drawn once per seeded faker), so the data
 * reads the same; the source is seeded from the faker, so the same seed gives the same bytes.
 */
interface KeySource {
  random: RandomSource;
  int(min: number, max: number): number;
  float(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A word of a kind, from a pool drawn from faker the first time the kind is asked for. */
  word(kind: 'firstName' | 'company' | 'noun' | 'email'): string;
}

const POOL = 48;
const sources = new WeakMap<Faker, KeySource>();

function sourceOf(faker: Faker): KeySource {
  let source = sources.get(faker);
  if (!source) {
    const random = createRandom(faker.number.int({ min: 0, max: 0xffffffff }));
    const makers = {
      firstName: () => faker.person.firstName(),
      company: () => faker.company.name(),
      noun: () => faker.hacker.noun(),
      email: () => faker.internet.email().toLowerCase(),
    };
    const pools: Partial<Record<keyof typeof makers, string[]>> = {};
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)]!;
    source = {
      random,
      int: (min, max) => min + Math.floor(random.next() * (max - min + 1)),
      float: (min, max) => min + random.next() * (max - min),
      chance: (probability) => random.next() < probability,
      pick,
      word: (kind) => pick((pools[kind] ??= Array.from({ length: POOL }, makers[kind]))),
    };
    sources.set(faker, source);
  }
  return source;
}

/**
 * Names come from a few hundred combinations, so each composed name is built once and shared by
 * every key that draws it (100,000 keys: one string each, not 100,000 concatenations).
 */
const names = new Map<string, string>();
const shared = (name: string): string => {
  let kept = names.get(name);
  if (kept === undefined) {
    kept = name;
    if (names.size < 10_000) names.set(name, name);
  }
  return kept;
};

function keyName(source: KeySource): string {
  switch (source.int(0, 5)) {
    case 0:
      return shared(`${source.word('firstName')}'s laptop`);
    case 1:
      return shared(`${source.word('company')} integration`);
    case 2:
      return shared(`CI – ${source.word('noun')}-service`);
    default:
      return shared(`${source.pick(ENVIRONMENTS)} ${source.pick(PURPOSES)}`);
  }
}

/**
 * The hash and label of a generated key. A generated key has no plaintext — nobody holds it, so
 * nobody could ever present it as a bearer token — and a SHA-256 of a secret nobody holds is
 * indistinguishable from 64 random hex digits; both are drawn straight from the seeded stream.
 * (Hashing a throw-away secret was ~10 % of starting with 100,000 keys.) Keys whose plaintext is
 * known — created through POST /keys, or fixtures with a `key` — are hashed for real.
 */
export function generateSecret(faker: Faker): { hash: string; label: string } {
  const { random } = sourceOf(faker);
  return { hash: random.hex(64), label: maskedLabel(random.hex(8)) };
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function userId(faker: Faker): string {
  const source = sourceOf(faker);
  let id = 'user_';
  for (let i = 0; i < 27; i++) id += ALPHANUMERIC[source.int(0, ALPHANUMERIC.length - 1)];
  return id;
}

/**
 * Realistic usage for a key created at `createdAt` (and, once `expiresAt` has passed, inactive
 * since): a lifetime total split over the windows so that a key is only charged in windows it
 * was active in — a window that began at or after its creation holds all of it, one that began
 * after it expired holds nothing. Generated keys and fixtures without usage both take it from
 * here. A quarter of keys have BYOK spend, or every one with `byok`.
 */
export function generateUsage(
  faker: Faker,
  createdAt: number,
  expiresAt: number | null,
  now: number,
  byok = false,
): { usage: UsageFamily; byok: UsageFamily } {
  const source = sourceOf(faker);
  const lastActive = expiresAt !== null && expiresAt < now ? expiresAt : now;
  const usage = splitUsage(source.float(0, 180), createdAt, lastActive, now, () => source.float(0, 1));
  const byokUsed = byok || source.chance(0.25);
  return { usage, byok: splitUsage(byokUsed ? source.float(0, 60) : 0, createdAt, lastActive, now, () => source.float(0, 1)) };
}

/** One realistic key; `index` picks its profile so that variety is guaranteed, not left to chance. */
export function generateKey(faker: Faker, ctx: KeyContext, index: number): KeyRecord {
  const source = sourceOf(faker);
  const profile: Profile = PROFILES[index % PROFILES.length]!;
  const { now } = ctx;
  // Most keys are weeks or months old; a few are from today, so daily figures equal lifetime ones.
  const ageMs = source.chance(0.1)
    ? source.int(60_000, DAY_MS / 2)
    : source.int(DAY_MS, 400 * DAY_MS);
  const createdAt = now - ageMs;

  let expiresAt: number | null = null;
  if (profile === 'expired') expiresAt = createdAt + Math.floor((now - createdAt) * source.float(0.3, 0.95));
  else if (profile === 'expiring') expiresAt = now + source.int(2, 365) * DAY_MS;
  else if (source.chance(0.1)) expiresAt = now + source.int(30, 720) * DAY_MS;

  const { usage, byok } = generateUsage(faker, createdAt, expiresAt, now, profile === 'weekly-byok');

  let limit: number | null = source.pick(LIMITS);
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
      limit = Math.ceil((usage.total / source.float(0.9, 0.98)) * 100) / 100 || 1;
      break;
    case 'over-limit':
      limit = Math.max(0, Math.floor(usage.total * 0.7));
      break;
    default:
      limitReset = source.pick<LimitReset | null>([null, 'daily', 'weekly', 'monthly']);
  }

  const updated = profile === 'disabled' || source.chance(0.6);
  const updatedAt = updated ? createdAt + Math.floor((now - createdAt) * source.float(0.05, 1)) : null;
  const creator = source.int(0, 19);
  const workspaceId =
    ctx.workspaceIds.length > 1 && source.chance(0.1) ? ctx.workspaceIds[1]! : ctx.workspaceIds[0]!;
  const external = source.int(0, 9);

  const secret = generateSecret(faker);
  // A plain literal in the wire's order (no spread): one hidden class for every generated key,
  // which is several times faster to build than adding fields to a spread copy.
  return {
    hash: secret.hash,
    name: keyName(source),
    label: secret.label,
    disabled: profile === 'disabled',
    limit,
    limit_reset: limitReset,
    include_byok_in_limit: profile === 'weekly-byok' || source.chance(0.2),
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
    external_user: external === 0 ? source.word('email') : external === 1 ? `cust_${source.random.hex(12)}` : null,
  };
}

