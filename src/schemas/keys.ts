import { Type } from './typebox.js';
import type { Static } from '@sinclair/typebox';
import { DATA_REGIONS, LIMIT_RESETS, type CurrentKeyView, type KeyListQuery, type KeyView } from '../domain/types.js';
import { Nullable, NullableEnum, StringEnum } from './common.js';

const HASH_EXAMPLE = 'f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943';
const WORKSPACE_EXAMPLE = '0df9e665-d932-5740-b2c7-b52af166bc11';

const usd = (description: string) => Type.Number({ description: `${description} (USD)` });

const usageFields = {
  usage: usd('Total OpenRouter credit usage'),
  usage_daily: usd('OpenRouter credit usage for the current UTC day'),
  usage_weekly: usd('OpenRouter credit usage for the current UTC week (Monday–Sunday)'),
  usage_monthly: usd('OpenRouter credit usage for the current UTC month'),
  byok_usage: usd('Total external BYOK usage'),
  byok_usage_daily: usd('External BYOK usage for the current UTC day'),
  byok_usage_weekly: usd('External BYOK usage for the current UTC week (Monday–Sunday)'),
  byok_usage_monthly: usd('External BYOK usage for the current UTC month'),
};

const keyProperties = {
    hash: Type.String({ description: 'Unique hash identifier of the key (SHA-256 hex of the secret)', examples: [HASH_EXAMPLE] }),
    name: Type.String({ description: 'Name of the key' }),
    label: Type.String({ description: 'The masked key, e.g. sk-or-v1-0e6...1c96' }),
    disabled: Type.Boolean({ description: 'Whether the key is disabled' }),
    limit: Nullable(Type.Number(), { description: 'Spending limit in USD, or null for none' }),
    limit_remaining: Nullable(Type.Number(), { description: 'What is left of the limit in the current reset window, or null without a limit' }),
    limit_reset: NullableEnum(LIMIT_RESETS, { description: 'The window the limit applies to, or null for all time' }),
    include_byok_in_limit: Type.Boolean({ description: 'Whether BYOK usage counts against the limit' }),
    ...usageFields,
    created_at: Type.String({ description: 'ISO 8601 UTC timestamp of creation' }),
    updated_at: Nullable(Type.String(), { description: 'ISO 8601 UTC timestamp of the last change, or null if never changed' }),
    last_used_at: Nullable(Type.String(), { description: 'ISO 8601 UTC timestamp of the last use; always null: the mock records no request times for keys' }),
    expires_at: Nullable(Type.String(), { description: 'ISO 8601 UTC timestamp of expiry, or null' }),
    creator_user_id: Nullable(Type.String(), { description: 'The user who created the key' }),
    workspace_id: Type.String({ description: 'The workspace the key belongs to', examples: [WORKSPACE_EXAMPLE] }),
    external_user: Nullable(Type.String(), { description: 'The external user the key was created for, or null' }),
};

/** An API key as every key endpoint returns it (the reference's key object plus `external_user`). */
export const KeySchema = Type.Object(keyProperties, { $id: 'Key', description: 'An API key' });

/** A key as stored (and as the control plane's state document holds it): no derived fields. */
const { limit_remaining: _derived, last_used_at: _unrecorded, ...keyRecordProperties } = keyProperties;
export const KeyRecordSchema = Type.Object(keyRecordProperties, { additionalProperties: false, description: 'A stored key' });
export type Key = Static<typeof KeySchema>;

/** The current key (`GET /key`), with every field the newest SDK requires. */
export const CurrentKeySchema = Type.Object(
  {
    label: Type.String(),
    limit: Nullable(Type.Number()),
    limit_remaining: Nullable(Type.Number()),
    limit_reset: NullableEnum(LIMIT_RESETS),
    include_byok_in_limit: Type.Boolean(),
    ...usageFields,
    is_free_tier: Type.Boolean(),
    is_management_key: Type.Boolean(),
    is_provisioning_key: Type.Boolean({ description: 'Deprecated alias of is_management_key' }),
    creator_user_id: Nullable(Type.String()),
    expires_at: Nullable(Type.String()),
    workspace_id: Nullable(Type.String()),
    organization_id: Nullable(Type.String()),
    allowed_data_regions: Type.Array(StringEnum(DATA_REGIONS)),
    budgets: Type.Array(Type.Never(), { description: 'Guardrail budgets over the key: none, the mock has no guardrails' }),
    effective_budget: Type.Null({ description: 'The budget that binds first: none' }),
    free_model_daily_requests: Type.Object({ limit: Type.Integer(), remaining: Type.Integer(), used: Type.Integer() }),
    rate_limit: Type.Object({ requests: Type.Integer(), interval: Type.String(), note: Type.String() }),
  },
  { $id: 'CurrentKey', description: 'The key behind the bearer token' },
);

