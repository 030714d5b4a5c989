import type { NegotiatedConnectionIds } from './connection-id-negotiation.js';
import type { ClientHandshake } from './client-handshake.js';
import type { CipherSuite } from '../crypto/cipher-suites.js';
import type { Tls13CipherSuite } from '../crypto/tls13-cipher-suites.js';
import type { RecordCipher } from '../record/record-cipher.js';
import type { Flight } from './flight.js';
import type { NegotiatedExtensions } from './negotiated-extensions.js';
import type { RecordLimit } from './record-size-negotiation.js';
import type { ResumableSession } from './resumable-session.js';
import type { NegotiatedHeartbeat } from './heartbeat-negotiation.js';
import type { Agreed13 } from './hello-extensions13.js';

/** Who the peer proved to be. */
export type PeerIdentity =
  | {
      /** The peer knew the key of a pre-shared key identity (RFC 4279). */
      readonly kind: 'psk';
      /** The PSK identity it named, as raw bytes. */
      readonly identity: Uint8Array;
    }
  | {
      /** The peer signed with a raw public key (RFC 7250) that was accepted. */
      readonly kind: 'raw-public-key';
      /** The DER SubjectPublicKeyInfo. */
      readonly spki: Uint8Array;
    }
  | {
      /** The peer signed with an X.509 certificate that was accepted. */
      readonly kind: 'x509';
      /** The leaf's subject on one line, e.g. "CN=localhost". */
      readonly subject: string;
      /** The DER certificates as the peer sent them, leaf first. */
      readonly chain: readonly Uint8Array[];
    }
  | {
      /** The peer was not authenticated (a server that did not ask for a client certificate). */
      readonly kind: 'anonymous';
    };

/** What a handshake agreed, reported once both Finished messages are verified. */
export interface HandshakeSummary {
  /** The negotiated cipher suite. */
  readonly cipherSuite: CipherSuite;
  /** Who the peer proved to be. */
  readonly peer: PeerIdentity;
  /** Whether both sides used the extended master secret (RFC 7627). */
  readonly extendedMasterSecret: boolean;
  /** Whether this was an abbreviated handshake resuming an earlier session (RFC 5246 §7.3). */
  readonly resumed: boolean;
  /** The server's: the session ID its cache keeps this session under (empty when it is not cached). */
  readonly sessionId?: Uint8Array;
  /** The client's: the session it may resume later, when the server made it resumable. */
  readonly resumable?: ResumableSession;
  /** The heartbeat extension (RFC 6520), when both sides sent it. */
  readonly heartbeat?: NegotiatedHeartbeat;
  /** For an SSLKEYLOGFILE the user asked for; never logged otherwise. */
  readonly clientRandom: Uint8Array;
  /** The 48-byte master secret (RFC 5246 §8.1); like clientRandom, only for an SSLKEYLOGFILE. */
  readonly masterSecret: Uint8Array;
  /** What ALPN, server_name and the record limits settled. */
  readonly negotiated?: NegotiatedExtensions;
  /** The Connection IDs agreed (RFC 9146), when the peers use them. */
  readonly connectionIds?: NegotiatedConnectionIds;
}

