/**
 * Injected faults: rules that make matching API requests fail, stall or drop, a given number of
 * times or until removed (like MSW's one-shot handlers and WireMock's faults). Pure bookkeeping:
 * the HTTP layer carries the chosen action out. A rule can be disabled and edited; one used up
 * (`times` spent) stays listed, `state: "used_up"`, so that what answered a request can still be
 * named afterwards, and never fires again unless an edit gives it `times` anew.
 */
import { apiError } from './errors.js';
import { toIso } from './rules.js';
import type { FaultChange, MockEvents } from './events.js';
import { API_PREFIX, CONTROL_PREFIX, paramNames, shownPath, type Route } from './paths.js';

export type FaultKind = 'reset' | 'timeout';

export interface FaultMatch {
  /** HTTP method, any case. */
  method?: string;
  /**
   * Path under the API (`/keys/*`) or in full (`/api/v1/keys/*`): `*` is one segment, `**` any rest
   * (so `/keys/**` meets `/keys/{hash}` but not `/keys`). A trailing slash on the request is ignored.
   */
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
  /** False: the rule is kept but never fires. Default true. */
  enabled?: boolean;
}

/** The spec's optional fields an edit may set, or clear with null. */
type Clearable = 'status' | 'body' | 'delay_ms' | 'jitter_ms' | 'times' | 'retry_after' | 'fault';
const CLEARABLE: readonly Clearable[] = ['status', 'body', 'delay_ms', 'jitter_ms', 'times', 'retry_after', 'fault'];

/**
 * `PATCH /__mock/faults/:id`: the fields given replace the rule's (`match` as a whole), a null
 * clears one; `times` given (or cleared) starts the count again, so a used-up rule fires anew.
 * Hits and the last hit are kept: they are the rule's history.
 */
export type FaultEdit = { match?: FaultMatch; enabled?: boolean } & { [K in Clearable]?: FaultSpec[K] | null };

/** `active`: can fire; `disabled`: turned off; `used_up`: its `times` are spent. */
export type FaultState = 'active' | 'disabled' | 'used_up';

export interface FaultRule extends FaultSpec {
  id: string;
  match: FaultMatch;
  /** Requests the rule still applies to, or null for unlimited. */
  remaining: number | null;
  hits: number;
  enabled: boolean;
  state: FaultState;
  /** When it last answered a request, by the virtual clock (the journal's `time`), or null. */
  last_hit: string | null;
}

export interface FaultRequest {
  method: string;
  path: string;
  hash?: string;
  /**
   * The API route the request was routed to (`/api/v1/keys/:hash`, as in the engine's operation table): only the
   * rules that can meet that route are tried. Absent: every rule is.
   */
  route?: string;
}

/**
 * At most this many rules at once (a 400 past it): a request tries the rules of its route, and a
 * test needs a handful; the cap keeps a request's cost bounded whatever a client adds.
 */
export const MAX_FAULT_RULES = 1000;


/**
 * The API's routes and what messages say of them: the only requests a rule can meet. Derived once
 * per route table (`routesOf`).
 */
class FaultRoutes {
  readonly methods: string[];
  readonly paths: string[];
  /** "GET, HEAD, POST /api/v1/keys; …" for messages. */
  readonly list: string;
  /** The paths with a `:hash`, the only ones a `hash` match meets. */
  readonly hashPaths: string[];

  constructor(readonly routes: readonly Route[]) {
    this.methods = [...new Set(routes.map((route) => route.method))];
    this.paths = [...new Set(routes.map((route) => route.path))];
    this.list = this.paths
      .map((path) => `${routes.filter((route) => route.path === path).map((route) => route.method).join(', ')} ${shownPath(path)}`)
      .join('; ');
    this.hashPaths = this.paths.filter((path) => paramNames(path).includes('hash'));
  }

  /** The API routes a match can meet: method, path and hash together. */
  met(match: FaultMatch): readonly Route[] {
    const { path, hash } = match;
    const method = match.method?.toUpperCase();
    return this.routes.filter(
      (route) =>
        (method === undefined || route.method === method) &&
        (path === undefined || pathMeets(path, route.path)) &&
        (hash === undefined || this.hashPaths.includes(route.path)),
    );
  }
}

const derived = new WeakMap<readonly Route[], FaultRoutes>();
/** What the messages and the matching need of a route table, derived on first use and kept. */
const routesOf = (table: readonly Route[]): FaultRoutes => {
  let routes = derived.get(table);
  if (!routes) derived.set(table, (routes = new FaultRoutes(table)));
  return routes;
};

