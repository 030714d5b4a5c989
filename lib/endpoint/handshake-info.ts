import { bytesToHex } from '@noble/hashes/utils.js';
import { hash } from '../crypto/hash.js';
import type { PeerIdentity } from '../handshake/handshake-step.js';

/** Who the peer is, as users see it. */
export type PublicPeerIdentity =
  | {
      /** The peer knew the key of a pre-shared key identity. */
      readonly kind: 'psk';
      /** The identity it named, decoded as UTF-8 (RFC 4279 §5.1). */
      readonly identity: string;
    }
  | {
      /** The peer signed with a raw public key (RFC 7250) we trust. */
      readonly kind: 'raw-public-key';
      /** SHA-256 of the SubjectPublicKeyInfo, hex (as `openssl pkey -pubin -outform DER | sha256sum` prints it). */
      readonly fingerprint: string;
      /** The DER SubjectPublicKeyInfo. */
      readonly spki: Uint8Array;
    }
  | {
      /** The peer signed with an X.509 certificate that chains to a root we trust. */
      readonly kind: 'x509';
      /** The leaf's subject, e.g. "CN=localhost". */
      readonly subject: string;
      /** The DER certificates as the peer sent them, leaf first. */
      readonly chain: readonly Uint8Array[];
    }
  | {
      /** The peer was not authenticated (a server that did not ask for a client certificate). */
      readonly kind: 'anonymous';
    };

/** What an established session agreed. */
export interface HandshakeInfo {
  /** IANA name, e.g. "TLS_PSK_WITH_AES_128_CCM_8". */
  readonly cipherSuite: string;
  /** Who the peer proved to be. */
  readonly peer: PublicPeerIdentity;
  /** Whether the master secret is bound to the handshake (RFC 7627); both sides need it against triple-handshake attacks. */
  readonly extendedMasterSecret: boolean;
}

export function publicPeerIdentity(peer: PeerIdentity): PublicPeerIdentity {
  switch (peer.kind) {
    case 'psk':
      // PSK identities are UTF-8 strings by convention (RFC 4279 §5.1).
      return { kind: 'psk', identity: new TextDecoder().decode(peer.identity) };
    case 'raw-public-key':
      return { kind: 'raw-public-key', fingerprint: bytesToHex(hash('sha256', peer.spki)), spki: peer.spki };
    default:
      return peer;
  }
}
