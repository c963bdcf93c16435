import { Type } from './typebox.js';
import type { Static } from '@sinclair/typebox';
import type { AccountState, KeyRecord } from '../domain/types.js';
import { Nullable, NullableEnum, StringEnum } from './common.js';
import { KeyRecordSchema, KeySchema, ListKeysQuerySchema } from './keys.js';
import { AdmissionSchema } from './inference-control.js';

/** The test-control plane's wire contract (`/__mock`). */

export const HealthSchema = Type.Object({
  status: Type.Literal('ok'),
  version: Type.String(),
  uptime_ms: Type.Number(),
  accounts: Type.Integer(),
  keys: Type.Integer(),
});

export const AccountStateSchema = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    user_id: Type.String({ minLength: 1 }),
    organization_id: Nullable(Type.String()),
    default_workspace_id: Type.String(),
    workspace_ids: Type.Array(Type.String(), { minItems: 1 }),
    management_key: Type.Object(
      { hash: Type.String(), label: Type.String(), name: Type.String(), created_at: Type.String() },
      { additionalProperties: false },
    ),
    credits: Type.Optional(
      Type.Object(
        { total_credits: Type.Number({ minimum: 0 }), total_usage: Type.Number({ minimum: 0 }) },
        { additionalProperties: false, description: 'The account\'s credits, USD; absent: $100, none used' },
      ),
    ),
    keys: Type.Array(KeyRecordSchema),
  },
  { additionalProperties: false },
);


// The state document and the domain's state must describe the same objects.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const stateMatchesDomain: Same<Static<typeof AccountStateSchema>, AccountState> = true;
const recordMatchesDomain: Same<Static<typeof KeyRecordSchema>, KeyRecord> = true;
void stateMatchesDomain;
void recordMatchesDomain;

export const AccountSummarySchema = Type.Object({
  id: Type.String(),
  user_id: Type.String(),
  default_workspace_id: Type.String(),
  workspace_ids: Type.Array(Type.String()),
  management_key_label: Type.String(),
  keys: Type.Integer(),
});

export const CreatedAccountSchema = Type.Object({
  ...AccountSummarySchema.properties,
  management_key: Type.String({ description: 'The new management key (plaintext, shown once)' }),
});

export const AccountKeySchema = Type.Object({
  management_key: Nullable(Type.String(), { description: 'The plaintext, or null when the mock has never seen it (an imported account)' }),
});

export const ScenarioNameParams = Type.Object({ name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }) });

export const ScenarioApplyBody = Type.Object(
  {
    account_id: Type.Optional(Type.String({ minLength: 1, description: 'Default: the first account' })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1 })),
  },
  { additionalProperties: false },
);

export const AccountCreateBody = Type.Object(
  {
    scenario: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1 })),
  },
  { additionalProperties: false },
);

/** `GET /__mock/accounts/:id/keys`: the query of `GET /api/v1/keys`, so both read the same page. */
export const AccountKeysQuery = ListKeysQuerySchema;

/** The inspector's key search (`GET /__mock/accounts/:id/keys/search`): bounded, like every input. */
export const KeySearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 256, description: 'The start of the field, case-insensitive; empty or absent: every key, in GET /keys order' })),
  field: Type.Optional(StringEnum(['name', 'label', 'hash'] as const, { description: 'The field q is matched against (default name)' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'How many matches to skip' })),
  reverse: Type.Optional(
    StringEnum(['true', 'false'] as const, { description: 'The other way round: oldest first, or the field in descending order (default false)' }),
  ),
  workspace_id: Type.Optional(Type.String({ format: 'uuid', description: "One of the account's workspaces (default: its default workspace)" })),
});

/** A key found, with what a chat completion with it would get now (the default model, a short prompt). */
export const FoundKeySchema = Type.Object({ ...KeySchema.properties, admission: AdmissionSchema });

export const KeySearchPageSchema = Type.Object({
  keys: Type.Array(FoundKeySchema),
  total: Type.Integer({ description: 'How many keys match (or the workspace holds, without q)' }),
  offset: Type.Integer(),
});

export const IdParams = Type.Object({ id: Type.String({ minLength: 1 }) });
export const HashParams = Type.Object({ hash: Type.String() });

export const ClockSchema = Type.Object({
  now: Type.String({ description: 'The virtual clock (ISO 8601 UTC)' }),
  frozen: Type.Boolean(),
});

