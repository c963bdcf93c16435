/** Where the domain reads the time from. Injected: the domain never calls `Date.now()` itself. */
export interface Clock {
  now(): number;
}

/**
 * A clock that starts at a chosen instant and then runs forward with real time; it can be set or
 * moved forward by the test-control plane without touching the machine's clock.
 */
export class VirtualClock implements Clock {
  private virtualAnchor: number;
  private realAnchor: number;
  private stopped = false;

  constructor(
    private readonly realNow: () => number,
    start?: number,
  ) {
    this.realAnchor = realNow();
    this.virtualAnchor = start ?? this.realAnchor;
  }

  now(): number {
    return this.stopped ? this.virtualAnchor : this.virtualAnchor + (this.realNow() - this.realAnchor);
  }

  /** Whether the clock stands still (tests that assert exact timestamps freeze it). */
  get frozen(): boolean {
    return this.stopped;
  }

  set(instant: number): void {
    this.realAnchor = this.realNow();
    this.virtualAnchor = instant;
  }

  advance(ms: number): void {
    this.set(this.now() + ms);
  }

  /** Stops (true) or restarts (false) the clock at the current instant. */
  freeze(frozen: boolean): void {
    const now = this.now();
    this.stopped = frozen;
    this.set(now);
  }
}
