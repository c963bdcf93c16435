/**
 * Injected faults: rules that make matching API requests fail, stall or drop, a given number of
 * times or until removed (like MSW's one-shot handlers and WireMock's faults). Pure bookkeeping:
 * the HTTP layer carries the chosen action out.
 */
export type FaultKind = 'reset' | 'timeout';

export interface FaultMatch {
  /** HTTP method, any case. */
  method?: string;
  /** Path under the API (`/keys/*`) or in full (`/api/v1/keys/*`); `*` is one segment, `**` any rest. */
  path?: string;
  /** The `:hash` of a `/keys/:hash` route. */
  hash?: string;
}

export interface FaultSpec {
  match?: FaultMatch;
  /** Answer with this status (400–599) in OpenRouter's error shape. */
  status?: number;
  /** The error message (a string), or an object: `{error:{message, metadata?}}` or metadata. */
  body?: string | Record<string, unknown>;
  delay_ms?: number;
  jitter_ms?: number;
  /** How many requests the rule applies to; absent: until removed. */
  times?: number;
  /** Seconds, sent as `Retry-After` (429 rules send 1 unless told otherwise). */
  retry_after?: number;
  /** `reset` destroys the socket; `timeout` never answers. */
  fault?: FaultKind;
}

export interface FaultRule extends FaultSpec {
  id: string;
  match: FaultMatch;
  /** Requests the rule still applies to, or null for unlimited. */
  remaining: number | null;
  hits: number;
}

export interface FaultRequest {
  method: string;
  path: string;
  hash?: string;
}

export const API_PREFIX = '/api/v1';

function pathPattern(path: string): RegExp {
  const full = path.startsWith(API_PREFIX) ? path : `${API_PREFIX}${path.startsWith('/') ? '' : '/'}${path}`;
  const source = full
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}/?$`);
}

export class FaultRegistry {
  private rules: (FaultRule & { pattern?: RegExp })[] = [];
  private lastId = 0;

  add(spec: FaultSpec): FaultRule {
    const rule = {
      ...spec,
      id: `fault_${++this.lastId}`,
      match: { ...spec.match },
      remaining: spec.times ?? null,
      hits: 0,
      pattern: spec.match?.path ? pathPattern(spec.match.path) : undefined,
    };
    // Newest first: a rule added later overrides an older one that matches the same requests.
    this.rules.unshift(rule);
    return this.public(rule);
  }

  list(): FaultRule[] {
    return this.rules.map((rule) => this.public(rule));
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  get size(): number {
    return this.rules.length;
  }

  /** The rule that applies to this request, counted as used (an exhausted rule disappears). */
  take(request: FaultRequest): FaultRule | undefined {
    if (this.rules.length === 0) return undefined;
    const rule = this.rules.find(
      (r) =>
        (!r.match.method || r.match.method.toUpperCase() === request.method) &&
        (!r.pattern || r.pattern.test(request.path)) &&
        (!r.match.hash || r.match.hash === request.hash),
    );
    if (!rule) return undefined;
    rule.hits++;
    if (rule.remaining !== null && --rule.remaining <= 0) this.remove(rule.id);
    return this.public(rule);
  }

  private public(rule: FaultRule & { pattern?: RegExp }): FaultRule {
    const { pattern: _pattern, ...rest } = rule;
    return { ...rest, match: { ...rest.match } };
  }
}