/** What a DTLS 1.3 handshake agreed, reported once both Finished messages are verified (with what its hello extensions agreed). */
export interface HandshakeSummary13 extends Agreed13 {
  /** The negotiated 1.3 cipher suite. */
  readonly cipherSuite: Tls13CipherSuite;
  /** Who the peer proved to be. */
  readonly peer: PeerIdentity;
  /** How the keys were agreed: the PSK modes of RFC 8446 §4.2.9, or 'ecdhe' alone with certificates. */
  readonly keyExchange: 'psk_ke' | 'psk_dhe_ke' | 'ecdhe';
  /** The (EC)DHE group, with psk_dhe_ke and ecdhe. */
  readonly group?: number;
  /** For an SSLKEYLOGFILE the user asked for; never logged otherwise. */
  readonly clientRandom: Uint8Array;
  /** The application traffic secrets (epoch 3), from which KeyUpdate derives the next ones (RFC 8446 §7.2). */
  readonly applicationSecrets: {
    /** The peer's: its epoch-3 records are opened with it. */
    readonly read: Uint8Array;
    /** Ours: our epoch-3 records are sealed with it. */
    readonly write: Uint8Array;
  };
  /** The message_seq our next handshake message takes: post-handshake messages continue the count (RFC 9147 §5.2). */
  readonly nextMessageSeq: number;
  /** The handshake traffic secrets (epoch 2), only for an SSLKEYLOGFILE the user asked for. */
  readonly handshakeSecrets: {
    /** The peer's. */
    readonly read: Uint8Array;
    /** Ours. */
    readonly write: Uint8Array;
  };
  /** Whether a ticket of an earlier session was the PSK (RFC 8446 §2.2): the peer is who it proved to be then. */
  readonly resumed: boolean;
  /** resumption_master_secret (RFC 8446 §7.1): the PSKs of the session's NewSessionTickets derive from it (§4.6.1). */
  readonly resumptionMasterSecret: Uint8Array;
}

/** DTLS 1.3 traffic secrets for one epoch (RFC 9147 §6.1: epoch 2 protects the handshake, 3 the first application data). */
export interface EpochSecrets13 {
  /** The epoch they protect. */
  readonly epoch: number;
  /** The suite whose AEAD and hash use them. */
  readonly suite: Tls13CipherSuite;
  /** The peer's traffic secret: its records in this epoch are opened with it. */
  readonly read?: Uint8Array;
  /** Ours: our records in this epoch are sealed with it. */
  readonly write?: Uint8Array;
}

/** A fatal handshake problem: the alert to send (if any) and what went wrong. */
export interface HandshakeFailure {
  /** The AlertDescription code for the fatal alert sent to the peer. */
  readonly alert: number;
  /** A human-readable explanation for the local error; never sent on the wire. */
  readonly reason: string;
}

/** What the flight state machine asks the session to do after an input. */
export interface HandshakeStep {
  /** A new flight to send; it replaces the previous one for retransmission. */
  readonly flight?: Flight;
  /** Epoch 1 protection, installed as soon as the keys are known. */
  readonly keys?: {
    /** Protection for records received from the peer. */
    readonly read: RecordCipher;
    /** Protection for records sent to the peer. */
    readonly write: RecordCipher;
    /** The cipher suite the keys belong to. */
    readonly suite: CipherSuite;
  };
  /** From now on, records to the peer carry at most this much plaintext (record_size_limit, max_fragment_length). */
  readonly recordLimit?: RecordLimit;
  /** Both Finished messages are verified: the session is up. */
  readonly established?: HandshakeSummary;
  /** DTLS 1.3: traffic secrets to install, in order (handshake epoch 2, application epoch 3). */
  readonly epochs13?: readonly EpochSecrets13[];
  /** DTLS 1.3: the Connection IDs the hellos agreed, which the epochs installed from now on use (RFC 9147 §9). */
  readonly connectionIds13?: NegotiatedConnectionIds;
  /** DTLS 1.3: both Finished messages are verified, the session is up. */
  readonly established13?: HandshakeSummary13;
  /** The handshake failed: the session sends a fatal alert and fails with this reason. */
  readonly failure?: HandshakeFailure;
  /**
   * A client that offered DTLS 1.3 and 1.2 heard a 1.2 server: this 1.2 handshake, holding
   * the ClientHello sent, takes over with the answer as its first message (ClientVersionProbe).
   */
  readonly fallback12?: ClientHandshake;
}

export const NOTHING: HandshakeStep = {};

export function failure(alert: number, reason: string): HandshakeStep {
  return { failure: { alert, reason } };
}

/** A value, or a promise of one (lookups may be synchronous or not). */
export type MaybePromise<T> = T | Promise<T>;
