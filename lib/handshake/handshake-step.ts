import type { CipherSuite } from '../crypto/cipher-suites.js';
import type { RecordCipher } from '../record/record-cipher.js';
import type { Flight } from './flight.js';

/** Who the peer proved to be. */
export type PeerIdentity =
  | { readonly kind: 'psk'; readonly identity: Uint8Array }
  | { readonly kind: 'raw-public-key'; readonly spki: Uint8Array }
  | { readonly kind: 'x509'; readonly subject: string; readonly chain: readonly Uint8Array[] }
  | { readonly kind: 'anonymous' };

export interface HandshakeSummary {
  readonly cipherSuite: CipherSuite;
  readonly peer: PeerIdentity;
  readonly extendedMasterSecret: boolean;
  /** For an SSLKEYLOGFILE the user asked for; never logged otherwise. */
  readonly clientRandom: Uint8Array;
  readonly masterSecret: Uint8Array;
}

/** A fatal handshake problem: the alert to send (if any) and what went wrong. */
export interface HandshakeFailure {
  readonly alert: number;
  readonly reason: string;
}

/** What the flight state machine asks the session to do after an input. */
export interface HandshakeStep {
  /** A new flight to send; it replaces the previous one for retransmission. */
  readonly flight?: Flight;
  /** Epoch 1 protection, installed as soon as the keys are known. */
  readonly keys?: { readonly read: RecordCipher; readonly write: RecordCipher; readonly suite: CipherSuite };
  /** Both Finished messages are verified: the session is up. */
  readonly established?: HandshakeSummary;
  readonly failure?: HandshakeFailure;
}

export const NOTHING: HandshakeStep = {};

export function failure(alert: number, reason: string): HandshakeStep {
  return { failure: { alert, reason } };
}

/** A value, or a promise of one (lookups may be synchronous or not). */
export type MaybePromise<T> = T | Promise<T>;
