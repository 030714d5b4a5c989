import { TestScheduler } from 'rxjs/testing';

/**
 * A TestScheduler driven by hand, so retransmission timers, handshake timeouts,
 * idle eviction and cookie rotation run in virtual time. An error thrown by a
 * scheduled action would surface from flush(): `advanceTo` lets it propagate, so
 * the caller can count it as an escape.
 */
export class VirtualClock {
  readonly scheduler = new TestScheduler(() => {
    throw new Error('VirtualClock is not for marble assertions');
  });

  get now(): number {
    return this.scheduler.now();
  }

  /** Runs every action due up to and including `time`, then sets the clock to `time`. */
  advanceTo(time: number): void {
    if (time < this.now) throw new RangeError(`cannot go back from ${this.now} to ${time}`);
    this.scheduler.maxFrames = time;
    this.scheduler.flush();
    this.scheduler.frame = time;
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.now + ms);
  }

  /** Steps `step` ms at a time until `done()` or `limit` ms have passed; returns whether `done()` held. */
  runUntil(done: () => boolean, limit: number, step = 1): boolean {
    const end = this.now + limit;
    while (!done()) {
      if (this.now >= end) return false;
      this.advanceTo(Math.min(end, this.now + step));
    }
    return true;
  }
}
