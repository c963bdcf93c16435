import { apiError, type ApiError } from './errors.js';
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

/** A place in a JSON document: property names and array indices from the root. */
export type JsonPath = readonly (string | number)[];

/**
 * Where in a state document, in the one style every message about it uses: the entry (with its
 * name, when it has a string one), then the field — `accounts[0].keys[3] ("Staging backend")
 * field "usage_daily"`, `accounts[1] field "workspace_ids[2]"`, `field "accounts"`.
 */
export function stateLocation(document: unknown, path: JsonPath): string {
  let last = path.length - 1;
  while (last >= 0 && typeof path[last] === 'number') last--;
  if (last < 0) return 'the document';
  const field = `${String(path[last])}${path.slice(last + 1).map((index) => `[${index}]`).join('')}`;
  let entry = '';
  let value: unknown = document;
  for (const part of path.slice(0, last)) {
    entry += typeof part === 'number' ? `[${part}]` : `${entry === '' ? '' : '.'}${part}`;
    value = value !== null && typeof value === 'object' && Object.hasOwn(value, part) ? (value as Record<string, unknown>)[part] : undefined;
  }
  if (entry === '') return `field "${field}"`;
  const name = value !== null && typeof value === 'object' ? (value as { name?: unknown }).name : undefined;
  return `${entry}${typeof name === 'string' ? ` ("${name.slice(0, 40)}")` : ''} field "${field}"`;
}

/** The 400 for a state document broken at `path`. */
export const stateError = (document: unknown, path: JsonPath, rule: string): ApiError =>
  apiError('invalidField', 'state document', stateLocation(document, path), rule);

/**
 * Checks a whole state document before it replaces the store (`PUT /__mock/state`): every field
 * rule, the usage families, timestamps in order, workspaces that exist, and ids, hashes and
 * workspaces unique across accounts. Throws a 400 naming the entry and the field; returns when all hold.
 */
export function validateState(state: StoreState): void {
  const fail = (path: JsonPath, rule: string): never => {
    throw stateError(state, path, rule);
  };
  const accountIds = new Set<string>();
  const managementHashes = new Set<string>();
  const keyHashes = new Set<string>();
  const workspaces = new Set<string>();
  state.accounts.forEach((account, a) => {
    const at = ['accounts', a] as const;
    const managementKey = [...at, 'management_key'] as const;
    if (accountIds.has(account.id)) fail([...at, 'id'], `duplicates an earlier account (${account.id})`);
    accountIds.add(account.id);
    const hashBroken = hashRule(account.management_key.hash);
    if (hashBroken) fail([...managementKey, 'hash'], hashBroken);
    if (managementHashes.has(account.management_key.hash)) fail([...managementKey, 'hash'], 'duplicates an earlier account');
    managementHashes.add(account.management_key.hash);
    const createdBroken = timestampRule(account.management_key.created_at);
    if (createdBroken) fail([...managementKey, 'created_at'], createdBroken);
    account.workspace_ids.forEach((workspace, w) => {
      if (uuidRule(workspace)) fail([...at, 'workspace_ids', w], 'must be a UUID');
      if (workspaces.has(workspace)) {
        fail([...at, 'workspace_ids', w], `must not be another account's workspace (${workspace}): a workspace belongs to one account`);
      }
    });
    for (const workspace of account.workspace_ids) workspaces.add(workspace);
    if (!account.workspace_ids.includes(account.default_workspace_id)) fail([...at, 'default_workspace_id'], 'must be one of workspace_ids');
    account.keys.forEach((key, k) => {
      const where = [...at, 'keys', k] as const;
      const record = key as unknown as Record<string, unknown>;
      for (const [field, rule] of Object.entries(KEY_RULES)) {
        const broken = rule(record[field]);
        if (broken) fail([...where, field], broken);
      }
      for (const family of USAGE_FAMILIES) {
        const broken = usageFamilyViolation(family, record as Record<string, number>);
        if (broken) fail([...where, broken[0]], broken[1]);
      }
      if (key.updated_at !== null && Date.parse(key.updated_at) < Date.parse(key.created_at)) {
        fail([...where, 'updated_at'], 'must not be earlier than created_at');
      }
      if (!account.workspace_ids.includes(key.workspace_id)) fail([...where, 'workspace_id'], "must be one of the account's workspace_ids");
      if (keyHashes.has(key.hash)) fail([...where, 'hash'], 'duplicates another key (hashes are unique across accounts)');
      keyHashes.add(key.hash);
    });
  });
}
