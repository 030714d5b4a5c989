import { TestScheduler } from 'rxjs/testing';

/**
 * A TestScheduler stepped by hand, for tests that need a promise to settle between
 * two steps (an async PSK lookup, `await established(session)`), which
 * `TestScheduler.run()` cannot give them: it flushes every action before any
 * promise settles. Pass `time.scheduler` as every endpoint's `scheduler`; nothing
 * then waits on a real clock.
 *
 * @example
 * const time = new VirtualTime();
 * const server = createServer({ transport, credentials, scheduler: time.scheduler });
 * time.advanceBy(60_000); // a minute passes, in microseconds of real time
 */
export class VirtualTime {
  /**
   * A scheduler of its own by default; given the one a `TestScheduler.run()` callback
   * runs on, the pair and fleet runners build on that one, and `run()` flushes them.
   */
  constructor(
    /** The scheduler every endpoint on this clock runs on. */
    readonly scheduler: TestScheduler = new TestScheduler((actual, expected) => {
      if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error('marble mismatch');
    }),
  ) {}

  /** The virtual time in ms. */
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

  /** Runs every action due in the next `ms` ms, then moves the clock forward by `ms`. */
  advanceBy(ms: number): void {
    this.advanceTo(this.now + ms);
  }

  /** Advances in `step` ms increments until `done()` holds or `limit` ms have passed; returns whether it held. */
  runUntil(done: () => boolean, limit: number, step = 1): boolean {
    const end = this.now + limit;
    while (!done()) {
      if (this.now >= end) return false;
      this.advanceTo(Math.min(end, this.now + step));
    }
    return true;
  }

  /** How many actions are still scheduled: 0 once every timer has stopped. */
  get pending(): number {
    return this.scheduler.actions.length;
  }
}
