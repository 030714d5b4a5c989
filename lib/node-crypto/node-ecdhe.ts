import { createECDH, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type ECDH, type KeyObject } from 'node:crypto';
import { NamedGroup, type KeyShare } from '../crypto/ecdhe.js';
import { base64url, fromBase64url, plain } from './bytes.js';
import { IdentityKeyCache } from './key-cache.js';

/** RFC 8422 §5.4.1: P-256 points travel uncompressed, 0x04 || x || y. */
const P256_UNCOMPRESSED_LENGTH = 65;
const X25519_KEY_LENGTH = 32;
const P256_SCALAR_LENGTH = 32;
/** PKCS#8 PrivateKeyInfo for an X25519 key (RFC 8410 §7) up to the 32 key bytes. */
const X25519_PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]);

// The handshake calls computeSharedSecret with the very array generateKeyShare returned, so the
// native key made for the share is found again without a second import.
const p256Shares = new IdentityKeyCache<ECDH>();
const x25519Shares = new IdentityKeyCache<KeyObject>();

/** A fresh ephemeral key pair, as lib/crypto/ecdhe.ts generateKeyShare; an unsupported group throws. */
export function nodeGenerateKeyShare(group: number): KeyShare {
  switch (group) {
    case NamedGroup.secp256r1: {
      const ecdh = createECDH('prime256v1');
      const publicKey = plain(ecdh.generateKeys());
      const privateKey = leftPad(plain(ecdh.getPrivateKey()), P256_SCALAR_LENGTH);
      p256Shares.set(privateKey, ecdh);
      return { group, privateKey, publicKey };
    }
    case NamedGroup.x25519: {
      const pair = generateKeyPairSync('x25519');
      const jwk = pair.privateKey.export({ format: 'jwk' });
      const privateKey = fromBase64url(jwk.d!);
      x25519Shares.set(privateKey, pair.privateKey);
      return { group, privateKey, publicKey: fromBase64url(jwk.x!) };
    }
    default:
      throw new RangeError(`generateKeyShare: unsupported group ${group}`);
  }
}

/**
 * The ECDH shared secret, or null for a key that must be refused, with the contract of
 * lib/crypto/ecdhe.ts computeSharedSecret: never throws; wrong length or encoding, off-curve
 * P-256 points (RFC 8422 §5.11) and X25519 results that are all zero (RFC 7748 §6.1) give null.
 */
export function nodeComputeSharedSecret(group: number, privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array | null {
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
    // OpenSSL refuses off-curve points, invalid scalars and all-zero X25519 results by throwing.
    return null;
  }
}

function p256SharedSecret(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array | null {
  // OpenSSL would also take compressed and hybrid (0x06/0x07) points; TLS 1.2 peers send
  // uncompressed ones only (RFC 8422 §5.1.2), as the noble provider insists.
  if (peerPublicKey.length !== P256_UNCOMPRESSED_LENGTH || peerPublicKey[0] !== 0x04) return null;
  let ecdh = p256Shares.get(privateKey);
  if (ecdh === undefined) {
    ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(privateKey);
  }
  // computeSecret decodes the point with EC_POINT_oct2point, which refuses coordinates not
  // below p and points off the curve; the result is x, left-padded to 32 bytes.
  return plain(ecdh.computeSecret(peerPublicKey));
}

function x25519SharedSecret(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array | null {
  if (peerPublicKey.length !== X25519_KEY_LENGTH || privateKey.length !== X25519_KEY_LENGTH) return null;
  const ownKey = x25519Shares.get(privateKey) ?? createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, privateKey]), format: 'der', type: 'pkcs8' });
  const peerKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: base64url(peerPublicKey) }, format: 'jwk' });
  const shared = plain(diffieHellman({ privateKey: ownKey, publicKey: peerKey }));
  // OpenSSL already fails the derivation for an all-zero result; the check stays so the
  // RFC 7748 §6.1 requirement does not rest on a library detail.
  let any = 0;
  for (const byte of shared) any |= byte;
  return any === 0 ? null : shared;
}

function leftPad(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length >= length) return bytes;
  const out = new Uint8Array(length);
  out.set(bytes, length - bytes.length);
  return out;
}
