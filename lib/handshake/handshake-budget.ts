import type { HandshakeBytePool } from './handshake-byte-pool.js';

/**
 * The bytes from the network one handshake holds, all under one limit
 * (`maxHandshakeBufferBytes`): messages being reassembled, messages held until
 * their turn, records held until their epoch's keys, inputs queued behind an async
 * step, the ClientHello a server keeps and the transcript. Whatever holds bytes
 * charges them here first and drops them when the charge is refused; what it holds
 * is a copy of exactly those bytes, never a view that keeps a whole datagram alive.
 * With a pool, the handshakes of one endpoint share a limit as well.
 */
export class HandshakeBudget {
  private bytes = 0;
  private closed = false;

  constructor(
    /** The most bytes this handshake may hold. */
    readonly limit: number,
    private readonly pool?: HandshakeBytePool,
  ) {}

  /** Bytes held now. */
  get held(): number {
    return this.bytes;
  }

  /** Takes `bytes` from the budget; false, and nothing taken, when the handshake (or the pool) has no room for them. */
  charge(bytes: number): boolean {
    if (this.closed || this.bytes + bytes > this.limit) return false;
    if (this.pool && !this.pool.take(this, bytes)) return false;
    if (this.closed) {
      // Ended while the pool made room (an eviction's listener closed the whole server, say).
      this.pool?.give(bytes);
      return false;
    }
    this.bytes += bytes;
    return true;
  }

  /** Gives back bytes no longer held. */
  release(bytes: number): void {
    const released = Math.min(bytes, this.bytes);
    this.bytes -= released;
    this.pool?.give(released);
  }

  /** The handshake is over: everything it held is given back, and nothing more can be charged. */
  close(): void {
    if (this.closed) return;
    this.release(this.bytes);
    this.closed = true;
    this.pool?.leave(this);
  }
}
