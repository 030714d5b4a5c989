import { Observable, type OperatorFunction } from 'rxjs';
import type { HandshakeMessage } from '../handshake/handshake-message.js';
import type { Sequencer } from '../handshake/sequencer.js';
import type { EpochMessage } from './reassemble.js';

export interface SequencedEpochMessage {
  /** 'next': process it; 'stale': already processed, the peer is retransmitting. */
  readonly kind: 'next' | 'stale';
  readonly epoch: number;
  readonly message: HandshakeMessage;
}

/**
 * Puts handshake messages in message_seq order (RFC 6347 §4.2.2). `sequencer` is
 * passed in because the endpoint sets where a server's sequence starts after a
 * stateless cookie exchange.
 */
export function sequence(sequencer: Sequencer): OperatorFunction<EpochMessage, SequencedEpochMessage> {
  return (source) =>
    new Observable<SequencedEpochMessage>((subscriber) => {
      // Messages held for later keep the epoch they arrived in.
      const epochOf = new WeakMap<HandshakeMessage, number>();
      return source.subscribe({
        next({ epoch, message }) {
          epochOf.set(message, epoch);
          for (const { kind, message: ready } of sequencer.push(message)) {
            subscriber.next({ kind, epoch: epochOf.get(ready) ?? epoch, message: ready });
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