export const ClockChangeBody = Type.Object(
  {
    now: Type.Optional(Type.String({ description: 'Jump to this instant (ISO 8601)' })),
    advance: Type.Optional(
      Type.Unsafe<number | string>({
        type: ['integer', 'string'],
        description: 'Move forward: milliseconds, or a duration such as "90s", "36h", "1d12h30m"',
      }),
    ),
    frozen: Type.Optional(Type.Boolean({ description: 'Stop (true) or restart (false) the clock' })),
  },
  { additionalProperties: false },
);

export const UsageBody = Type.Object(
  {
    amount: Type.Number({ minimum: 0, description: 'OpenRouter credit spend in USD, added to every window and the total' }),
    byok: Type.Optional(Type.Number({ minimum: 0, description: 'External BYOK spend in USD' })),
  },
  { additionalProperties: false },
);

const FaultMatchSchema = Type.Object(
  {
    method: Type.Optional(Type.String({ minLength: 1 })),
    path: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1024,
        description: 'Starts with "/": "/keys/*" (under /api/v1) or "/api/v1/keys/**"; * is one segment, ** any rest ("/keys/**" does not match "/keys")',
      }),
    ),
    hash: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: false },
);

export const FaultSpecBody = Type.Object(
  {
    match: Type.Optional(FaultMatchSchema),
    status: Type.Optional(Type.Integer({ minimum: 400, maximum: 599 })),
    body: Type.Optional(
      // additionalProperties spelled out: without it the response serializer would answer `{}` for an object.
      Type.Unsafe<string | Record<string, unknown>>({
        type: ['string', 'object'],
        additionalProperties: true,
        description: 'The message, or {error:{message, metadata}}',
      }),
    ),
    delay_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
    jitter_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
    times: Type.Optional(Type.Integer({ minimum: 1 })),
    retry_after: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
    fault: Type.Optional(StringEnum(['reset', 'timeout'] as const)),
    enabled: Type.Optional(Type.Boolean({ description: 'False: kept, never fires (default true)' })),
  },
  { additionalProperties: false },
);

const { enabled: _enabled, ...specFields } = FaultSpecBody.properties;
/**
 * `PATCH /__mock/faults/:id`: the fields given replace the rule's (`match` as a whole); null
 * clears an optional one; `times` given or cleared starts the count again.
 */
export const FaultEditBody = Type.Object(
  {
    match: Type.Optional(FaultMatchSchema),
    enabled: Type.Optional(Type.Boolean()),
    status: Type.Optional(Nullable(Type.Integer({ minimum: 400, maximum: 599 }))),
    body: Type.Optional(
      Type.Unsafe<string | Record<string, unknown> | null>({ type: ['string', 'object', 'null'], additionalProperties: true, description: 'The message, or {error:{message, metadata}}; null clears it' }),
    ),
    delay_ms: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 600_000 }))),
    jitter_ms: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 600_000 }))),
    times: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    retry_after: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 86_400 }))),
    fault: Type.Optional(NullableEnum(['reset', 'timeout'] as const)),
  },
  { additionalProperties: false },
);

/**
 * The state document: every account and key, and — when the export asked for them
 * (`?include=clock,faults`) — the virtual clock and the fault rules. A document without `clock`
 * or `faults` (every older one) imports as before and leaves them as they are.
 */
export const StateDocumentSchema = Type.Object(
  {
    accounts: Type.Array(AccountStateSchema),
    clock: Type.Optional(
      Type.Object(
        { now: Type.String({ description: 'The virtual clock (ISO 8601 UTC)' }), frozen: Type.Boolean() },
        { additionalProperties: false, description: 'Imported: the clock is set to `now`, frozen or running; absent: left as it is' },
      ),
    ),
    faults: Type.Optional(
      Type.Array(FaultSpecBody, {
        maxItems: 1000,
        description: 'Fault rules, newest first, as specs (imported with new ids, no hits); absent: left as they are',
      }),
    ),
  },
  { additionalProperties: false, description: 'Every account and key (and, asked for, the clock and fault rules): GET exports it, PUT replaces the state with it' },
);

/** `GET /__mock/state?include=clock,faults`: what the export carries besides the accounts. */
export const StateQuery = Type.Object({
  include: Type.Optional(
    Type.String({ pattern: '^(clock|faults)(,(clock|faults))*$', description: 'Also export the clock and/or the fault rules: "clock", "faults" or "clock,faults"' }),
  ),
});

