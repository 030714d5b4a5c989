import type { HandshakeBudget } from '../handshake/handshake-budget.js';
import { Reassembler } from '../handshake/reassembler.js';
import { Sequencer } from '../handshake/sequencer.js';
import type { SessionOptions } from './session-options.js';

/**
 * The peer's handshake messages as both drivers (1.2 and 1.3) take them in: fragments put
 * back together by a Reassembler, messages released in message_seq order by a Sequencer,
 * and where the peer's flights begin, so that a copy of the flight our last one answered
 * is seen for what it is: ours was lost (RFC 6347 §4.2.4, RFC 9147 §5.8).
 */
export class PeerFlights {
  readonly sequencer: Sequencer;
  readonly reassembler: Reassembler;
  /** The first message_seq of the peer's flight we are waiting for. */
  private start: number;
  /**
   * The first message_seq of the peer's previous flight: the one our last flight answered.
   * Only that one message triggers a resend, so a flight spread over several datagrams draws
   * one resend, not one per datagram. Undefined while our last flight answered nothing (the
   * client's first ClientHello): a copy of a message of the flight still arriving is no sign
   * of loss.
   */
  private previousStart?: number;

  constructor(
    firstReceiveSeq: number,
    role: 'client' | 'server',
    options: Pick<SessionOptions, 'maxHandshakeBufferBytes' | 'maxFutureHandshakeMessages'>,
    budget: HandshakeBudget,
    onDropped: () => void,
  ) {
    // Half of the budget at most for messages being reassembled: the largest message accepted.
    const half = options.maxHandshakeBufferBytes / 2;
    this.sequencer = new Sequencer(firstReceiveSeq, options.maxFutureHandshakeMessages, budget);
    this.reassembler = new Reassembler({
      maxBufferedBytes: half,
      maxMessageLength: half,
      // From the peer's previous flight (whose retransmission tells us ours was lost) up to the sequencer's window.
      window: () => ({ min: this.oldestWanted, max: this.sequencer.expected + options.maxFutureHandshakeMessages }),
      onDropped,
      budget,
    });
    // A server's first flight answers the ClientHello that passed the cookie gate.
    this.start = role === 'server' ? firstReceiveSeq - 1 : 0;
  }

  /** Whether `messageSeq` (a stale message) begins the peer's flight our last flight answered: ours was lost. */
  repeatsAnsweredFlight(messageSeq: number): boolean {
    return messageSeq === this.previousStart;
  }

  /** We sent a flight: it answers the peer's current one only if some of it arrived; older fragments will never be needed. */
  answered(): void {
    this.previousStart = this.sequencer.expected > this.start ? this.start : undefined;
    this.start = this.sequencer.expected;
    this.reassembler.discardBelow(this.oldestWanted);
  }

  /** The handshake is over: nothing more is held or taken. */
  close(): void {
    this.sequencer.expect(Number.POSITIVE_INFINITY);
    this.reassembler.discardBelow(Number.POSITIVE_INFINITY);
  }

  private get oldestWanted(): number {
    return this.previousStart ?? this.start;
  }
}
