import type { HandshakeMessage } from './handshake-message.js';

/**
 * One entry of a flight (RFC 6347 §4.2.4): a handshake message or a
 * ChangeCipherSpec, with the epoch it is sent in. A flight is retransmitted as a
 * whole, each time with fresh record sequence numbers but the same message_seq values.
 */
export type FlightEntry =
  | {
      /** A handshake message. */
      readonly kind: 'handshake';
      /** The epoch it is sent in. */
      readonly epoch: number;
      /** The message. */
      readonly message: HandshakeMessage;
    }
  | {
      /** A ChangeCipherSpec. */
      readonly kind: 'change_cipher_spec';
      /** The epoch it is sent in (the one before the change). */
      readonly epoch: number;
    };

/** The messages one side sends before it waits for the other (RFC 6347 §4.2.4). */
export interface Flight {
  /** RFC 6347 §4.2.4 numbering: 1 ClientHello, 2 HelloVerifyRequest, 3 ClientHello+cookie, 4 server hello flight, 5 client key flight, 6 server Finished. */
  readonly number: number;
  /** Its messages, in order. */
  readonly entries: readonly FlightEntry[];
  /**
   * The final flight of a handshake is not retransmitted on a timer; it is resent
   * only when the peer retransmits its own last flight (RFC 6347 §4.2.4).
   */
  readonly final: boolean;
}
