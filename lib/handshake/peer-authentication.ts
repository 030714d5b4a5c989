import type { MaybePromise, PeerIdentity } from './handshake-step.js';
import type { LookupContext } from './lookup-context.js';

/** Our own certificate for ECDHE_ECDSA: an X.509 chain or a raw public key (RFC 7250), and its P-256 private key. */
export interface LocalCertificate {
  /** CertificateType: 0 X.509, 2 raw public key. */
  readonly type: number;
  /** The Certificate handshake message body, ready to send. */
  readonly certificateBody: Uint8Array;
  /** The P-256 private scalar (32 bytes) that signs ServerKeyExchange / CertificateVerify. */
  readonly privateKey: Uint8Array;
}

/** The verdict on a peer's certificate. */
export type PeerCheck =
  | {
      /** The certificate is accepted. */
      readonly ok: true;
      /** The peer's P-256 public point, which then verifies its ServerKeyExchange or CertificateVerify signature. */
      readonly publicKey: Uint8Array;
      /** Who the peer is, reported when the handshake completes. */
      readonly identity: PeerIdentity;
    }
  | {
      /** The certificate is rejected. */
      readonly ok: false;
      /** The AlertDescription code for the fatal alert, e.g. bad_certificate or unknown_ca. */
      readonly alert: number;
      /** A human-readable explanation for the local error. */
      readonly reason: string;
    };

/**
 * How we judge the peer's certificate. Only the kinds present are accepted; a
 * check may be async (a fleet's keys pinned in a database).
 */
export interface PeerAuthenticator {
  /** RFC 7250: the peer's SubjectPublicKeyInfo; `context.signal` says when the handshake no longer needs the answer. */
  readonly verifyRawPublicKey?: (spki: Uint8Array, context?: LookupContext) => MaybePromise<PeerCheck>;
  /** The peer's chain, leaf first, DER. Clients check the server name inside. */
  readonly verifyX509?: (chain: readonly Uint8Array[]) => MaybePromise<PeerCheck>;
}

/** Certificate types an authenticator accepts, raw public keys first (they are what constrained peers use). */
export function acceptedTypes(authenticator: PeerAuthenticator | undefined): number[] {
  const types: number[] = [];
  if (authenticator?.verifyRawPublicKey) types.push(2);
  if (authenticator?.verifyX509) types.push(0);
  return types;
}
