import { describe, expect, it } from 'vitest';
import { MockEvents, type MockEvent } from '../../src/domain/events.js';
import { FaultRegistry } from '../../src/domain/faults.js';
import { API_ROUTES } from '../../src/http/api-operations.js';
import { RequestJournal } from '../../src/domain/journal.js';

describe('MockEvents', () => {
  it('tells each listener only the types it asked for, until it stops', () => {
    const events = new MockEvents();
    const seen: MockEvent[] = [];
    expect(events.listening('faults')).toBe(false);
    const stop = events.on((event) => seen.push(event), ['faults']);
    expect(events.listening('faults')).toBe(true);
    expect(events.listening('request')).toBe(false);
    const faults = new FaultRegistry(API_ROUTES, events);
    const journal = new RequestJournal(10, events);
    const rule = faults.add({ status: 500, times: 2 });
    journal.append(0, 'GET', '/api/v1/keys', undefined, null, 200, 1, null, null);
    faults.take({ method: 'GET', path: '/api/v1/keys' });
    faults.take({ method: 'GET', path: '/api/v1/keys' });
    expect(seen).toEqual([
      { type: 'faults', change: 'added', id: rule.id },
      { type: 'faults', change: 'used', id: rule.id },
      { type: 'faults', change: 'used', id: rule.id },
    ]);
    stop();
    expect(events.listening('faults')).toBe(false);
    faults.add({ status: 500 });
    expect(seen).toHaveLength(3);
  });

  it('a one-shot fault rule that fires is told as used, and stays listed as used up', () => {
    const events = new MockEvents();
    const seen: MockEvent[] = [];
    events.on((event) => seen.push(event), ['faults']);
    const faults = new FaultRegistry(API_ROUTES, events);
    const rule = faults.add({ status: 503, times: 1 });
    expect(faults.take({ method: 'GET', path: '/api/v1/keys' })?.remaining).toBe(0);
    expect(seen).toEqual([
      { type: 'faults', change: 'added', id: rule.id },
      { type: 'faults', change: 'used', id: rule.id },
    ]);
    expect(faults.list()).toMatchObject([{ id: rule.id, remaining: 0, hits: 1, state: 'used_up' }]);
    expect(faults.take({ method: 'GET', path: '/api/v1/keys' })).toBeUndefined();
  });

  it('a listener that throws stops neither the others nor the change', () => {
    const events = new MockEvents();
    const seen: string[] = [];
    events.on(() => {
      throw new Error('broken listener');
    });
    events.on((event) => seen.push(event.type));
    const journal = new RequestJournal(10, events);
    journal.append(0, 'GET', '/api/v1/keys', undefined, null, 200, 1, null, null);
    expect(seen).toEqual(['request']);
    expect(journal.size).toBe(1);
  });

  it('a journal entry told to listeners is the one GET /__mock/requests lists', () => {
    const events = new MockEvents();
    const told: unknown[] = [];
    events.on((event) => event.type === 'request' && told.push(event.entry), ['request']);
    const journal = new RequestJournal(10, events);
    journal.append(Date.parse('2026-01-14T12:00:00Z'), 'PATCH', '/api/v1/keys/abc', { x: '1' }, { name: 'n' }, 200, 1.5, 'acct_1', 'abc');
    expect(told).toEqual(journal.list());
  });
});
