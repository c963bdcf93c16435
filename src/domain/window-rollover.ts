import type { MockEvents } from './events.js';
import { nextReset } from './windows.js';

/**
 * Runs `callback` once after `ms` milliseconds, until the returned function cancels it. Injected:
 * the domain has no timers of its own (the runtime passes an unref'd setTimeout, so that a waiting
 * rollover never keeps a process alive).
 */
export type Scheduler = (callback: () => void, ms: number) => () => void;

export interface WindowRolloverDeps {
  clock: { now(): number; readonly frozen: boolean };
  events: MockEvents;
  /** Brings the usage windows up to the clock, telling `keys` `windows` listeners when one rolled over (KeyStore.sync). */
  sync: () => void;
  schedule: Scheduler;
}

/**
 * Tells a rollover of the usage windows when it happens. The store rolls its windows lazily, on
 * the next read, which is right for answers but leaves a listener (an open inspector) showing
 * yesterday's daily usage until some request comes. So while anyone listens for `keys` events, a
 * timer waits for the next window boundary on the virtual clock (midnight UTC: weeks and months
 * start at one too) and brings the windows up to date then. Re-armed (and the windows brought up
 * to date) whenever the clock is set, moved, frozen or unfrozen (its `clock` event); no timer while
 * the clock is frozen (virtual time stands still) or nobody listens.
 */
export class WindowRollover {
  private cancelTimer: (() => void) | undefined;
  private stopClockEvents: (() => void) | undefined;
  private readonly stopWatching: () => void;

  constructor(private readonly deps: WindowRolloverDeps) {
    this.stopWatching = deps.events.watch('keys', (listening) => (listening ? this.start() : this.stop()));
  }

  /** Whether a timer is waiting for the next boundary (for tests). */
  get armed(): boolean {
    return this.cancelTimer !== undefined;
  }

  /** Stops for good (the runtime is done with). */
  dispose(): void {
    this.stopWatching();
    this.stop();
  }

  private start(): void {
    // A clock moved past a boundary by the control plane rolls over at once too.
    this.stopClockEvents ??= this.deps.events.on(() => this.fire(), ['clock']);
    // A boundary may have passed while nobody listened: say it now, to the new listener too.
    this.fire();
  }

  private stop(): void {
    this.stopClockEvents?.();
    this.stopClockEvents = undefined;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** Brings the windows up to date and waits for the next boundary (a waiting timer is cancelled by `arm`). */
  private fire(): void {
    this.deps.sync();
    this.arm();
  }

  private arm(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const { clock, schedule } = this.deps;
    if (clock.frozen) return;
    const now = clock.now();
    // Virtual time runs at the real pace, so the wait is the virtual distance. A timer that fires
    // a little early finds nothing crossed and is re-armed for the rest.
    this.cancelTimer = schedule(() => this.fire(), Math.max(1, nextReset(now) - now));
  }
}
