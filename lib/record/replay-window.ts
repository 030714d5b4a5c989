import { isSequenceNumber } from './sequence-number.js';

/** Largest window accepted: 8 KiB of bitmap per epoch keeps per-session memory bounded. */
export const MAX_REPLAY_WINDOW_SIZE = 65536;

/**
 * RFC 6347 §4.1.2.6 anti-replay window for one epoch of one peer.
 *
 * The right edge is the highest sequence number that authenticated; a record
 * left of the window (older than `size` numbers behind it) is rejected, and
 * one inside it is rejected if already seen. The bitmap is a ring of 32-bit
 * words indexed by `sequence number mod capacity`, so sliding the window
 * clears the bits it passes over instead of shifting the whole bitmap
 * (the approach of RFC 6479).
 */
export class ReplayWindow {
  readonly size: number;
  private readonly bits: Uint32Array;
  /** Number of bits in the ring: `size` rounded up to whole words. */
  private readonly capacity: number;
  /** Highest sequence number marked seen, or -1 before the first one. */
  private right = -1;

  constructor(size = 64) {
    if (!Number.isInteger(size) || size < 1 || size > MAX_REPLAY_WINDOW_SIZE) {
      throw new RangeError(`replay window size must be an integer in 1..${MAX_REPLAY_WINDOW_SIZE}, got ${size}`);
    }
    this.size = size;
    this.bits = new Uint32Array(Math.ceil(size / 32));
    this.capacity = this.bits.length * 32;
  }

  /** True when `seq` has not been seen and is not left of the window. Anything that is not a valid 48-bit sequence number is not fresh. */
  isFresh(seq: number): boolean {
    if (!isSequenceNumber(seq)) return false;
    if (seq > this.right) return true;
    if (this.right - seq >= this.size) return false;
    return !this.testBit(seq);
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
      this.advanceTo(seq);
    } else if (this.right - seq >= this.size) {
      return; // already left of the window: nothing to remember
    }
    this.setBit(seq);
  }

  /** Moves the right edge to `seq`, forgetting the bits of the numbers it slides over. */
  private advanceTo(seq: number): void {
    const distance = seq - this.right;
    if (distance >= this.capacity) {
      this.bits.fill(0);
    } else {
      for (let s = this.right + 1; s <= seq; s++) this.clearBit(s);
    }
    this.right = seq;
  }

  private testBit(seq: number): boolean {
    const i = seq % this.capacity;
    return (this.bits[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  private setBit(seq: number): void {
    const i = seq % this.capacity;
    this.bits[i >>> 5] |= 1 << (i & 31);
  }

  private clearBit(seq: number): void {
    const i = seq % this.capacity;
    this.bits[i >>> 5] &= ~(1 << (i & 31));
  }
}
