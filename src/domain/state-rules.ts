import { apiError } from './errors.js';
import {
  hashRule,
  KEY_VALUE_RULES,
  timestampRule,
  usageFamilyViolation,
  USAGE_FAMILIES,
  uuidRule,
  type FieldRule,
} from './rules.js';
import type { StoreState } from './types.js';

const nullableTimestampRule: FieldRule = (v) => (v === null ? null : timestampRule(v));

const KEY_RULES: Record<string, FieldRule> = {
  ...KEY_VALUE_RULES,
  created_at: timestampRule,
  updated_at: nullableTimestampRule,
  expires_at: nullableTimestampRule,
};

/**
 * Checks a whole state document before it replaces the store (`PUT /__mock/state`): every field
 * rule, the usage families, timestamps in order, workspaces that exist, and ids, hashes and
 * workspaces unique across accounts. Throws a 400 naming the entry and the field; returns when all hold.
 */
export function validateState(state: StoreState): void {
  const fail = (where: string, field: string, rule: string): never => {
    throw apiError('invalidField', 'state document', `${where} field "${field}"`, rule);
  };
  const accountIds = new Set<string>();
  const managementHashes = new Set<string>();
  const keyHashes = new Set<string>();
  const workspaces = new Set<string>();
  state.accounts.forEach((account, a) => {
    const at = `accounts[${a}]`;
    if (accountIds.has(account.id)) fail(at, 'id', `duplicates an earlier account (${account.id})`);
    accountIds.add(account.id);
    if (hashRule(account.management_key.hash)) fail(`${at}.management_key`, 'hash', hashRule(account.management_key.hash)!);
    if (managementHashes.has(account.management_key.hash)) fail(`${at}.management_key`, 'hash', 'duplicates an earlier account');
    managementHashes.add(account.management_key.hash);
    if (timestampRule(account.management_key.created_at)) fail(`${at}.management_key`, 'created_at', timestampRule(account.management_key.created_at)!);
    for (const workspace of account.workspace_ids) {
      if (uuidRule(workspace)) fail(at, 'workspace_ids', 'must hold UUIDs');
      if (workspaces.has(workspace)) fail(at, 'workspace_ids', `must not hold another account's workspace (${workspace}): a workspace belongs to one account`);
    }
    for (const workspace of account.workspace_ids) workspaces.add(workspace);
    if (!account.workspace_ids.includes(account.default_workspace_id)) fail(at, 'default_workspace_id', 'must be one of workspace_ids');
    account.keys.forEach((key, k) => {
      const where = `${at}.keys[${k}]${typeof key.name === 'string' ? ` ("${key.name.slice(0, 40)}")` : ''}`;
      const record = key as unknown as Record<string, unknown>;
      for (const [field, rule] of Object.entries(KEY_RULES)) {
        const broken = rule(record[field]);
        if (broken) fail(where, field, broken);
      }
      for (const family of USAGE_FAMILIES) {
        const broken = usageFamilyViolation(family, record as Record<string, number>);
        if (broken) fail(where, broken[0], broken[1]);
      }
      if (key.updated_at !== null && Date.parse(key.updated_at) < Date.parse(key.created_at)) {
        fail(where, 'updated_at', 'must not be earlier than created_at');
      }
      if (!account.workspace_ids.includes(key.workspace_id)) fail(where, 'workspace_id', "must be one of the account's workspace_ids");
      if (keyHashes.has(key.hash)) fail(where, 'hash', 'duplicates another key (hashes are unique across accounts)');
      keyHashes.add(key.hash);
    });
  });
}
