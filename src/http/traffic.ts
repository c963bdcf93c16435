import { apiError, type ApiError } from '../domain/errors.js';
import type { FaultRule } from '../domain/faults.js';

/**
 * What happens to API traffic besides the API itself — injected faults (rules and the one-shot
 * `X-Mock-Response` header) and global latency — decided here for every door; each door carries
 * the decision out its own way (a socket reset, a rejected `fetch`, MSW's network error).
 */

/** What a fault does to a request. */
export type FaultAction = Pick<FaultRule, 'status' | 'body' | 'delay_ms' | 'jitter_ms' | 'retry_after' | 'fault'>;

export const MOCK_RESPONSE_HEADER = 'x-mock-response';

/** `X-Mock-Response: status=429; delay_ms=100; retry_after=2; fault=reset; message=Slow down`. */
export function parseMockResponseHeader(value: string): FaultAction {
  const action: FaultAction = {};
  for (const part of value.split(/[;,&]/)) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    const raw = eq === -1 ? '' : part.slice(eq + 1).trim();
    const int = (min: number, max: number) => {
      const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
      if (!(n >= min && n <= max)) throw apiError('badMockHeader', `${name} must be an integer from ${min} to ${max}`);
      return n;
    };
    switch (name) {
      case 'status':
        action.status = int(400, 599);
        break;
      case 'delay_ms':
        action.delay_ms = int(0, 600_000);
        break;
      case 'retry_after':
        action.retry_after = int(0, 86_400);
        break;
      case 'message':
        action.body = raw;
        break;
      case 'fault':
        if (raw !== 'reset' && raw !== 'timeout') throw apiError('badMockHeader', 'fault must be reset or timeout');
        action.fault = raw;
        break;
      default:
        throw apiError('badMockHeader', `unknown part "${name.slice(0, 40)}" (use status, delay_ms, retry_after, message, fault)`);
    }
  }
  return action;
}

/** HTTP's reason phrases for the statuses a fault may answer with (400–599), the default message of an injected error. */
const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout',
  409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Payload Too Large',
  414: 'URI Too Long', 415: 'Unsupported Media Type', 416: 'Range Not Satisfiable', 417: 'Expectation Failed',
  418: "I'm a Teapot", 421: 'Misdirected Request', 422: 'Unprocessable Entity', 423: 'Locked', 424: 'Failed Dependency',
  425: 'Too Early', 426: 'Upgrade Required', 428: 'Precondition Required', 431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons', 500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout', 505: 'HTTP Version Not Supported', 506: 'Variant Also Negotiates',
  507: 'Insufficient Storage', 508: 'Loop Detected', 509: 'Bandwidth Limit Exceeded', 510: 'Not Extended',
  511: 'Network Authentication Required',
};

/** The OpenRouter envelope of an injected error: the rule's message, else the status's reason phrase. */
export function injectedError(status: number, body: unknown): ApiError {
  let message = status === 429 ? 'Rate limit exceeded' : (REASONS[status] ?? 'Error');
  let metadata: Record<string, unknown> | undefined;
  if (typeof body === 'string' && body !== '') message = body;
  else if (body && typeof body === 'object') {
    const error = (body as { error?: { message?: unknown; metadata?: unknown } }).error;
    if (error && typeof error === 'object') {
      if (typeof error.message === 'string') message = error.message;
      if (error.metadata && typeof error.metadata === 'object') metadata = error.metadata as Record<string, unknown>;
    } else metadata = body as Record<string, unknown>;
  }
  return apiError('injected', status, message).withMetadata(metadata);
}

/** How long a fault waits before it acts: its delay plus a random part of its jitter. */
export function faultWait(action: FaultAction): number {
  const jitter = action.jitter_ms ? Math.floor(Math.random() * (action.jitter_ms + 1)) : 0;
  return (action.delay_ms ?? 0) + jitter;
}

/** `--latency MIN-MAX`: how long this API request waits before anything else happens. */
export function latencyMs(latency: { min: number; max: number } | undefined): number {
  return latency ? latency.min + Math.floor(Math.random() * (latency.max - latency.min + 1)) : 0;
}

/**
 * A request path with its percent-escapes decoded segment by segment (a `/` stays a separator), as
 * fault rules and the router compare it; undefined if an escape is malformed.
 */
export function decodePath(path: string): string | undefined {
  if (!path.includes('%')) return path;
  try {
    return path
      .split('/')
      .map((segment) => decodeURIComponent(segment))
      .join('/');
  } catch {
    return undefined;
  }
}
