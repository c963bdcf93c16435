/**
 * The usage windows' rollover told on time: a timer for the next midnight UTC on the virtual clock
 * while anyone listens for `keys` events, re-armed by clock changes, none while frozen or unheard.
 * A fake scheduler: no waiting.
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { bundledScenarios } from '../../src/data/bundled-fixtures.js';
import { sha256HexPortable } from '../../src/data/portable-hash.js';
import { MockEvents, type MockEvent } from '../../src/domain/events.js';
import { WindowRollover, type Scheduler } from '../../src/domain/window-rollover.js';
import { createRuntime } from '../../src/mock-runtime.js';
import { API_ROUTES } from '../../src/http/api-operations.js';

/** A scheduler that only records: the test fires the timers itself. */
function fakeScheduler() {
  const timers: { callback: () => void; ms: number; cancelled: boolean }[] = [];
  const schedule: Scheduler = (callback, ms) => {
    const timer = { callback, ms, cancelled: false };
    timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  };
  const live = () => timers.filter((t) => !t.cancelled);
  return { schedule, timers, live };
}

const MIDNIGHT = Date.parse('2026-01-16T00:00:00Z');
const DAY = 86_400_000;

function setUp(start: number) {
  const clock = { at: start, frozen: false, now: () => clock.at };
  const events = new MockEvents();
  const scheduler = fakeScheduler();
  let syncs = 0;
  const rollover = new WindowRollover({ clock, events, sync: () => syncs++, schedule: scheduler.schedule });
  return { clock, events, scheduler, rollover, syncs: () => syncs };
}

describe('WindowRollover', () => {
  it('has no timer while nobody listens for keys events', () => {
    const { events, scheduler } = setUp(MIDNIGHT - 300);
    events.on(() => {}, ['request', 'clock']);
    expect(scheduler.timers).toEqual([]);
  });

  it('while someone listens, waits for the next midnight UTC, syncs then, and waits for the next', () => {
    const { clock, events, scheduler, syncs } = setUp(MIDNIGHT - 300);
    const stop = events.on(() => {}, ['keys']);
    expect(syncs()).toBe(1); // a boundary passed while nobody listened would be told at once
    expect(scheduler.live().map((t) => t.ms)).toEqual([300]);
    clock.at = MIDNIGHT;
    scheduler.live()[0]!.callback();
    expect(syncs()).toBe(2);
    expect(scheduler.live().map((t) => t.ms)).toEqual([DAY]);
    stop();
    expect(scheduler.live()).toEqual([]);
  });

  it('a timer that fires early is re-armed for the rest', () => {
    const { clock, events, scheduler } = setUp(MIDNIGHT - 300);
    events.on(() => {}, ['keys']);
    clock.at = MIDNIGHT - 2;
    scheduler.live()[0]!.callback();
    expect(scheduler.live().map((t) => t.ms)).toEqual([2]);
  });

  it('is re-armed when the clock is set, and has no timer while it is frozen', () => {
    const { clock, events, scheduler, syncs } = setUp(MIDNIGHT - 300);
    events.on(() => {}, ['keys']);
    const clockEvent = (): MockEvent => ({ type: 'clock', now: new Date(clock.at).toISOString(), frozen: clock.frozen });
    clock.at = MIDNIGHT + 5 * 3_600_000;
    events.emit(clockEvent());
    expect(syncs()).toBe(2); // a jump past midnight rolls over at once
    expect(scheduler.live().map((t) => t.ms)).toEqual([19 * 3_600_000]);
    clock.frozen = true;
    events.emit(clockEvent());
    expect(scheduler.live()).toEqual([]);
    clock.frozen = false;
    clock.at = MIDNIGHT + DAY - 1000;
    events.emit(clockEvent());
    expect(scheduler.live().map((t) => t.ms)).toEqual([1000]);
  });

  it('in a runtime (every door), a keys listener hears `windows` at midnight with no request', () => {
    let real = 0;
    const scheduler = fakeScheduler();
    const config = resolveConfig({ logLevel: 'silent', now: new Date(MIDNIGHT - 300) });
    const runtime = createRuntime(config, { sha256Hex: sha256HexPortable, scenarios: bundledScenarios, apiRoutes: API_ROUTES, realNow: () => real, schedule: scheduler.schedule });
    const heard: MockEvent[] = [];
    runtime.events.on((event) => heard.push(event), ['keys']);
    expect(heard).toEqual([]);
    expect(scheduler.live().map((t) => t.ms)).toEqual([300]);
    real = 300;
    scheduler.live()[0]!.callback();
    expect(heard).toEqual([{ type: 'keys', change: 'windows', account_id: null, hash: null }]);
  });
});
