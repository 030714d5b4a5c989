import type { OperatorFunction } from 'rxjs';
import type { HandshakeMessage } from '../handshake/handshake-message.js';
import { Reassembler, type ReassemblerOptions } from '../handshake/reassembler.js';
import type { EpochFragment } from './decode-handshake.js';
import { operate } from './operate.js';

/** A whole handshake message and the epoch it arrived in. */
export interface EpochMessage {
  /** The epoch its fragments came in. */
  readonly epoch: number;
  /** The whole message. */
  readonly message: HandshakeMessage;
}

/**
 * Fragments in, whole handshake messages out (RFC 6347 §4.2.3), whatever the
 * order, overlap or duplication of the fragments. Given options, each
 * subscription gets its own bounded buffer; given a Reassembler, the caller keeps
 * a handle on it (a session drops leftovers of messages it has moved past).
 *
 * @example
 * const messages$ = fragments$.pipe(reassemble({ maxBufferedBytes: 32_768, maxMessageLength: 32_768 }));
 */
export function reassemble(options: ReassemblerOptions | Reassembler): OperatorFunction<EpochFragment, EpochMessage> {
  return operate((subscriber) => {
    const reassembler = options instanceof Reassembler ? options : new Reassembler(options);
    return {
      next({ epoch, fragment }) {
        const message = reassembler.add(fragment);
        if (message) subscriber.next({ epoch, message });
      },
    };
  });
}
