import type { OperatorFunction } from 'rxjs';
import type { SequencedMessage, Sequencer } from '../handshake/sequencer.js';
import { operate } from './operate.js';
import type { EpochMessage } from './reassemble.js';

/** A message in order ('next': process it) or already processed ('stale': the peer is retransmitting), with the epoch it arrived in. */
export type SequencedEpochMessage = SequencedMessage;

/**
 * Puts handshake messages in message_seq order (RFC 6347 §4.2.2). `sequencer` is
 * passed in because the endpoint sets where a server's sequence starts after a
 * stateless cookie exchange.
 *
 * @example
 * // A server continues after the verified ClientHello's message_seq.
 * const inOrder$ = messages$.pipe(sequence(new Sequencer(handshake.nextReceiveSeq, 16, 32_768)), share());
 * inOrder$.pipe(filter((m) => m.kind === 'next')).subscribe((m) => apply(handshake.onMessage(m.message)));
 * inOrder$.pipe(filter((m) => m.kind === 'stale')).subscribe(() => resendNow.next()); // our flight was lost
 */
export function sequence(sequencer: Sequencer): OperatorFunction<EpochMessage, SequencedEpochMessage> {
  return operate((subscriber) => ({
    next({ epoch, message }) {
      for (const sequenced of sequencer.push(message, epoch)) subscriber.next(sequenced);
    },
  }));
}
