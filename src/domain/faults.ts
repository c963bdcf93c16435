/**
 * Injected faults: rules that make matching API requests fail, stall or drop, a given number of
 * times or until removed (like MSW's one-shot handlers and WireMock's faults). Pure bookkeeping:
 * the HTTP layer carries the chosen action out.
 */
import { apiError } from './errors.js';
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

type StoredRule = FaultRule & { matchesPath?: (path: string) => boolean };

export class FaultRegistry {
  /** Newest first: a rule added later overrides an older one that matches the same requests. */
  private rules: StoredRule[] = [];
  /**
   * The rules each API route ("GET /api/v1/keys/:hash") can meet, newest first: a request tries its
   * route's rules only, so rules for other routes cost it nothing.
   */
  private byRoute = new Map<string, StoredRule[]>();
  private lastId = 0;

  private readonly routes: FaultRoutes;

  /**
   * `apiRoutes`: the API's routes, HEAD twins included (the engine's operation table gives them:
   * API_ROUTES in src/http/api-operations.ts). `events`: told of every rule added, removed,
   * cleared or used; optional.
   */
  constructor(
    private readonly apiRoutes: readonly Route[],
    private readonly events?: MockEvents,
  ) {
    this.routes = routesOf(apiRoutes);
  }

  private changed(change: FaultChange, id: string | null): void {
    if (this.events?.listening('faults')) this.events.emit({ type: 'faults', change, id });
  }

  /** Adds a rule; one that could never match any API request, or one past MAX_FAULT_RULES, is a 400 saying why. */
  add(spec: FaultSpec): FaultRule {
    const problem = unmatchable(spec.match ?? {}, this.apiRoutes);
    if (problem) throw apiError('invalidField', 'request body', `field "${problem[0]}"`, problem[1]);
    if (this.rules.length >= MAX_FAULT_RULES) {
      throw apiError('badRequest', `at most ${MAX_FAULT_RULES} fault rules at once; remove some first (DELETE /__mock/faults/:id, or DELETE /__mock/faults for all)`);
    }
    const rule: StoredRule = {
      ...spec,
      id: `fault_${++this.lastId}`,
      match: { ...spec.match },
      remaining: spec.times ?? null,
      hits: 0,
      ...(spec.match?.path ? { matchesPath: pathMatcher(spec.match.path) } : {}),
    };
    this.rules.unshift(rule);
    for (const route of this.routes.met(rule.match)) {
      const key = routeKey(route.method, route.path);
      const list = this.byRoute.get(key);
      if (list) list.unshift(rule);
      else this.byRoute.set(key, [rule]);
    }
    this.changed('added', rule.id);
    return this.public(rule);
  }

  list(): FaultRule[] {
    return this.rules.map((rule) => this.public(rule));
  }

  remove(id: string): boolean {
    const at = this.rules.findIndex((rule) => rule.id === id);
    if (at === -1) return false;
    const [rule] = this.rules.splice(at, 1);
    for (const route of this.routes.met(rule!.match)) {
      const key = routeKey(route.method, route.path);
      const list = this.byRoute.get(key)!.filter((other) => other !== rule);
      if (list.length === 0) this.byRoute.delete(key);
      else this.byRoute.set(key, list);
    }
    this.changed('removed', id);
    return true;
  }

  clear(): void {
    this.rules = [];
    this.byRoute.clear();
    this.changed('cleared', null);
  }

  get size(): number {
    return this.rules.length;
  }

  /** The rule that applies to this request, counted as used (an exhausted rule then disappears). */
  take(request: FaultRequest): FaultRule | undefined {
    if (this.rules.length === 0) return undefined;
    const candidates = request.route === undefined ? this.rules : this.byRoute.get(routeKey(request.method, request.route));
    const rule = candidates?.find(
      (r) =>
        (!r.match.method || r.match.method.toUpperCase() === request.method) &&
        (!r.matchesPath || r.matchesPath(request.path)) &&
        (!r.match.hash || r.match.hash === request.hash),
    );
    if (!rule) return undefined;
    rule.hits++;
    if (rule.remaining !== null) rule.remaining--;
    // Used, then (its last use) removed: a one-shot rule that fires is told as used too.
    this.changed('used', rule.id);
    if (rule.remaining !== null && rule.remaining <= 0) this.remove(rule.id);
    return this.public(rule);
  }

  /**
   * A copy for the caller in the order the route's serializer writes `FaultRuleSchema` — its
   * required fields first (match, id, remaining, hits), then the spec's, each only when set — and
   * the match's fields in the schema's order, whatever order the client sent them in. So
   * `JSON.stringify` of it is the server's bytes.
   */
  private public(rule: FaultRule): FaultRule {
    const { method, path, hash } = rule.match;
    const match: FaultMatch = {};
    if (method !== undefined) match.method = method;
    if (path !== undefined) match.path = path;
    if (hash !== undefined) match.hash = hash;
    const out: FaultRule = { match, id: rule.id, remaining: rule.remaining, hits: rule.hits };
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
