import { x25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';

/** TLS NamedGroup code points (RFC 8422 §5.1.1) for the groups rx-dtls implements. */
export const NamedGroup = {
  secp256r1: 23,
  x25519: 29,
} as const;

/** Offered in this order of preference: X25519 is faster and has no point validation pitfalls. */
export const SUPPORTED_GROUPS: readonly number[] = [NamedGroup.x25519, NamedGroup.secp256r1];

/** An ephemeral key pair with the public key as it goes on the wire (ECPoint.point, RFC 8422 §5.4). */
export interface KeyShare {
  /** The named group (RFC 8422 §5.1.1): 23 secp256r1, 29 x25519. */
  readonly group: number;
  /** The private key; never leaves the process. */
  readonly privateKey: Uint8Array;
  /** The public key as it goes on the wire. */
  readonly publicKey: Uint8Array;
}

/** RFC 8422 §5.4.1: P-256 points are sent uncompressed, 0x04 || x || y. */
const P256_UNCOMPRESSED_LENGTH = 65;
const X25519_KEY_LENGTH = 32;

export function isSupportedGroup(group: number): boolean {
  return SUPPORTED_GROUPS.includes(group);
}

/** A fresh ephemeral key pair. An unsupported group is a caller bug and throws. */
export function generateKeyShare(group: number): KeyShare {
  switch (group) {
    case NamedGroup.secp256r1: {
      const privateKey = p256.utils.randomSecretKey();
      return { group, privateKey, publicKey: p256.getPublicKey(privateKey, false) };
    }
    case NamedGroup.x25519: {
      const privateKey = x25519.utils.randomSecretKey();
      return { group, privateKey, publicKey: x25519.getPublicKey(privateKey) };
    }
    default:
      throw new RangeError(`generateKeyShare: unsupported group ${group}`);
  }
}

/**
 * The ECDH shared secret with a peer's public key, or null when the key must be refused:
 * wrong length or encoding, not on the curve, the identity, low order, or an all-zero
 * X25519 result. Never throws; an unsupported group also gives null.
 *
 * P-256 (RFC 8422 §5.10-5.11): the peer point must be uncompressed and on the curve
 * (the invalid-curve check); the premaster secret is the x coordinate, 32 bytes.
 * X25519 (RFC 7748 §5, §6.1): the output is the raw 32 bytes; an all-zero output means a
 * low-order peer point and is refused (RFC 8422 §5.11).
 */
export function computeSharedSecret(group: number, privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array | null {
  try {
    switch (group) {
      case NamedGroup.secp256r1:
        return p256SharedSecret(privateKey, peerPublicKey);
      case NamedGroup.x25519:
        return x25519SharedSecret(privateKey, peerPublicKey);
      default:
        return null;
    }
  } catch {
    // noble throws for off-curve and low-order points; to the handshake that is just a bad key.
    return null;
  }
}

function p256SharedSecret(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array | null {
  if (peerPublicKey.length !== P256_UNCOMPRESSED_LENGTH || peerPublicKey[0] !== 0x04) return null;
  // getSharedSecret decodes the point with Point.fromBytes, which throws unless the coordinates
  // are below p and satisfy the curve equation; an uncompressed encoding cannot be the identity.
  // It returns the compressed shared point 0x02/0x03 || x; TLS wants x alone.
  return p256.getSharedSecret(privateKey, peerPublicKey, true).subarray(1);
}

function x25519SharedSecret(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array | null {
  if (peerPublicKey.length !== X25519_KEY_LENGTH) return null;
  const shared = x25519.getSharedSecret(privateKey, peerPublicKey);
  // noble 2.x already throws for the low-order points that produce zero; the check stays so
  // the RFC 7748 §6.1 requirement does not rest on a library detail.
  let any = 0;
  for (const byte of shared) any |= byte;
  return any === 0 ? null : shared;
}
