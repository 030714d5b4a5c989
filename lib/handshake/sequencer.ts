import type { HandshakeBudget } from './handshake-budget.js';
import type { HandshakeMessage } from './handshake-message.js';

/** What the sequencer makes of one message, with the epoch of the record it arrived in. */
export type SequencedMessage =
  | {
      /** The next message in order: process it. */
      readonly kind: 'next';
      /** The epoch of the record it arrived in. */
      readonly epoch: number;
      /** The message. */
      readonly message: HandshakeMessage;
    }
  | {
      /** A message already processed: the peer is retransmitting, so our last flight may be lost (RFC 6347 §4.2.4). */
      readonly kind: 'stale';
      /** The epoch of the record it arrived in. */
      readonly epoch: number;
      /** The message. */
      readonly message: HandshakeMessage;
    };

/**
 * Delivers handshake messages in message_seq order (RFC 6347 §4.2.2): messages
 * ahead of the next expected one wait in a bounded buffer, old ones are reported
 * as stale so that the flight state machine can retransmit.
 */
export class Sequencer {
  /** Messages ahead of their turn, each a copy (its body may have been a view into a whole datagram). */
  private readonly future = new Map<number, { readonly epoch: number; readonly message: HandshakeMessage }>();

  constructor(
    private nextSeq = 0,
    private readonly maxFutureMessages = 16,
    /** The handshake's byte budget, charged for the bodies of messages held for later. */
    private readonly budget?: HandshakeBudget,
  ) {}

  /** The message_seq the next message to deliver must have. */
  get expected(): number {
    return this.nextSeq;
  }

  /** Used when a stateless cookie exchange already consumed message_seq values. */
  expect(messageSeq: number): void {
    this.nextSeq = messageSeq;
    for (const [seq, { message }] of this.future) if (seq < messageSeq) this.forget(seq, message);
  }

  private forget(seq: number, message: HandshakeMessage): void {
    this.future.delete(seq);
    this.budget?.release(message.body.length);
  }

  /** Takes one message and returns what can be delivered now, in order (RFC 6347 §4.2.2): none, it, or it and those held after it. */
  push(message: HandshakeMessage, epoch = 0): SequencedMessage[] {
    const seq = message.messageSeq;
    if (seq < this.nextSeq) return [{ kind: 'stale', epoch, message }];
    if (seq > this.nextSeq) {
      // RFC 6347 §4.2.2: future messages may be buffered or discarded; keep a window of them.
      const inWindow = seq - this.nextSeq <= this.maxFutureMessages && !this.future.has(seq);
      if (inWindow && (this.budget?.charge(message.body.length) ?? true)) {
        this.future.set(seq, { epoch, message: { ...message, body: message.body.slice() } });
      }
      return [];
    }
    const ready: SequencedMessage[] = [{ kind: 'next', epoch, message }];
    this.nextSeq++;
    for (let queued = this.future.get(this.nextSeq); queued; queued = this.future.get(this.nextSeq)) {
      this.forget(this.nextSeq, queued.message);
      ready.push({ kind: 'next', ...queued });
      this.nextSeq++;
    }
    return ready;
  }
}
