import type { HandshakeMessage } from './handshake-message.js';

/** What the sequencer makes of one message. */
export type SequencedMessage =
  /** The next message in order: process it. */
  | { readonly kind: 'next'; readonly message: HandshakeMessage }
  /** A message already processed: the peer is retransmitting, so our last flight may be lost (RFC 6347 §4.2.4). */
  | { readonly kind: 'stale'; readonly message: HandshakeMessage };

/**
 * Delivers handshake messages in message_seq order (RFC 6347 §4.2.2): messages
 * ahead of the next expected one wait in a bounded buffer, old ones are reported
 * as stale so that the flight state machine can retransmit.
 */
export class Sequencer {
  private readonly future = new Map<number, HandshakeMessage>();
  private futureBytes = 0;

  constructor(
    private nextSeq = 0,
    private readonly maxFutureMessages = 16,
    /** Most bytes of message bodies held for later. */
    private readonly maxFutureBytes = Number.POSITIVE_INFINITY,
  ) {}

  get expected(): number {
    return this.nextSeq;
  }

  /** Used when a stateless cookie exchange already consumed message_seq values. */
  expect(messageSeq: number): void {
    this.nextSeq = messageSeq;
    for (const [seq, message] of this.future) if (seq < messageSeq) this.forget(seq, message);
  }

  private forget(seq: number, message: HandshakeMessage): void {
    this.future.delete(seq);
    this.futureBytes -= message.body.length;
  }

  push(message: HandshakeMessage): SequencedMessage[] {
    const seq = message.messageSeq;
    if (seq < this.nextSeq) return [{ kind: 'stale', message }];
    if (seq > this.nextSeq) {
      // RFC 6347 §4.2.2: future messages may be buffered or discarded; keep a window of them.
      const fits = this.futureBytes + message.body.length <= this.maxFutureBytes;
      if (seq - this.nextSeq <= this.maxFutureMessages && fits && !this.future.has(seq)) {
        this.future.set(seq, message);
        this.futureBytes += message.body.length;
      }
      return [];
    }
    const ready: SequencedMessage[] = [{ kind: 'next', message }];
    this.nextSeq++;
    for (let queued = this.future.get(this.nextSeq); queued; queued = this.future.get(this.nextSeq)) {
      this.forget(this.nextSeq, queued);
      ready.push({ kind: 'next', message: queued });
      this.nextSeq++;
    }
    return ready;
  }
}
