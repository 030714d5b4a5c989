import type { PeerIdentity } from '../handshake/handshake-step.js';

/** Who the peer is, as users see it. */
export type PublicPeerIdentity =
  | { readonly kind: 'psk'; readonly identity: string }
  | { readonly kind: 'raw-public-key'; readonly spki: Uint8Array }
  | { readonly kind: 'x509'; readonly chain: readonly Uint8Array[] }
  | { readonly kind: 'anonymous' };

/** What an established session agreed. */
export interface HandshakeInfo {
  /** IANA name, e.g. "TLS_PSK_WITH_AES_128_CCM_8". */
  readonly cipherSuite: string;
  readonly peer: PublicPeerIdentity;
  readonly extendedMasterSecret: boolean;
}

export function publicPeerIdentity(peer: PeerIdentity): PublicPeerIdentity {
  // PSK identities are UTF-8 strings by convention (RFC 4279 §5.1).
  return peer.kind === 'psk' ? { kind: 'psk', identity: new TextDecoder().decode(peer.identity) } : peer;
}