/** A rule's path in full: under /api/v1 unless it already starts with it. */
const fullPath = (path: string): string => (path.startsWith(API_PREFIX) ? path : `${API_PREFIX}${path}`);

/**
 * Whether some URL is both matched by a rule's pattern and routed to `route` (a `:name` parameter
 * is a segment of any characters but `/`). Both are regular: a walk over pairs of positions in the two token
 * lists finds a common string, if there is one.
 */
export type Token = { chars: 'one' | 'not-slash' | 'any'; char?: string; repeat: boolean };
const literal = (text: string): Token[] => [...text].map((char) => ({ chars: 'one', char, repeat: false }));
export function globTokens(glob: string): Token[] {
  return glob.split(/(\*\*|\*)/).flatMap((part): Token[] =>
    part === '**'
      ? [{ chars: 'any', repeat: true }]
      : part === '*'
        ? [{ chars: 'not-slash', repeat: false }, { chars: 'not-slash', repeat: true }]
        : literal(part),
  );
}
const routeTokens = (route: string): Token[] =>
  route.split('/').flatMap((part, i): Token[] => [
    ...(i === 0 ? [] : literal('/')),
    ...(part.startsWith(':') ? [{ chars: 'not-slash' as const, repeat: true }] : literal(part)),
  ]);
const overlap = (a: Token, b: Token): boolean => {
  if (a.chars === 'one' && b.chars === 'one') return a.char === b.char;
  if (a.chars === 'one') return b.chars === 'any' || a.char !== '/';
  if (b.chars === 'one') return a.chars === 'any' || b.char !== '/';
  return true;
};
function intersects(a: Token[], b: Token[]): boolean {
  const seen = new Set<number>();
  const visit = (i: number, j: number): boolean => {
    const id = i * (b.length + 1) + j;
    if (seen.has(id)) return false;
    seen.add(id);
    if (i === a.length && j === b.length) return true;
    if (i < a.length && a[i]!.repeat && visit(i + 1, j)) return true;
    if (j < b.length && b[j]!.repeat && visit(i, j + 1)) return true;
    if (i === a.length || j === b.length || !overlap(a[i]!, b[j]!)) return false;
    // One character consumed by both; a repeating token may take more.
    for (const ni of a[i]!.repeat ? [i, i + 1] : [i + 1]) {
      for (const nj of b[j]!.repeat ? [j, j + 1] : [j + 1]) if (visit(ni, nj)) return true;
    }
    return false;
  };
  return visit(0, 0);
}
/**
 * Whether `text` is in a glob's language, by a walk that keeps the set of token positions reachable
 * after each character (Thompson's simulation of the automaton): never backtracking, so at most
 * `text.length × tokens` steps whatever the pattern (a backtracking regex took seconds on
 * `/keys/**a**a**a**a**a**a**a**a**a**a**b`). `steps`, when given, counts the steps taken.
 */
export function globMatches(tokens: readonly Token[], text: string, steps?: { count: number }): boolean {
  const m = tokens.length;
  let current = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  // A repeating token matches nothing too: where it is reachable, so is the token after it.
  const close = (set: Uint8Array) => {
    for (let i = 0; i < m; i++) if (set[i] && tokens[i]!.repeat) set[i + 1] = 1;
  };
  current[0] = 1;
  close(current);
  for (let at = 0; at < text.length; at++) {
    const char = text[at]!;
    next.fill(0);
    let alive = false;
    for (let i = 0; i < m; i++) {
      if (!current[i]) continue;
      const token = tokens[i]!;
      if (token.chars === 'one' ? token.char !== char : token.chars === 'not-slash' && char === '/') continue;
      next[token.repeat ? i : i + 1] = 1;
      alive = true;
    }
    if (steps) steps.count += m;
    if (!alive) return false;
    close(next);
    [current, next] = [next, current];
  }
  return current[m] === 1;
}

/** A rule's path as a matcher of request paths: the glob, with or without a trailing slash on the request. */
function pathMatcher(path: string): (requestPath: string) => boolean {
  const full = fullPath(path);
  if (!full.includes('*')) return (requestPath) => requestPath === full || requestPath === `${full}/`;
  const tokens = globTokens(full);
  return (requestPath) =>
    globMatches(tokens, requestPath) || (requestPath.endsWith('/') && globMatches(tokens, requestPath.slice(0, -1)));
}

