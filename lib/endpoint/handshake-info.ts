import { bytesToHex } from '@noble/hashes/utils.js';
import { hash } from '../crypto/hash.js';
import type { PeerIdentity } from '../handshake/handshake-step.js';

/** Who the peer is, as users see it. */
export type PublicPeerIdentity =
  | { readonly kind: 'psk'; readonly identity: string }
  /** fingerprint: SHA-256 of the SubjectPublicKeyInfo, hex. */
  | { readonly kind: 'raw-public-key'; readonly fingerprint: string; readonly spki: Uint8Array }
  | { readonly kind: 'x509'; readonly subject: string; readonly chain: readonly Uint8Array[] }
  | { readonly kind: 'anonymous' };

/** What an established session agreed. */
export interface HandshakeInfo {
  /** IANA name, e.g. "TLS_PSK_WITH_AES_128_CCM_8". */
  readonly cipherSuite: string;
  readonly peer: PublicPeerIdentity;
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
