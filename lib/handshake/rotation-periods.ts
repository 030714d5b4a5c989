/**
 * Periods of `period` ms on a clock, counted from `origin`, for secrets that rotate on use
 * rather than on a timer: each use asks which periods began since the last one, and the
 * secret rotates through those. An idle server therefore runs no timer for them.
 */
export class RotationPeriods {
  private done: number;

  constructor(
    private readonly period: number,
    private readonly now: () => number,
    private readonly origin: number,
  ) {
    this.done = this.index();
  }

  /** The period the clock is in now: 0 from `origin` for `period` ms, then 1, and so on. */
  index(): number {
    return Math.floor((this.now() - this.origin) / this.period);
  }

  /**
   * The periods begun since the last call, oldest first, at most the last two (a secret
   * keeps only the current and the previous one, so older periods would be rotated out at
   * once); none when the clock has not reached a new period (or went back).
   */
  advance(): number[] {
    const now = this.index();
    const begun = now - this.done;
    if (begun <= 0) return [];
    this.done = now;
    return begun === 1 ? [now] : [now - 1, now];
  }
}
