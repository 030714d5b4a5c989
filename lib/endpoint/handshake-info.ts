import { bytesToHex } from '@noble/hashes/utils.js';
import { hash } from '../crypto/hash.js';
import type { PeerIdentity } from '../handshake/handshake-step.js';
import type { NegotiatedExtensions } from '../handshake/negotiated-extensions.js';
import { MAX_PLAINTEXT_LENGTH } from '../wire/constants.js';
import type { SocketBufferSizes } from '../transport/datagram.js';

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
  /** '1.3' when the session runs DTLS 1.3 (RFC 9147); absent for DTLS 1.2. */
  readonly version?: '1.3';
  /** Whether the master secret is bound to the handshake (RFC 7627); both sides need it against triple-handshake attacks. */
  readonly extendedMasterSecret: boolean;
  /** Whether the handshake resumed an earlier session (RFC 5246 §7.3, abbreviated): no key exchange, no certificates. */
  readonly resumed: boolean;
  /** The application protocol ALPN agreed on (RFC 7301); absent when none was. */
  readonly alpn?: string;
  /** On a server: the host name the client asked for in server_name (RFC 6066 §3), lower-cased. */
  readonly serverName?: string;
  /**
   * The most bytes one `send()` may carry, when the peer limited the records it takes
   * (record_size_limit, RFC 8449, or max_fragment_length, RFC 6066 §4) below the DTLS
   * maximum; absent when it did not, and then it is 2^14.
   */
  readonly peerRecordSizeLimit?: number;
  /** The Connection IDs in use (RFC 9146), when both sides agreed to them; an empty one means records that way carry none. */
  readonly connectionId?: {
    /** The CID records to us carry (ours). */
    readonly receive: Uint8Array;
    /** The CID records to the peer carry (the peer's). */
    readonly send: Uint8Array;
  };
  /** The kernel buffers of the UDP socket the session runs on (a server's sessions share its socket); absent on other transports. */
  readonly socketBuffers?: SocketBufferSizes;
  /** Present when both sides sent the heartbeat extension (RFC 6520): this side answers the peer's HeartbeatRequests, and `peerAnswers` says whether the peer answers ours. */
  readonly heartbeat?: {
    /** The peer said peer_allowed_to_send: a client's `keepalive` probes it with HeartbeatRequests. */
    readonly peerAnswers: boolean;
  };
}

/** The parts of HandshakeInfo the hello extensions settled, present only when they did. */
export function negotiatedInfo(negotiated: NegotiatedExtensions | undefined): Pick<HandshakeInfo, 'alpn' | 'serverName' | 'peerRecordSizeLimit'> {
  if (!negotiated) return {};
  const { alpn, serverName, recordLimit } = negotiated;
  return {
    ...(alpn === undefined ? {} : { alpn }),
    ...(serverName === undefined ? {} : { serverName }),
    ...(recordLimit === undefined || recordLimit.plaintext >= MAX_PLAINTEXT_LENGTH ? {} : { peerRecordSizeLimit: recordLimit.plaintext }),
  };
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
