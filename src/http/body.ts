import querystring from 'fast-querystring';
import secureJson from 'secure-json-parse';
import { apiError } from '../domain/errors.js';

/**
 * How a request's body and query string are read, for every door: the Fastify server (its one
 * content-type parser and its query-string parser call these), the fetch handler and MSW.
 */

/** A token of RFC 9110 (§5.6.2), as a media type's type and subtype are written. */
const TOKEN = /^[\w!#$%&'*+.^`|~-]+$/;

/**
 * The media type of a `Content-Type` header (`type/subtype`, lower case), or undefined when the
 * header is not one. Parameters (`; charset=utf-8`) do not decide anything: JSON is read as UTF-8.
 * Space before the type and after the subtype is allowed, as Fastify allows it.
 */
export function mediaTypeOf(header: string): string | undefined {
  const end = header.indexOf(';');
  const main = end === -1 ? header : header.slice(0, end);
  const slash = main.indexOf('/');
  if (slash === -1) return undefined;
  const type = main.slice(0, slash).trimStart().toLowerCase();
  const subtype = main.slice(slash + 1).trimEnd().toLowerCase();
  return TOKEN.test(type) && TOKEN.test(subtype) ? `${type}/${subtype}` : undefined;
}

/**
 * A `Content-Type` that is no media type at all (`json`, empty) is refused before the body is read,
 * as the server's HTTP layer refuses it: a 415 even when the body is also too large.
 */
export function refuseMalformedMediaType(contentType: string | undefined): void {
  if (contentType !== undefined && mediaTypeOf(contentType) === undefined) throw apiError('unsupportedMediaType', contentType);
}

/** Methods whose body is never read (as HTTP servers treat them): a GET's body is ignored. */
export const BODYLESS_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/**
 * A request body as the routes receive it. Called for every request that carries a body (or a
 * `Content-Type`), once its size is known to be within the route's limit:
 * - JSON is the only media type taken: anything else, `text/plain` included, is a 415; a body
 *   without a `Content-Type` too;
 * - an empty JSON body is "no body" for GET and DELETE (some clients send the header anyway) and on
 *   the control plane (`emptyIsNone`: "no options"); elsewhere a 400;
 * - JSON is parsed as Fastify's own parser does it (secure-json-parse): `__proto__` and
 *   `constructor.prototype` keys are refused, a leading byte-order mark is skipped;
 * - a text nested too deep or with too many elements is a 400 before it is parsed.
 */
export function readJsonBody(method: string, contentType: string | undefined, text: string, emptyIsNone: boolean): unknown {
  if (contentType === undefined || contentType === '') throw apiError('unsupportedMediaType', undefined);
  // The two headers nearly every client sends, without parsing them.
  if (contentType !== 'application/json' && contentType !== 'application/json; charset=utf-8' && mediaTypeOf(contentType) !== 'application/json') {
    throw apiError('unsupportedMediaType', contentType);
  }
  if (text === '') {
    if (emptyIsNone || method === 'GET' || method === 'DELETE') return undefined;
    throw apiError('emptyJsonBody');
  }
  checkJsonBounds(text);
  try {
    return secureJson.parse(text, undefined, PARSE_OPTIONS);
  } catch {
    throw apiError('malformedJson');
  }
}

const PARSE_OPTIONS = { protoAction: 'error', constructorAction: 'error' } as const;

/** The deepest nesting of arrays and objects a JSON body may have (a state document has 5). */
export const MAX_JSON_DEPTH = 64;
/**
 * The most elements (arrays, objects and the commas between members) a JSON body may have: an
 * export of 100,000 keys has 2.2 million, so this leaves room for 3.6 times that. Parsing 8 million
 * empty objects takes ~0.5 GB of heap; 200 MB of them would take the process down.
 */
export const MAX_JSON_ELEMENTS = 8_000_000;

/**
 * Refuses, before anything is parsed, a JSON text nested deeper than MAX_JSON_DEPTH or with more
 * than MAX_JSON_ELEMENTS elements: the parser builds every array and object it meets before it
 * finds a text broken or too large, and recursive walks (validation, the journal's redaction) run
 * as deep as the value. One linear scan: strings are skipped from quote to quote.
 */
function checkJsonBounds(text: string): void {
  // A text this short can be neither that deep nor have that many elements.
  if (text.length <= MAX_JSON_DEPTH) return;
  // Nor can one with no more opening brackets than MAX_JSON_DEPTH (counted in strings too) and no
  // more characters than MAX_JSON_ELEMENTS: a few native searches, where the scan below is a
  // JavaScript loop over every character (a PATCH body's ~1,400 instructions under callgrind).
  if (text.length <= MAX_JSON_ELEMENTS && openingsAtMost(text, MAX_JSON_DEPTH)) return;
  let depth = 0;
  let elements = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      i = closingQuote(text, i);
    } else if (c === 91 || c === 123) {
      if (++depth > MAX_JSON_DEPTH) throw apiError('jsonTooDeep', MAX_JSON_DEPTH);
      if (++elements > MAX_JSON_ELEMENTS) throw apiError('jsonTooManyElements', MAX_JSON_ELEMENTS);
    } else if (c === 93 || c === 125) {
      depth--;
    } else if (c === 44 && ++elements > MAX_JSON_ELEMENTS) {
      throw apiError('jsonTooManyElements', MAX_JSON_ELEMENTS);
    }
  }
}

/** Whether `text` holds at most `most` of `{` and `[` together. */
function openingsAtMost(text: string, most: number): boolean {
  let count = 0;
  for (let at = text.indexOf('{'); at !== -1; at = text.indexOf('{', at + 1)) if (++count > most) return false;
  for (let at = text.indexOf('['); at !== -1; at = text.indexOf('[', at + 1)) if (++count > most) return false;
  return true;
}

/** Where the string opened by the quote at `open` ends (the text's length when it never does). */
function closingQuote(text: string, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at === -1) return text.length;
    // Escaped when an odd number of backslashes stands before it.
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}

/** A query string (without its `?`) as an object: `offset=100&x=1&x=2` → `{offset: "100", x: ["1", "2"]}`. */

/** Marks a query string with a bad `%XX` (hidden: not a field, never journalled or validated). */
const MALFORMED = Symbol('malformed query string');

/**
 * A query string (without its `?`) as an object: `offset=100&x=1&x=2` → `{offset: "100", x: ["1", "2"]}`.
 * A bad `%XX` escape (`?foo=%zz`) is marked for `isMalformedQuery` rather than thrown: Fastify's
 * router calls this, and an exception there would take the process down.
 */
export function parseQuery(query: string): Record<string, unknown> {
  if (query.length === 0) return {};
  const parsed = querystring.parse(query) as Record<string, unknown>;
  if (query.includes('%')) {
    try {
      decodeURIComponent(query);
    } catch {
      Object.defineProperty(parsed, MALFORMED, { value: true });
    }
  }
  return parsed;
}

/** Whether a parsed query string had a bad `%XX` escape: the request is a 400 "Malformed URL". */
export const isMalformedQuery = (query: unknown): boolean => typeof query === 'object' && query !== null && MALFORMED in query;
