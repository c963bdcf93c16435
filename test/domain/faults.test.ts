import { describe, expect, it } from 'vitest';
import { FaultRegistry } from '../../src/domain/faults.js';

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
