import type { HandshakeMessage } from './handshake-message.js';

/**
 * One entry of a flight (RFC 6347 §4.2.4): a handshake message or a
 * ChangeCipherSpec, with the epoch it is sent in. A flight is retransmitted as a
 * whole, each time with fresh record sequence numbers but the same message_seq values.
 */
export type FlightEntry =
  | { readonly kind: 'handshake'; readonly epoch: number; readonly message: HandshakeMessage }
  | { readonly kind: 'change_cipher_spec'; readonly epoch: number };

export interface Flight {
  /** RFC 6347 §4.2.4 numbering: 1 ClientHello, 2 HelloVerifyRequest, 3 ClientHello+cookie, 4 server hello flight, 5 client key flight, 6 server Finished. */
  readonly number: number;
  readonly entries: readonly FlightEntry[];
  /**
   * The final flight of a handshake is not retransmitted on a timer; it is resent
   * only when the peer retransmits its own last flight (RFC 6347 §4.2.4).
   */
  readonly final: boolean;
}
