import { isSequenceNumber } from './sequence-number.js';

/** Largest window accepted: 8 KiB of bitmap per epoch keeps per-session memory bounded. */
export const MAX_REPLAY_WINDOW_SIZE = 65536;

/** Windows up to this size keep their bitmap in two 32-bit numbers instead of an array. */
const SMALL_WINDOW = 64;

/**
 * RFC 6347 §4.1.2.6 anti-replay window for one epoch of one peer.
 *
 * The right edge is the highest sequence number that authenticated; a record
 * left of the window (older than `size` numbers behind it) is rejected, and
 * one inside it is rejected if already seen.
 *
 * Every established session keeps one of these for as long as it lives, so the
 * default window (64, RFC 6347 §4.1.2.6's suggested minimum) and smaller ones keep
 * their bitmap in two numbers, bit k meaning "right edge - k seen", shifted as the
 * edge moves. Larger windows use a ring of 32-bit words indexed by
 * `sequence number mod capacity`, so sliding the window clears the bits it passes
 * over instead of shifting the whole bitmap (the approach of RFC 6479).
 */
export class ReplayWindow {
  readonly size: number;
  /** Highest sequence number marked seen, or -1 before the first one. */
  private right = -1;
  /** Small windows: bits 0..31 (right edge - 0..31) and 32..63 of the bitmap. */
  private low = 0;
  private high = 0;
  /** Large windows: the ring; undefined for small ones. */
  private readonly ring: Uint32Array | undefined;

  constructor(size = 64) {
    if (!Number.isInteger(size) || size < 1 || size > MAX_REPLAY_WINDOW_SIZE) {
      throw new RangeError(`replay window size must be an integer in 1..${MAX_REPLAY_WINDOW_SIZE}, got ${size}`);
    }
    this.size = size;
    this.ring = size > SMALL_WINDOW ? new Uint32Array(Math.ceil(size / 32)) : undefined;
  }

  /** The highest sequence number marked seen, or -1 before the first (DTLS 1.3 reconstructs sequence numbers around it, RFC 9147 §4.2.2). */
  get rightEdge(): number {
    return this.right;
  }

  /** True when `seq` has not been seen and is not left of the window. Anything that is not a valid 48-bit sequence number is not fresh. */
  isFresh(seq: number): boolean {
    if (!isSequenceNumber(seq)) return false;
    if (seq > this.right) return true;
    const behind = this.right - seq;
    if (behind >= this.size) return false;
    if (this.ring !== undefined) {
      const i = seq % (this.ring.length * 32);
      return (this.ring[i >>> 5] & (1 << (i & 31))) === 0;
    }
    return ((behind < 32 ? this.low >>> behind : this.high >>> (behind - 32)) & 1) === 0;
  }

  /**
   * Records `seq` as received. Call only after the record authenticated
   * (RFC 6347 §4.1.2.6: the window is updated only for verified records),
   * otherwise a forged sequence number could slide the window and make
   * genuine records look old.
   */
  markSeen(seq: number): void {
    if (!isSequenceNumber(seq)) {
      throw new RangeError(`sequence number out of range: ${seq}`);
    }
    if (seq > this.right) {
      if (this.ring !== undefined) this.advanceRing(seq);
      else this.shift(seq - this.right);
      this.right = seq;
    } else if (this.right - seq >= this.size) {
      return; // already left of the window: nothing to remember
    }
    if (this.ring !== undefined) {
      const i = seq % (this.ring.length * 32);
      this.ring[i >>> 5] |= 1 << (i & 31);
    } else {
      const behind = this.right - seq;
      if (behind < 32) this.low |= 1 << behind;
      else this.high |= 1 << (behind - 32);
    }
  }

  /** Small windows: moves every bit `distance` places further from the right edge. */
  private shift(distance: number): void {
    if (distance >= 64) {
      this.low = 0;
      this.high = 0;
    } else if (distance >= 32) {
      this.high = this.low << (distance - 32);
      this.low = 0;
    } else {
      this.high = (this.high << distance) | (this.low >>> (32 - distance));
      this.low <<= distance;
    }
  }

  /** Large windows: clears the ring slots of the numbers the right edge slides over to reach `seq`. */
  private advanceRing(seq: number): void {
    const ring = this.ring!;
    const capacity = ring.length * 32;
    if (seq - this.right >= capacity) {
      ring.fill(0);
      return;
    }
    for (let s = this.right + 1; s <= seq; s++) {
      const i = s % capacity;
      ring[i >>> 5] &= ~(1 << (i & 31));
    }
  }
}
