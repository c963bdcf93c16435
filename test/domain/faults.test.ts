import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/domain/errors.js';
import { FaultRegistry, unmatchable } from '../../src/domain/faults.js';

describe('FaultRegistry', () => {
  it('applies a rule `times` times, then drops it', () => {
    const faults = new FaultRegistry();
    const rule = faults.add({ match: { method: 'patch' }, status: 500, times: 2 });
    const request = { method: 'PATCH', path: '/api/v1/keys/abc', hash: 'abc' };
    expect(faults.take(request)?.id).toBe(rule.id);
    expect(faults.take(request)?.hits).toBe(2);
    expect(faults.take(request)).toBeUndefined();
    expect(faults.size).toBe(0);
  });

  it('matches paths under the API or in full, * for one segment and ** for any rest', () => {
    const faults = new FaultRegistry();
    faults.add({ match: { path: '/keys/*' }, status: 503 });
    expect(faults.take({ method: 'GET', path: '/api/v1/keys/abc' })).toBeDefined();
    expect(faults.take({ method: 'GET', path: '/api/v1/keys' })).toBeUndefined();
    expect(faults.take({ method: 'GET', path: '/api/v1/keys/abc/more' })).toBeUndefined();
    faults.clear();
    faults.add({ match: { path: '/api/v1/**' }, status: 503 });
    expect(faults.take({ method: 'GET', path: '/api/v1/keys/abc/more' })).toBeDefined();
    expect(faults.take({ method: 'GET', path: '/api/v1/key' })).toBeDefined();
  });

  it('matches by hash and by method, any case; the newest rule wins', () => {
    const faults = new FaultRegistry();
    const older = faults.add({ status: 500 });
    const newer = faults.add({ match: { hash: 'h1', method: 'delete' }, status: 404 });
    expect(faults.take({ method: 'DELETE', path: '/api/v1/keys/h1', hash: 'h1' })?.id).toBe(newer.id);
    expect(faults.take({ method: 'GET', path: '/api/v1/keys/h1', hash: 'h1' })?.id).toBe(older.id);
    expect(faults.take({ method: 'DELETE', path: '/api/v1/keys/h2', hash: 'h2' })?.id).toBe(older.id);
  });

  it('lists and removes rules; removing an unknown id reports false', () => {
    const faults = new FaultRegistry();
    const a = faults.add({ status: 500 });
    const b = faults.add({ fault: 'reset' });
    expect(faults.list().map((r) => r.id)).toEqual([b.id, a.id]);
    expect(faults.remove(a.id)).toBe(true);
    expect(faults.remove(a.id)).toBe(false);
    expect(faults.list().map((r) => r.id)).toEqual([b.id]);
  });

  it('escapes regex characters in literal path parts', () => {
    const faults = new FaultRegistry();
    faults.add({ match: { path: '/keys/a.c' }, status: 500 });
    expect(faults.take({ method: 'GET', path: '/api/v1/keys/abc' })).toBeUndefined();
    expect(faults.take({ method: 'GET', path: '/api/v1/keys/a.c' })).toBeDefined();
  });
});

describe('unmatchable(): a path is refused exactly when no request the API routes could meet it', () => {
  // Paths built from these segments; the naive model tries every URL the API routes whose hash is
  // short or made from a segment, and asks the rule's own pattern (FaultRegistry.take) about each.
  const SEGMENTS = ['keys', 'key', 'api', 'v1', '*', '**', 'k*', '*s', 'ke*', 'x', 'x*y', '*e*', '.', '..'];
  const letters = ['k', 'e', 'y', 's', 'x'];
  const short = ['', ...letters, ...letters.flatMap((a) => letters.map((b) => a + b))];
  const hashes = [...new Set([...short, ...SEGMENTS.flatMap((seg) => [seg.replace(/\*+/g, 'x'), seg.replace(/\*+/g, 'xy')])])].filter(
    (hash) => hash !== '.' && hash !== '..',
  );
  const urls = ['/api/v1/keys', '/api/v1/key', ...hashes.map((hash) => `/api/v1/keys/${hash}`)];
  /** The rule's own pattern, tried on every URL. */
  const meets = (path: string): boolean => {
    const faults = new FaultRegistry();
    faults.add({ match: { path }, status: 500 });
    return urls.some((url) => faults.take({ method: 'GET', path: url }) !== undefined);
  };
  /** The same pattern, built by hand for a path add() refuses. */
  const naivePattern = (path: string): RegExp => {
    const full = path.startsWith('/api/v1') ? path : `/api/v1${path}`;
    const source = full.split(/(\*\*|\*)/).map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]+' : part.replace(/\./g, '\\.')));
    return new RegExp(`^${source.join('')}/?$`);
  };
  const pathArb = fc
    .tuple(fc.boolean(), fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 4 }))
    .map(([full, segments]) => `${full ? '/api/v1' : ''}/${segments.join('/')}`);

  it('accepted paths match some routed URL; refused ones match none', () => {
    fc.assert(
      fc.property(pathArb, (path) => {
        const refused = unmatchable({ path });
        if (refused) {
          expect(() => new FaultRegistry().add({ match: { path }, status: 500 })).toThrow(ApiError);
          expect(urls.filter((url) => naivePattern(path).test(url)), `${path}: ${refused[1]}`).toEqual([]);
        } else {
          expect(meets(path), path).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
