import { toIso } from '../domain/rules.js';
import { maskedLabel } from '../domain/secrets.js';
import type { AccountState, KeyRecord, StoreState } from '../domain/types.js';
import type { Faker } from '@faker-js/faker';
import { generateKey, generateSecret, userId } from './key-factory.js';
import { parseFixtureKeys } from './fixtures.js';
import { createSeededFaker } from './seeded-faker.js';

/** The workspace of OpenRouter's documentation examples: the first account's default workspace. */
export const DOCS_WORKSPACE_ID = '0df9e665-d932-5740-b2c7-b52af166bc11';
/** The creator id of OpenRouter's documentation examples: the first account's user. */
export const DOCS_USER_ID = 'user_2dHFtVWx2n56w6HkM0000000000';

const DAY_MS = 86_400_000;

export interface DatasetOptions {
  seed: number;
  /** The clock at start-up (epoch ms): every generated timestamp is relative to it. */
  now: number;
  /** Generated keys top the first account up to this count after its fixtures (which all load, even past it). */
  keys: number;
  /** Fixture entries for the first account (already read from JSON). */
  fixtures: unknown;
  fixturesSource?: string;
  /** Plaintext management keys; one account each, the first owns the dataset. */
  managementKeys: string[];
  sha256Hex(text: string): string;
}

/**
 * The start-up state: pure and deterministic — the same options give the same bytes. Accounts
 * after the first start empty, with workspaces and users of their own.
 */
export function buildDataset(options: DatasetOptions): StoreState {
  const { now, sha256Hex } = options;
  const faker = createSeededFaker(options.seed, now);
  const accounts = options.managementKeys.map((managementKey, index) =>
    buildAccount({ managementKey, first: index === 0, faker, now, sha256Hex }),
  );
  const owner = accounts[0];
  if (owner) {
    fillAccount(owner, { faker, now, sha256Hex, fixtures: options.fixtures, fixturesSource: options.fixturesSource, keys: options.keys });
  }
  return { accounts };
}

export interface AccountOptions {
  managementKey: string;
  /** The first account carries the documentation's user and workspace ids. */
  first: boolean;
  faker: Faker;
  now: number;
  sha256Hex(text: string): string;
}

/** An account without keys: its user, a default and a second workspace, its management key. */
export function buildAccount({ managementKey, first, faker, now, sha256Hex }: AccountOptions): AccountState {
  const defaultWorkspace = first ? DOCS_WORKSPACE_ID : faker.string.uuid();
  return {
    id: accountId(managementKey, sha256Hex),
    user_id: first ? DOCS_USER_ID : userId(faker),
    organization_id: null,
    default_workspace_id: defaultWorkspace,
    workspace_ids: [defaultWorkspace, faker.string.uuid()],
    management_key: {
      hash: sha256Hex(managementKey),
      label: maskedLabel(managementKey),
      name: 'Management key',
      created_at: toIso(now - 400 * DAY_MS),
    },
    keys: [],
  };
}

export interface FillOptions {
  faker: Faker;
  now: number;
  sha256Hex(text: string): string;
  fixtures: unknown;
  fixturesSource?: string;
  /** Generated keys top up to this count after the fixtures; fixtures beyond it still all load. */
  keys: number;
  /** Hashes that must not be used (held by other accounts): such keys get a fresh secret. */
  taken?: (hash: string) => boolean;
}

/** Gives an account its keys (replacing any): every fixture, then generated keys up to `keys` in all. */
export function fillAccount(account: AccountState, options: FillOptions): AccountState {
  const { faker, now, sha256Hex } = options;
  const ctx = { now, userId: account.user_id, workspaceIds: account.workspace_ids, sha256Hex, faker };
  account.keys = parseFixtureKeys(options.fixtures, ctx, options.fixturesSource);
  const taken = options.taken ?? (() => false);
  // Hashes are unique across accounts: a key whose hash another account (or a fixture) holds gets
  // a new secret, drawn until it is free — the same seed twice must not collide. Generated keys
  // cannot collide with each other (one seeded stream, far from its period), so only fixtures
  // need remembering.
  const fixtureHashes = new Set<string>();
  const unique = (key: KeyRecord) => {
    while (fixtureHashes.has(key.hash) || taken(key.hash)) Object.assign(key, generateSecret(faker));
  };
  for (const key of account.keys) {
    if (!account.workspace_ids.includes(key.workspace_id)) account.workspace_ids.push(key.workspace_id);
    unique(key);
    fixtureHashes.add(key.hash);
  }
  for (let index = account.keys.length; index < options.keys; index++) {
    const key = generateKey(faker, ctx, index);
    unique(key);
    account.keys.push(key);
  }
  return account;
}

/** A stable, non-secret id for the account of a management key. */
export function accountId(managementKey: string, sha256Hex: (text: string) => string): string {
  return `acct_${sha256Hex(`account:${managementKey}`).slice(0, 16)}`;
}