export const FaultRuleSchema = Type.Object({
  ...specFields,
  id: Type.String(),
  match: FaultMatchSchema,
  remaining: Nullable(Type.Integer({ description: 'Requests it still applies to (0: used up), null: unlimited' })),
  hits: Type.Integer(),
  enabled: Type.Boolean(),
  state: StringEnum(['active', 'disabled', 'used_up'] as const),
  last_hit: Nullable(Type.String({ description: 'When it last answered a request, by the virtual clock (as journal entries\' time)' })),
});

/** How many entries a read of the journal gives without `limit`, and at most. */
export const JOURNAL_PAGE_DEFAULT = 1_000;
export const JOURNAL_PAGE_MAX = 10_000;

// Unknown names are refused by the control plane with a suggestion (MockControl), not here: Ajv's
// own words for them would speak of strict mode.
export const JournalQuery = Type.Object({
  method: Type.Optional(Type.String({ minLength: 1 })),
  path: Type.Optional(Type.String({ minLength: 1, description: 'Exact path, or a prefix ending in *' })),
  hash: Type.Optional(Type.String({ minLength: 1 })),
  status: Type.Optional(Type.Integer({ minimum: 0, maximum: 599 })),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'Entries whose time (the virtual clock) is at or after this instant' })),
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'Entries written after the one with this id (ids only grow)' })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: "Entries written before the one with this id: a page's meta.next_before" })),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: JOURNAL_PAGE_MAX, description: `At most this many entries (default ${JOURNAL_PAGE_DEFAULT})` }),
  ),
});

export const JournalEntrySchema = Type.Object({
  id: Type.Integer(),
  time: Type.String({ description: 'Arrival on the virtual clock' }),
  wall_time: Type.String({ description: 'Arrival on the wall clock' }),
  method: Type.String(),
  path: Type.String(),
  query: Type.Object({}, { additionalProperties: true }),
  body: Type.Unknown(),
  request_headers: Type.Object({}, { additionalProperties: Type.String(), description: 'Authorization masked, secret-named headers redacted' }),
  status: Type.Integer({ description: '0 when the mock dropped or never answered the request (reset, timeout)' }),
  duration_ms: Type.Number(),
  account_id: Nullable(Type.String()),
  hash: Nullable(Type.String()),
  key_hash: Nullable(Type.String({ description: 'The hash of the key that authenticated (an API key or the management key)' })),
  key_type: Nullable(Type.String({ enum: ['management', 'key'] })),
  response: Type.Object({
    headers: Type.Object({}, { additionalProperties: Type.String() }),
    body: Type.Unknown({ description: 'The JSON body (secrets masked; over 16 KiB a summary); null without one' }),
  }),
  error: Type.Optional(Type.String({ description: "A refused request's error message" })),
  fault: Type.Optional(
    Type.Object(
      {
        id: Nullable(Type.String({ description: "The rule's id; null for an X-Mock-Response header" })),
        source: Type.Union([Type.Literal('rule'), Type.Literal('header')]),
        match: Type.Optional(Type.Object({ method: Type.Optional(Type.String()), path: Type.Optional(Type.String()), hash: Type.Optional(Type.String()) })),
        status: Type.Optional(Type.Integer()),
        fault: Type.Optional(Type.Union([Type.Literal('reset'), Type.Literal('timeout')])),
        delay_ms: Type.Optional(Type.Integer()),
        jitter_ms: Type.Optional(Type.Integer()),
        retry_after: Type.Optional(Type.Integer()),
        times: Type.Optional(Type.Integer()),
      },
      { description: 'The fault that answered (kept after a times: 1 rule is used up)' },
    ),
  ),
  charged: Type.Optional(
    Type.Object(
      { key: Type.String({ description: 'The hash of the key charged' }), usd: Type.Number(), byok: Type.Boolean() },
      { description: 'What a chat completion was charged (a stream\'s once it ended)' },
    ),
  ),
  trimmed: Type.Optional(
    Type.Literal(true, { description: "Older than the newest 100 entries: its request headers and a success's answer body are no longer kept (shown as {} and null)" }),
  ),
});

export const JournalPageSchema = Type.Object({
  data: Type.Array(JournalEntrySchema),
  meta: Type.Object({
    total: Type.Integer({ description: 'Entries the journal holds' }),
    capacity: Type.Integer(),
    enabled: Type.Boolean(),
    next_before: Nullable(Type.Integer(), { description: 'More entries match: pass this as `before` for the next (older) page' }),
  }),
});

export const DeletedCountSchema = Type.Object({ deleted: Type.Integer() });