const pathMeets = (path: string, route: string): boolean => {
  const glob = globTokens(fullPath(path));
  const target = routeTokens(route);
  // A rule also matches its path with a trailing slash.
  return intersects(glob, target) || intersects([...glob, ...literal('/')], target);
};

const routeKey = (method: string, route: string) => `${method} ${route}`;

/**
 * Why a rule's match can never meet a request the API answers, or null when it can: the path must
 * start with "/", name no control route, have no empty or dot segment, and fit an API route
 * together with the method and hash. Returned as [field, reason]. `apiRoutes`: the API's route
 * table, HEAD twins included (API_ROUTES, from src/http/api-operations.ts).
 */
export function unmatchable(match: FaultMatch, apiRoutes: readonly Route[]): [field: string, reason: string] | null {
  const routes = routesOf(apiRoutes);
  const never = 'can never match: ';
  const { path, hash } = match;
  const method = match.method?.toUpperCase();
  if (path !== undefined) {
    if (!path.startsWith('/')) {
      return ['match.path', 'must start with "/": a path under /api/v1 such as "/keys/*", or a full one such as "/api/v1/keys/*"'];
    }
    if (path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`)) return ['match.path', `${never}control routes (${CONTROL_PREFIX}) are never faulted`];
    if (path.endsWith('/') && path !== '/') {
      return ['match.path', 'must not end with "/" (a rule matches a path with or without its trailing slash)'];
    }
    const segments = fullPath(path).split('/').slice(1);
    if (segments.slice(0, -1).includes('')) return ['match.path', `${never}it has an empty segment ("//")`];
    if (segments.some((segment) => segment === '.' || segment === '..')) {
      return ['match.path', `${never}it has a "." or ".." segment (clients resolve them before sending)`];
    }
    if (!routes.paths.some((routePath) => pathMeets(path, routePath))) {
      return ['match.path', `${never}no API route has such a path (the API's paths: ${routes.paths.map(shownPath).join(', ')}; "*" is one segment, "**" any rest)`];
    }
  }
  if (method !== undefined && !routes.methods.includes(method)) {
    return ['match.method', `${never}the API answers ${routes.methods.join(', ')}`];
  }
  if (hash !== undefined && hash.includes('/')) return ['match.hash', `${never}a hash has no "/"`];
  if (routes.met(match).length === 0) {
    const asked = [method, path === undefined ? undefined : `"${path}"`, hash === undefined ? undefined : 'a hash'].filter((part) => part !== undefined);
    const only = hash === undefined ? '' : `a hash is only on ${routes.hashPaths.map(shownPath).join(', ')}; `;
    return ['match', `${never}no API route takes ${asked.join(' with ')} (${only}the API's routes: ${routes.list})`];
  }
  return null;
}

/** A rule as kept: `seq` orders rules by age, `hitAt` is the last hit (ms, virtual clock). */
type StoredRule = Omit<FaultRule, 'state' | 'last_hit'> & { seq: number; hitAt: number | null; matchesPath?: ((path: string) => boolean) | undefined };

/** Whether a kept rule can fire: enabled, with uses left. */
const armed = (rule: StoredRule): boolean => rule.enabled && rule.remaining !== 0;

export class FaultRegistry {
  /** Newest first: a rule added later overrides an older one that matches the same requests. */
  private rules: StoredRule[] = [];
  /**
   * The armed rules (enabled, not used up) each API route ("GET /api/v1/keys/:hash") can meet,
   * newest first: a request tries its route's rules only, so rules for other routes, disabled
   * ones and used-up ones cost it nothing.
   */
  private byRoute = new Map<string, StoredRule[]>();
  private lastId = 0;
  private armedCount = 0;

  private readonly routes: FaultRoutes;

  /**
   * `apiRoutes`: the API's routes, HEAD twins included (the engine's operation table gives them:
   * API_ROUTES in src/http/api-operations.ts). `events`: told of every rule added, edited,
   * removed, cleared or used; optional. `now`: the virtual clock (ms), for `last_hit`.
   */
  constructor(
    private readonly apiRoutes: readonly Route[],
    private readonly events?: MockEvents,
    private readonly now: () => number = Date.now,
  ) {
    this.routes = routesOf(apiRoutes);
  }

  private changed(change: FaultChange, id: string | null): void {
    if (this.events?.listening('faults')) this.events.emit({ type: 'faults', change, id });
  }

  /** A 400 saying why a spec could never match, or null. */
  private static problem(match: FaultMatch, apiRoutes: readonly Route[]) {
    const problem = unmatchable(match, apiRoutes);
    return problem ? apiError('invalidField', 'request body', `field "${problem[0]}"`, problem[1]) : null;
  }

  /** Adds a rule; one that could never match any API request, or one past MAX_FAULT_RULES, is a 400 saying why. */
  add(spec: FaultSpec): FaultRule {
    const problem = FaultRegistry.problem(spec.match ?? {}, this.apiRoutes);
    if (problem) throw problem;
    this.makeRoom(1);
    const rule = this.stored(spec);
    this.rules.unshift(rule);
    this.arm(rule);
    this.changed('added', rule.id);
    return this.public(rule);
  }

  /**
   * Replaces every rule with these (a state document's): all checked first, so a bad one changes
   * nothing. Ids are new; hits start at 0.
   */
  replace(specs: readonly FaultSpec[]): void {
    this.check(specs, (i, field, reason) => apiError('invalidField', 'request body', `field "faults[${i}].${field}"`, reason));
    this.rules = [];
    this.byRoute.clear();
    this.armedCount = 0;
    // Listed newest first, as exported: the last is the oldest, added first.
    for (const spec of [...specs].reverse()) {
      const rule = this.stored(spec);
      this.rules.unshift(rule);
      this.arm(rule);
    }
    this.changed('cleared', null);
  }

  /**
   * Throws `refuse(index, field, reason)` for the first spec that could never match (or a 400 past
   * MAX_FAULT_RULES): what `replace` checks, for a caller that must check before changing anything else.
   */
  check(specs: readonly FaultSpec[], refuse: (index: number, field: string, reason: string) => Error): void {
    if (specs.length > MAX_FAULT_RULES) throw apiError('badRequest', `at most ${MAX_FAULT_RULES} fault rules at once`);
    for (const [i, spec] of specs.entries()) {
      const problem = unmatchable(spec.match ?? {}, this.apiRoutes);
      if (problem) throw refuse(i, problem[0], problem[1]);
    }
  }

  /**
   * Room for `n` more rules under MAX_FAULT_RULES: used-up rules are only kept for the record, so
   * the oldest of them make way; with none to drop, a 400.
   */
  private makeRoom(n: number): void {
    while (this.rules.length + n > MAX_FAULT_RULES) {
      let oldest = -1;
      for (let i = this.rules.length - 1; i >= 0; i--) {
        if (this.rules[i]!.remaining === 0) {
          oldest = i;
          break;
        }
      }
      if (oldest === -1) {
        throw apiError('badRequest', `at most ${MAX_FAULT_RULES} fault rules at once; remove some first (DELETE /__mock/faults/:id, or DELETE /__mock/faults for all)`);
      }
      this.rules.splice(oldest, 1);
    }
  }

  private stored(spec: FaultSpec): StoredRule {
    const { enabled = true, ...rest } = spec;
    return {
      ...rest,
      id: `fault_${++this.lastId}`,
      seq: this.lastId,
      match: { ...spec.match },
      remaining: spec.times ?? null,
      hits: 0,
      hitAt: null,
      enabled,
      ...(spec.match?.path ? { matchesPath: pathMatcher(spec.match.path) } : {}),
    };
  }

  /** Puts an armed rule in its routes' lists, in age order (a re-enabled rule goes back where it was). */
  private arm(rule: StoredRule): void {
    if (!armed(rule)) return;
    this.armedCount++;
    for (const route of this.routes.met(rule.match)) {
      const key = routeKey(route.method, route.path);
      const list = this.byRoute.get(key);
      if (!list) {
        this.byRoute.set(key, [rule]);
        continue;
      }
      const at = list.findIndex((other) => other.seq < rule.seq);
      list.splice(at === -1 ? list.length : at, 0, rule);
    }
  }

  /** Takes a rule out of its routes' lists (it stays listed). */
  private disarm(rule: StoredRule): void {
    for (const route of this.routes.met(rule.match)) {
      const key = routeKey(route.method, route.path);
      const list = this.byRoute.get(key);
      const at = list ? list.indexOf(rule) : -1;
      if (at === -1) continue;
      list!.splice(at, 1);
      if (list!.length === 0) this.byRoute.delete(key);
    }
  }

  /**
   * Edits a rule (see `FaultEdit`): checked as an add is, and a refused edit changes nothing.
   * Undefined when there is no such rule.
   */
  edit(id: string, change: FaultEdit): FaultRule | undefined {
    const rule = this.rules.find((r) => r.id === id);
    if (!rule) return undefined;
    const match = change.match === undefined ? rule.match : { ...change.match };
    const problem = FaultRegistry.problem(match, this.apiRoutes);
    if (problem) throw problem;
    const wasArmed = armed(rule);
    if (wasArmed) this.disarm(rule);
    if (wasArmed) this.armedCount--;
    rule.match = match;
    rule.matchesPath = match.path ? pathMatcher(match.path) : undefined;
    for (const field of CLEARABLE) {
      const value = change[field];
      if (value === undefined) continue;
      if (value === null) delete rule[field];
      else (rule as Record<string, unknown>)[field] = value;
    }
    if (change.times !== undefined) rule.remaining = change.times ?? null;
    if (change.enabled !== undefined) rule.enabled = change.enabled;
    this.arm(rule);
    this.changed('edited', id);
    return this.public(rule);
  }

  list(): FaultRule[] {
    return this.rules.map((rule) => this.public(rule));
  }

  /** The rules as a state document carries them: each one's spec and `enabled`, newest first. */
  specs(): FaultSpec[] {
    return this.rules.map((rule) => {
      const { id: _id, remaining: _remaining, hits: _hits, seq: _seq, hitAt: _hitAt, matchesPath: _matcher, enabled, ...spec } = rule;
      return { ...spec, match: { ...rule.match }, ...(enabled ? {} : { enabled }) };
    });
  }

  remove(id: string): boolean {
    const at = this.rules.findIndex((rule) => rule.id === id);
    if (at === -1) return false;
    const [rule] = this.rules.splice(at, 1);
    if (armed(rule!)) {
      this.disarm(rule!);
      this.armedCount--;
    }
    this.changed('removed', id);
    return true;
  }

  clear(): void {
    this.rules = [];
    this.byRoute.clear();
    this.armedCount = 0;
    this.changed('cleared', null);
  }

  /** The rules that can fire (enabled, uses left): 0 lets a request skip the faults stage. */
  get size(): number {
    return this.armedCount;
  }

  /** Every rule listed, disabled and used-up ones included. */
  get listed(): number {
    return this.rules.length;
  }

  /** The rule that applies to this request, counted as used (an exhausted rule then stays listed, used up). */
  take(request: FaultRequest): FaultRule | undefined {
    if (this.armedCount === 0) return undefined;
    const candidates = request.route === undefined ? this.rules.filter(armed) : this.byRoute.get(routeKey(request.method, request.route));
    const rule = candidates?.find(
      (r) =>
        (!r.match.method || r.match.method.toUpperCase() === request.method) &&
        (!r.matchesPath || r.matchesPath(request.path)) &&
        (!r.match.hash || r.match.hash === request.hash),
    );
    if (!rule) return undefined;
    rule.hits++;
    rule.hitAt = this.now();
    if (rule.remaining !== null) rule.remaining--;
    if (rule.remaining === 0) {
      this.disarm(rule);
      this.armedCount--;
    }
    this.changed('used', rule.id);
    return this.public(rule);
  }

  /**
   * A copy for the caller in the order the route's serializer writes `FaultRuleSchema` — its
   * required fields first (match, id, remaining, hits, enabled, state, last_hit), then the
   * spec's, each only when set — and the match's fields in the schema's order, whatever order the
   * client sent them in. So `JSON.stringify` of it is the server's bytes.
   */
  private public(rule: StoredRule): FaultRule {
    const { method, path, hash } = rule.match;
    const match: FaultMatch = {};
    if (method !== undefined) match.method = method;
    if (path !== undefined) match.path = path;
    if (hash !== undefined) match.hash = hash;
    const out: FaultRule = {
      match,
      id: rule.id,
      remaining: rule.remaining,
      hits: rule.hits,
      enabled: rule.enabled,
      state: !rule.enabled ? 'disabled' : rule.remaining === 0 ? 'used_up' : 'active',
      last_hit: rule.hitAt === null ? null : toIso(rule.hitAt),
    };
    if (rule.status !== undefined) out.status = rule.status;
    if (rule.body !== undefined) out.body = rule.body;
    if (rule.delay_ms !== undefined) out.delay_ms = rule.delay_ms;
    if (rule.jitter_ms !== undefined) out.jitter_ms = rule.jitter_ms;
    if (rule.times !== undefined) out.times = rule.times;
    if (rule.retry_after !== undefined) out.retry_after = rule.retry_after;
    if (rule.fault !== undefined) out.fault = rule.fault;
    return out;
  }
}
