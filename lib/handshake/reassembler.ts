import type { HandshakeFragment } from '../wire/handshake-header.js';
import type { HandshakeBudget } from './handshake-budget.js';
import type { HandshakeMessage } from './handshake-message.js';

/** The bounds a reassembler keeps to (RFC 6347 §4.2.3 leaves them to the implementation). */
export interface ReassemblerOptions {
  /** Most bytes of incomplete messages held at once; a fragment that would exceed it is dropped. */
  readonly maxBufferedBytes: number;
  /** Largest handshake message accepted (the 24-bit length field allows 16 MiB). */
  readonly maxMessageLength: number;
  /**
   * The message_seq values worth buffering fragments for (the sequencer's window).
   * Fragments of other messages reserve nothing; whole messages still pass.
   */
  readonly window?: () => {
    /** The lowest message_seq worth buffering. */
    readonly min: number;
    /** The highest. */
    readonly max: number;
  };
  /** Told of each fragment dropped: too long, outside the window, over the budget, contradicting, too scattered. */
  readonly onDropped?: () => void;
  /** The handshake's byte budget, charged for each partial message's buffer as well. */
  readonly budget?: HandshakeBudget;
}

/**
 * Most separate byte ranges kept per message. Real peers send a few large fragments;
 * thousands of tiny disjoint ones would only cost CPU (each fragment merges in O(ranges)).
 */
const MAX_RANGES = 32;

interface Partial {
  readonly msgType: number;
  readonly body: Uint8Array;
  /** Byte ranges received so far, as sorted disjoint [start, end) pairs. */
  ranges: Array<[number, number]>;
}

/**
 * Rebuilds handshake messages from fragments that may arrive out of order,
 * overlapping or duplicated (RFC 6347 §4.2.3). Fragments are keyed by message_seq;
 * a fragment that contradicts an earlier one of the same message (type or total
 * length) is discarded. Memory is bounded by `maxBufferedBytes`.
 */
export class Reassembler {
  private readonly partials = new Map<number, Partial>();
  private buffered = 0;

  constructor(private readonly options: ReassemblerOptions) {}

  /** Bytes currently held for incomplete messages. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Adds a fragment; returns the message when it is complete. */
  add(fragment: HandshakeFragment): HandshakeMessage | undefined {
    const { msgType, length, messageSeq, fragmentOffset, fragmentLength } = fragment;
    if (length > this.options.maxMessageLength) return this.drop();
    if (fragmentOffset === 0 && fragmentLength === length && !this.partials.has(messageSeq)) {
      return { msgType, messageSeq, body: fragment.body };
    }
    let partial = this.partials.get(messageSeq);
    if (partial === undefined) {
      const window = this.options.window?.();
      if (window && (messageSeq < window.min || messageSeq > window.max)) return this.drop();
      if (this.buffered + length > this.options.maxBufferedBytes) return this.drop();
      if (this.options.budget && !this.options.budget.charge(length)) return this.drop();
      partial = { msgType, body: new Uint8Array(length), ranges: [] };
      this.partials.set(messageSeq, partial);
      this.buffered += length;
    } else if (partial.msgType !== msgType || partial.body.length !== length) {
      return this.drop();
    }
    const ranges = mergeRange(partial.ranges, fragmentOffset, fragmentOffset + fragmentLength);
    if (ranges.length > MAX_RANGES) return this.drop();
    partial.body.set(fragment.body.subarray(0, fragmentLength), fragmentOffset);
    partial.ranges = ranges;
    const [first] = partial.ranges;
    if (length === 0 || (partial.ranges.length === 1 && first[0] === 0 && first[1] === length)) {
      this.forget(messageSeq, partial);
      return { msgType, messageSeq, body: partial.body };
    }
    return undefined;
  }

  private drop(): undefined {
    this.options.onDropped?.();
    return undefined;
  }

  /** Forgets incomplete messages below `messageSeq` (they were delivered by another copy). */
  discardBelow(messageSeq: number): void {
    for (const [seq, partial] of this.partials) {
      if (seq < messageSeq) this.forget(seq, partial);
    }
  }

  private forget(messageSeq: number, partial: Partial): void {
    this.partials.delete(messageSeq);
    this.buffered -= partial.body.length;
    this.options.budget?.release(partial.body.length);
  }
}

function mergeRange(ranges: Array<[number, number]>, start: number, end: number): Array<[number, number]> {
  if (end <= start) return ranges;
  const merged: Array<[number, number]> = [];
  let placed = false;
  for (const range of ranges) {
    if (range[1] < start) merged.push(range);
    else if (range[0] > end) {
      if (!placed) merged.push([start, end]);
      placed = true;
      merged.push(range);
    } else {
      start = Math.min(start, range[0]);
      end = Math.max(end, range[1]);
    }
  }
  if (!placed) merged.push([start, end]);
  return merged;
}
