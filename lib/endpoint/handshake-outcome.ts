import type { DtlsError } from '../dtls-error.js';
import type { ClientHandshake } from '../handshake/client-handshake.js';
import type { Flight } from '../handshake/flight.js';
import type { HandshakeSummary, HandshakeSummary13 } from '../handshake/handshake-step.js';
import type { PlainRecord } from '../record/read-epochs.js';
import type { SessionEvent } from './session-event.js';

/** One thing the handshake driver asks its session to do, in the order it happened. */
export type HandshakeEffect =
  | {
      /** A datagram for the peer: a flight of ours, sent or resent. */
      readonly kind: 'send';
      readonly datagram: Uint8Array;
    }
  | {
      /** An event for `events$`: a flight sent or retransmitted. */
      readonly kind: 'event';
      readonly event: SessionEvent;
    }
  | {
      /** A record that is not the handshake's (an alert, application data), or any record once established. */
      readonly kind: 'record';
      readonly record: PlainRecord;
    }
  | {
      /** Both Finished verified. `finalFlight` is our last flight if it was the handshake's, which we must still resend when asked (RFC 6347 §4.2.4). */
      readonly kind: 'established';
      readonly summary: HandshakeSummary;
      readonly finalFlight?: Flight;
    }
  | {
      /** DTLS 1.3: both Finished verified (and, for a client, its Finished acknowledged). */
      readonly kind: 'established13';
      readonly summary: HandshakeSummary13;
    }
  | {
      /**
       * A client that offered DTLS 1.3 and 1.2 heard a 1.2 server (the driver has stopped):
       * `handshake` goes on in a 1.2 driver, reading `datagram`, the one that answered, again.
       */
      readonly kind: 'fallback12';
      readonly handshake: ClientHandshake;
      readonly datagram: Uint8Array;
    }
  | {
      /** The handshake failed (the driver has stopped): send `alert` as fatal, if given, then end with `error`. */
      readonly kind: 'failed';
      readonly error: DtlsError;
      readonly alert?: number;
    };

/**
 * What one call into the handshake driver (a datagram, the start, a timer, an async step
 * settling) came to. The driver never calls into its session: the session acts on this
 * value once the call has returned, and stops acting when an effect ends the session.
 */
export interface HandshakeOutcome {
  /** Whether a record from the peer decoded and, if protected, authenticated. */
  readonly heard: boolean;
  /** Records dropped: malformed, unauthenticated, replayed, out of place or over budget. */
  readonly dropped: number;
  readonly effects: readonly HandshakeEffect[];
}
