import { apiError } from '../domain/errors.js';
import type { Operation } from './operation.js';

/**
 * The longest path parameter (a `:hash`) a route takes; a longer one is a 414. Fastify's default,
 * stated here so that the message can say it and every door can apply it.
 */
export const MAX_PARAM_LENGTH = 100;

export interface Routed {
  operation: Operation;
  params: Record<string, string>;
}

interface Entry {
  operation: Operation;
  /** Each path segment: a fixed name, or `:name` for a parameter. */
  segments: { name: string; param: boolean }[];
}

/**
 * Finds the operation for a method and a path (no query string), as the server's router does:
 * segments compared after percent-decoding, a parameter is one segment (empty allowed, so that
 * `/keys/` reaches `/keys/:hash` and its validation names the missing hash), no trailing-slash
 * folding, HEAD served by the GET route. Undefined: no route (a 404 for the door to answer).
 * Throws the 400 of a malformed percent-escape and the 414 of an over-long parameter.
 */
export class Router {
  private readonly byMethod = new Map<string, Entry[]>();

  constructor(operations: readonly Operation[]) {
    for (const operation of operations) {
      const segments = operation.url
        .split('/')
        .slice(1)
        .map((part) => (part.startsWith(':') ? { name: part.slice(1), param: true } : { name: part, param: false }));
      const list = this.byMethod.get(operation.method) ?? [];
      list.push({ operation, segments });
      this.byMethod.set(operation.method, list);
    }
  }

  find(method: string, path: string): Routed | undefined {
    const raw = path.split('/').slice(1);
    let decoded: string[];
    try {
      decoded = raw.map((segment) => (segment.includes('%') ? decodeURIComponent(segment) : segment));
    } catch {
      throw apiError('malformedUrl');
    }
    const entries = this.byMethod.get(method === 'HEAD' ? 'GET' : method) ?? [];
    for (const { operation, segments } of entries) {
      if (segments.length !== decoded.length || !segments.every((s, i) => s.param || s.name === decoded[i])) continue;
      const params: Record<string, string> = {};
      segments.forEach((segment, i) => {
        if (!segment.param) return;
        if (raw[i]!.length > MAX_PARAM_LENGTH) throw apiError('pathSegmentTooLong', MAX_PARAM_LENGTH);
        params[segment.name] = decoded[i]!;
      });
      return { operation, params };
    }
    return undefined;
  }
}
