/**
 * The one error factory and the one message table. Every error the mock answers with (domain
 * rules, auth, transport, routing) is built here, so wording and status codes live in one place.
 * The HTTP layer turns an `ApiError` into `{"error":{"code":status,"message":text}}`.
 *
 * A message never echoes a plaintext key: what a caller sent (a key pasted where a hash belongs, a
 * field named by a key, a `Content-Type` holding one) is masked as its label before it is quoted,
 * as the log and the journal mask it (src/domain/redaction.ts).
 */
import { maskKeys, redactUrl } from './redaction.js';
import { KEY_PREFIX } from './secrets.js';

const clip = (text: string, max = 80): string => (text.length > max ? `${text.slice(0, max)}…` : text);

const MESSAGES = {
  // 400
  invalidField: { status: 400, text: (where: string, field: string, rule: string) => `Invalid ${where}: ${field} ${rule}` },
  invalidBody: { status: 400, text: (rule: string) => `Invalid request body: ${rule}` },
  malformedJson: {
    status: 400,
    text: () => 'Invalid request body: not valid JSON (keys "__proto__" and "constructor.prototype" are refused too)',
  },
  jsonTooDeep: { status: 400, text: (max: number) => `Invalid request body: JSON nested deeper than ${max} levels` },
  jsonTooManyElements: {
    status: 400,
    text: (max: number) => `Invalid request body: JSON with more than ${max} elements (arrays, objects and values after a comma)`,
  },
  emptyJsonBody: { status: 400, text: () => 'Invalid request body: the body is empty; send a JSON object (e.g. {})' },
  badRequest: { status: 400, text: (detail: string) => `Bad request: ${detail}` },
  // What the HTTP layer (Node's parser, Fastify) rejects, in this project's words:
  contentLengthMismatch: { status: 400, text: () => 'Invalid request body: its length does not match the Content-Length header' },
  incompleteRequest: { status: 400, text: () => 'Incomplete request: the connection ended before the whole request arrived' },
  malformedUrl: { status: 400, text: () => 'Malformed URL: the path or query string has an invalid percent-encoding (%XX)' },
  malformedHttp: { status: 400, text: (parserCode: string) => `Malformed HTTP request: it could not be parsed (${parserCode})` },
  unreadableRequest: { status: 400, text: () => 'Bad request: the request could not be read' },
  notPreflight: {
    status: 400,
    text: () => 'Invalid CORS preflight: an OPTIONS request needs the Origin and Access-Control-Request-Method headers',
  },
  // 401
  authMissing: { status: 401, text: () => 'Missing Authentication header' },
  authMalformed: { status: 401, text: () => 'Invalid Authorization header: expected "Bearer <api key>"' },
  authUnknown: { status: 401, text: () => 'Invalid credentials: no API key matches the bearer token' },
  authDisabled: { status: 401, text: () => 'API key is disabled' },
  authExpired: { status: 401, text: () => 'API key has expired' },
  adminTokenRequired: { status: 401, text: () => 'The mock control API needs "Authorization: Bearer <admin token>" (--admin-token)' },
  // Inference (src/domain/inference.ts, spend-limit.ts), as the real API words them:
  inputRequired: { status: 400, text: () => 'Input required: specify "prompt" or "messages"' },
  unknownModel: { status: 400, text: (model: string) => `${clip(model, 120)} is not a valid model ID` },
  // an unknown, deleted or management key
  userNotFound: { status: 401, text: () => 'User not found.' },
  freeModelsPerDay: {
    status: 429,
    text: (limit: number) => `Rate limit exceeded: free-models-per-day. ${limit} free model requests a day; the count resets at midnight UTC`,
  },
  // 402: a request the key's limit (or the account's credits) cannot pay for, as observed live.
  unaffordable: {
    status: 402,
    text: (requested: number, affordable: number, source: 'openrouter_key_limit' | 'openrouter_credits') =>
      `This request requires more credits, or fewer max_tokens. You requested up to ${requested} tokens, but can only afford ${affordable}. ` +
      (source === 'openrouter_key_limit'
        ? 'To increase, visit https://openrouter.ai/settings/keys and create a key with a higher total limit'
        : 'To increase, visit https://openrouter.ai/settings/credits and add more credits'),
  },
  insufficientCredits: {
    status: 402,
    text: () => 'Insufficient credits. Add more using https://openrouter.ai/settings/credits',
  },
  // A spent key: 403 as observed live; 402 with the documented variant (`status`).
  keyLimitExceeded: { status: 403, text: (_status: 402 | 403, window: string) => `Key limit exceeded (${window} limit)` },
  // 403
  managementRequired: { status: 403, text: () => 'Only management keys can perform this operation' },
  // The guard of /__mock against other web pages (src/http/access.ts):
  hostNotAllowed: {
    status: 403,
    text: (host: string) =>
      `Host "${clip(host)}" may not reach the mock control API (a guard against DNS rebinding): add it with --allowed-hosts`,
  },
  originNotAllowed: {
    status: 403,
    text: (origin: string) => `Pages on ${clip(origin)} may not use the mock control API: list the origin with --control-origins`,
  },
  crossSiteRefused: {
    status: 403,
    text: () => 'Cross-site requests may not use the mock control API (Sec-Fetch-Site: cross-site)',
  },
  // 404
  keyNotFound: { status: 404, text: (hash: string) => `API key not found: no key with hash "${clip(hash)}"` },
  accountNotFound: { status: 404, text: (id: string) => `Account not found: "${clip(id)}"` },
  faultNotFound: { status: 404, text: (id: string) => `Fault rule not found: "${clip(id)}"` },
  completionRuleNotFound: { status: 404, text: (id: string) => `Completion rule not found: "${clip(id)}"` },
  generationNotFound: { status: 404, text: (id: string) => `Generation ${clip(id)} not found` },
  scenarioNotFound: {
    status: 404,
    text: (name: string, available: string[]) => `Unknown scenario "${clip(name)}" (available: ${available.join(', ')})`,
  },
  inspectorNotBuilt: {
    status: 404,
    text: () => 'The inspector is not built: run "npm run build" (it writes dist/inspector/)',
  },
  // The path as sent: a key in it may be percent-encoded, which redactUrl masks too.
  routeNotFound: { status: 404, text: (method: string, path: string) => `Not found: no route ${method} ${clip(redactUrl(path), 200)}` },
  // 408, 413, 414, 415, 431
  requestTimeout: { status: 408, text: () => 'Request timeout: the whole request did not arrive in time' },
  bodyTooLarge: { status: 413, text: (limit: number) => `Request body too large: the limit is ${limit} bytes` },
  pathSegmentTooLong: {
    status: 414,
    text: (max: number) => `Path segment too long: a path parameter has at most ${max} characters (a key hash has 64)`,
  },
  headersTooLarge: { status: 431, text: (max: number) => `Request header fields too large: the limit is ${max} bytes in all` },
  unsupportedMediaType: {
    status: 415,
    text: (type: string | undefined) =>
      type ? `Unsupported Content-Type "${clip(type)}": send application/json` : 'Missing Content-Type header: send the body as application/json',
  },
  // any other client error the HTTP layer raises (none known: every one above has its own entry)
  clientError: { status: 400, text: (status: number) => `Request rejected with status ${status}` },
  // 429, 500
  rateLimited: { status: 429, text: () => 'Rate limit exceeded' },
  injected: { status: 500, text: (_status: number, message: string) => message },
  badMockHeader: { status: 400, text: (detail: string) => `Invalid X-Mock-Response header: ${detail}` },
  internal: { status: 500, text: () => 'Internal Server Error' },
  // 503
  tooManyEventStreams: {
    status: 503,
    text: (max: number) => `Too many event streams: ${max} are open already (--max-event-streams); close one and retry`,
  },
} as const satisfies Record<string, { status: number; text: (...args: never[]) => string }>;

