import type { HandshakeFragment } from '../wire/handshake-header.js';
import { HandshakeType } from '../wire/constants.js';
import { HandshakeBytePool } from './handshake-byte-pool.js';
import type { HandshakeBudget } from './handshake-budget.js';
import type { HandshakeMessage } from './handshake-message.js';
import { Reassembler } from './reassembler.js';

/** What one peer's partial ClientHello costs beyond its bytes (its map entry, reassembler, budget), charged with them. */
export const PARTIAL_HELLO_OVERHEAD = 256;

/** The bounds of the pre-cookie reassembly. */
export interface ClientHelloFragmentsOptions {
  /** Most bytes all partial ClientHellos hold together, overhead included: the server-wide bound before any cookie. */
  readonly maxBytes: number;
  /** Largest ClientHello reassembled (a post-quantum key share or a long PSK identity list runs to a few kilobytes). */
  readonly maxHelloLength: number;
  /** Highest message_seq taken for a first ClientHello. */
  readonly maxMessageSeq: number;
}

interface PartialHello {
  readonly reassembler: Reassembler;
  readonly budget: HandshakeBudget;
}

/**
 * ClientHellos that came in fragments before their cookie (RFC 9147 §5.1: a 1.3 ClientHello
 * with a post-quantum share or a certificate-heavy extension list can exceed an MTU). This
 * is state before the return-routability check, so it is bounded for the whole server, not
 * per peer: all partial hellos hold at most `maxBytes` (each is charged its full length
 * and its overhead when its first fragment arrives), and a new one that does not fit
 * evicts the oldest. A flood of first fragments from spoofed addresses therefore costs a
 * constant amount of memory; what it costs is legitimate fragmented hellos evicted before
 * their last fragment, which their retransmission brings again. Hellos that fit one
 * record never come here.
 */
export class ClientHelloFragments {
  private readonly pool: HandshakeBytePool;
  private readonly partials = new Map<string, PartialHello>();

  constructor(private readonly options: ClientHelloFragmentsOptions) {
    this.pool = new HandshakeBytePool(options.maxBytes);
  }

  /** Bytes held now, overhead included (at most maxBytes). */
  get heldBytes(): number {
    return this.pool.held;
  }

  /** Peers with a partial ClientHello now. */
  get partialHellos(): number {
    return this.partials.size;
  }

  /**
   * Adds a ClientHello fragment from `peer`; the whole message (a fresh copy) when it is
   * complete, undefined while it is not or when the fragment is dropped (not a ClientHello,
   * too long, contradicting, or no room even after eviction).
   */
  add(peer: string, fragment: HandshakeFragment): HandshakeMessage | undefined {
    const { maxHelloLength, maxMessageSeq } = this.options;
    if (fragment.msgType !== HandshakeType.client_hello || fragment.length > maxHelloLength || fragment.messageSeq > maxMessageSeq) return undefined;
    let partial = this.partials.get(peer);
    if (partial === undefined) {
      const budget = this.pool.join(maxHelloLength + PARTIAL_HELLO_OVERHEAD, () => this.forget(peer));
      if (!budget.charge(PARTIAL_HELLO_OVERHEAD)) {
        budget.close();
        return undefined;
      }
      const reassembler = new Reassembler({
        maxBufferedBytes: maxHelloLength,
        maxMessageLength: maxHelloLength,
        window: () => ({ min: 0, max: maxMessageSeq }),
        budget,
      });
      partial = { reassembler, budget };
      this.partials.set(peer, partial);
    }
    const message = partial.reassembler.add(fragment);
    // Nothing held for it (its first fragment found no room): the peer's entry goes too.
    if (message !== undefined || partial.budget.held <= PARTIAL_HELLO_OVERHEAD) this.forget(peer);
    return message;
  }

  private forget(peer: string): void {
    const partial = this.partials.get(peer);
    if (partial === undefined) return;
    this.partials.delete(peer);
    partial.budget.close();
  }
}