// The wire schemas and the domain's types must describe the same objects.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const keyMatchesDomain: Same<Key, KeyView> = true;
const currentKeyMatchesDomain: Same<Static<typeof CurrentKeySchema>, CurrentKeyView> = true;
void keyMatchesDomain;
void currentKeyMatchesDomain;

export const KeyParamsSchema = Type.Object({
  hash: Type.String({ minLength: 1, description: 'The hash identifier of the key', examples: [HASH_EXAMPLE] }),
});

export const ListKeysQuerySchema = Type.Object({
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'How many keys to skip' })),
  include_disabled: Type.Optional(StringEnum(['true', 'false'] as const, { description: 'Include disabled keys (default false)' })),
  workspace_id: Type.Optional(Type.String({ format: 'uuid', description: "One of the account's workspaces (default: its default workspace)" })),
});

/** `GET /keys`' query as the key store takes it: one translation for the API and the control plane's read. */
export function listKeysOptions(query: { offset?: number; include_disabled?: string; workspace_id?: string }): KeyListQuery {
  return { offset: query.offset, includeDisabled: query.include_disabled === 'true', workspaceId: query.workspace_id };
}

const nameField = Type.String({ minLength: 1, description: 'Name of the key; not empty, not only whitespace' });
const limitField = Nullable(Type.Number({ minimum: 0 }), { description: 'Spending limit in USD, or null for none' });
const limitResetField = NullableEnum(LIMIT_RESETS, { description: 'daily, weekly, monthly (UTC; weeks start Monday) or null' });
const includeByokField = Type.Boolean({ description: 'Whether BYOK usage counts against the limit' });

/**
 * Request bodies. Unknown fields are ignored like the real API; in strict mode
 * (`additionalProperties: false`) they are rejected with 400 naming the field.
 */
export function keyBodySchemas(strict: boolean) {
  const additionalProperties = !strict;
  const UpdateKeyBody = Type.Object(
    {
      name: Type.Optional(nameField),
      disabled: Type.Optional(Type.Boolean({ description: 'Disable (true) or re-enable (false) the key' })),
      limit: Type.Optional(limitField),
      limit_reset: Type.Optional(limitResetField),
      include_byok_in_limit: Type.Optional(includeByokField),
    },
    { additionalProperties, description: 'The fields to change; all optional' },
  );
  const CreateKeyBody = Type.Object(
    {
      name: nameField,
      limit: Type.Optional(limitField),
      limit_reset: Type.Optional(limitResetField),
      include_byok_in_limit: Type.Optional(includeByokField),
      expires_at: Type.Optional(Nullable(Type.String({ format: 'date-time' }), { description: 'UTC instant ending in Z, in the future' })),
      creator_user_id: Type.Optional(Nullable(Type.String({ minLength: 1 }))),
      workspace_id: Type.Optional(Type.String({ format: 'uuid' })),
      external: Type.Optional(
        Type.Object(
          { user: Type.String({ minLength: 1 }), api_key: Type.Optional(Type.String()) },
          { additionalProperties, description: 'The external user the key is for' },
        ),
      ),
    },
    { additionalProperties },
  );
  return { UpdateKeyBody, CreateKeyBody };
}

export const KeyResponseSchema = Type.Object({ data: Type.Ref(KeySchema) });
export const KeyListResponseSchema = Type.Object({ data: Type.Array(Type.Ref(KeySchema)) });
export const CreatedKeyResponseSchema = Type.Object({
  data: Type.Ref(KeySchema),
  key: Type.String({ description: 'The plaintext key: shown in this response only' }),
});
export const DeletedResponseSchema = Type.Object({ deleted: Type.Literal(true) });
export const CurrentKeyResponseSchema = Type.Object({ data: Type.Ref(CurrentKeySchema) });
