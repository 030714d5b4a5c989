import { HandshakeBudget } from './handshake-budget.js';

/**
 * The bytes all handshakes of one endpoint hold together, under one limit
 * (a server's `maxHandshakeBytesTotal`). When a charge would go over it, the
 * oldest handshakes that hold bytes are evicted until it fits, so many peers that
 * each stay within their own budget cannot add up to more, and a new handshake is
 * not locked out by old ones.
 */
export class HandshakeBytePool {
  /** Each member's budget and how to end its handshake, oldest first (a Map keeps insertion order). */
  private readonly members = new Map<HandshakeBudget, () => void>();
  private bytes = 0;

  constructor(
    /** The most bytes all the endpoint's handshakes may hold together. */
    readonly limit: number,
  ) {}

  /** Bytes all handshakes hold now. */
  get held(): number {
    return this.bytes;
  }

  /** A budget of `limit` bytes for a new handshake; `evict` ends that handshake (and must close the budget). */
  join(limit: number, evict: () => void): HandshakeBudget {
    const budget = new HandshakeBudget(limit, this);
    this.members.set(budget, evict);
    return budget;
  }

  /** Called by a member's charge: makes room by evicting older handshakes, then takes the bytes; false when they cannot fit. */
  take(asking: HandshakeBudget, bytes: number): boolean {
    // Not even evicting every other handshake would make room.
    if (asking.held + bytes > this.limit) return false;
    for (const [budget, evict] of this.members) {
      if (this.bytes + bytes <= this.limit) break;
      if (budget === asking || budget.held === 0) continue;
      evict();
      budget.close();
    }
    if (this.bytes + bytes > this.limit) return false;
    this.bytes += bytes;
    return true;
  }

  /** Called by a member's release. */
  give(bytes: number): void {
    this.bytes -= bytes;
  }

  /** Called by a member's close. */
  leave(budget: HandshakeBudget): void {
    this.members.delete(budget);
  }
}
