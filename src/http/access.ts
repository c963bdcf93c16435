import { apiError, type ApiError } from '../domain/errors.js';

/**
 * Who may reach the control plane (`/__mock`: its routes, the event stream, the inspector): the
 * rule against other web pages, apart from any transport (the server's hook applies it; the
 * in-process doors have no Host and no other pages, and do not).
 *
 * The control plane reads and rewrites everything, management keys included, and a browser will
 * send a request to it from any page — a simple `no-cors` POST needs no preflight, and a page on a
 * rebound DNS name even counts as the mock's own origin. So a request is refused with a 403 when:
 * - its `Host` is not one the mock answers under (DNS rebinding: the page's name, pointed at
 *   127.0.0.1): `localhost`, `*.localhost`, IP addresses and the names listed (Vite's rule after
 *   CVE-2025-24010);
 * - it carries an `Origin` other than the mock's own (`http(s)://` + its `Host`) and not listed;
 * - a browser calls it cross-site (`Sec-Fetch-Site: cross-site`), Origin or not.
 * Requests from tools (curl, the SDK, tests) carry no `Origin` and no `Sec-Fetch-Site`, and a
 * loopback or IP `Host`: they are not affected.
 */

export interface AccessRule {
  /** Host names answered besides localhost, `*.localhost` and IP literals; `.example.com` covers its subdomains; `*`: any. */
  allowedHosts: readonly string[] | '*';
  /** Origins besides the mock's own whose pages may call it. */
  controlOrigins: readonly string[];
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The host name of a `Host` header (lower-case, without the port; `[v6]` kept in brackets), or undefined when it is not one. */
function hostName(host: string): string | undefined {
  try {
    // The URL parser reads `[::1]:8080`, ports and odd IPv4 forms (`127.1`) as browsers do.
    const url = new URL(`http://${host}`);
    return url.username === '' && url.password === '' && url.pathname === '/' && url.search === '' ? url.hostname : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the mock answers its control plane under this `Host` header (none: not a browser's request, which always has one). */
export function hostAllowed(host: string | undefined, allowed: AccessRule['allowedHosts']): boolean {
  if (host === undefined || allowed === '*') return true;
  const name = hostName(host);
  if (name === undefined) return false;
  if (name === 'localhost' || name.endsWith('.localhost') || name.startsWith('[') || IPV4.test(name)) return true;
  return allowed.some((entry) => (entry.startsWith('.') ? name === entry.slice(1) || name.endsWith(entry) : name === entry));
}

/** Whether `origin` is the mock's own: the same authority as the request's `Host` (http or https: a TLS proxy in front changes the scheme only). */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  const lower = origin.toLowerCase();
  const authority = lower.startsWith('http://') ? lower.slice(7) : lower.startsWith('https://') ? lower.slice(8) : undefined;
  return authority === host.toLowerCase();
}

/** Whether a page on `origin` may call the control plane: the mock's own origin, or one listed. */
export function originAllowed(origin: string, host: string | undefined, rule: AccessRule): boolean {
  return sameOrigin(origin, host) || rule.controlOrigins.includes(origin);
}

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** The 403 a control-plane request gets from this rule, or undefined when it may go on. */
export function controlRefusal(headers: Headers, rule: AccessRule): ApiError | undefined {
  const host = first(headers.host);
  if (!hostAllowed(host, rule.allowedHosts)) return apiError('hostNotAllowed', host ?? '');
  const origin = first(headers.origin);
  if (origin !== undefined && !originAllowed(origin, host, rule)) return apiError('originNotAllowed', origin);
  if (first(headers['sec-fetch-site']) === 'cross-site' && (origin === undefined || !rule.controlOrigins.includes(origin))) {
    return apiError('crossSiteRefused');
  }
  return undefined;
}