export type MessageId = keyof typeof MESSAGES;
type ArgsOf<K extends MessageId> = Parameters<(typeof MESSAGES)[K]['text']>;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** Extra detail for the envelope's optional `metadata`. */
  metadata: Record<string, unknown> | undefined;

  constructor(
    readonly id: MessageId,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }

  withMetadata(metadata: Record<string, unknown> | undefined): this {
    this.metadata = metadata;
    return this;
  }

  /** Headers the answer carries besides the envelope (a rate limit's `X-RateLimit-*`). */
  headers: Readonly<Record<string, string>> | undefined;

  withHeaders(headers: Readonly<Record<string, string>>): this {
    this.headers = headers;
    return this;
  }
}

export function apiError<K extends MessageId>(id: K, ...args: ArgsOf<K>): ApiError {
  const entry = MESSAGES[id];
  // Masked before a message clips them: a clipped key would no longer look like one.
  const shown = args.some((arg) => typeof arg === 'string' && arg.includes(KEY_PREFIX))
    ? (args.map((arg) => (typeof arg === 'string' ? maskKeys(arg) : arg)) as ArgsOf<K>)
    : args;
  const text = (entry.text as (...a: ArgsOf<K>) => string)(...shown);
  // These carry the status chosen elsewhere (by Fastify, by a fault rule) rather than the table's.
  const status = id === 'clientError' || id === 'injected' || id === 'keyLimitExceeded' ? (args[0] as number) : entry.status;
  return new ApiError(id, status, text);
}
