import { TestScheduler } from 'rxjs/testing';

/**
 * A TestScheduler driven by hand. openClientSession returns a promise, and
 * TestScheduler.run() flushes before any promise settles, so endpoint specs
 * advance virtual time step by step instead: nothing here waits on a real clock.
 */
export class VirtualTime {
  readonly scheduler = new TestScheduler((actual, expected) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error('marble mismatch');
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

  /** Advances in `step` ms increments until `done()` holds or `limit` ms have passed; returns whether it held. */
  runUntil(done: () => boolean, limit: number, step = 1): boolean {
    const end = this.now + limit;
    while (!done()) {
      if (this.now >= end) return false;
      this.advanceTo(Math.min(end, this.now + step));
    }
    return true;
  }
}
