import type { PeerAddress } from '../transport/datagram.js';

/**
 * Where a session's peer is, and whether we may send there freely (RFC 9146 §6).
 *
 * The address moves only when a record that authenticates, and is newer than any
 * record before it, arrives from somewhere else: a replayed or older record, or a forged
 * one, moves nothing. RFC 9146 §6 also asks for a way to make sure the new address can
 * receive, and mandates none (DTLS 1.2 has no return-routability check). Until a new
 * address is proven we send it no more bytes than authenticated datagrams brought from
 * it, so an on-path attacker who reflects a captured record from a victim's address gets
 * no amplification. It counts as proven when another authenticated datagram comes from
 * it after we sent there: the peer keeps talking from where our bytes went.
 */
export class PeerPath {
  private current: PeerAddress;
  /** Set while the current address is unproven: bytes we may still send it, and whether we sent any. */
  private unproven?: { credit: number; sent: boolean };

  constructor(address: PeerAddress) {
    this.current = address;
  }

  /** Where the peer is now. */
  get address(): PeerAddress {
    return this.current;
  }

  /** Whether the current address still waits for its proof. */
  get proven(): boolean {
    return this.unproven === undefined;
  }

  /**
   * An authenticated datagram of `bytes` came from `from`; `newest` tells whether it
   * carried the newest record so far. Returns the address left behind when the peer moved.
   */
  heard(from: PeerAddress, bytes: number, newest: boolean): PeerAddress | undefined {
    const { unproven } = this;
    if (from.port === this.current.port && from.address === this.current.address) {
      if (unproven === undefined) return undefined;
      if (unproven.sent) this.unproven = undefined;
      else unproven.credit += bytes;
      return undefined;
    }
    if (!newest) return undefined;
    const previous = this.current;
    this.current = from;
    this.unproven = { credit: bytes, sent: false };
    return previous;
  }

  /** Takes `bytes` from the unproven address's credit; false when they would exceed it (the datagram is not sent). */
  maySend(bytes: number): boolean {
    const { unproven } = this;
    if (unproven === undefined) return true;
    if (bytes > unproven.credit) return false;
    unproven.credit -= bytes;
    unproven.sent = true;
    return true;
  }
}
