import { ECDH, createECDH, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { base64url, plain } from './bytes.js';
import { BoundedKeyCache, IdentityKeyCache } from './key-cache.js';

const P256_SCALAR_LENGTH = 32;
const signingKeys = new IdentityKeyCache<KeyObject>();
/** Peer keys by value: a client verifies the same server key on every reconnection. */
const verifyingKeys = new BoundedKeyCache<KeyObject>(256);

/**
 * ECDSA P-256 with SHA-256, DER `Ecdsa-Sig-Value` (RFC 8422 §5.4), as lib/crypto/ecdsa.ts
 * ecdsaSign. Unlike the noble signer, OpenSSL draws k at random rather than by RFC 6979: the
 * signature is equally valid but not the same bytes. A key that is not a 32-byte scalar in
 * [1, n-1] is a caller bug and throws.
 */
export function nodeEcdsaSign(privateKey: Uint8Array, message: Uint8Array): Uint8Array {
  const key = signingKeys.get(privateKey) ?? signingKeys.set(privateKey, importPrivateKey(privateKey));
  return plain(sign('sha256', message, { key, dsaEncoding: 'der' }));
}

/**
 * True only for a valid DER signature of SHA-256(message) under a SEC1 public key (uncompressed
 * or compressed), as lib/crypto/ecdsa.ts ecdsaVerify. Never throws. OpenSSL re-encodes the
 * parsed signature and compares it with the input, so BER forms, leading zeros and trailing
 * bytes are refused, and r, s must lie in [1, n-1].
 */
export function nodeEcdsaVerify(publicKey: Uint8Array, message: Uint8Array, derSignature: Uint8Array): boolean {
  try {
    const key = verifyingKey(publicKey);
    return key !== null && verify('sha256', message, { key, dsaEncoding: 'der' }, derSignature);
  } catch {
    return false;
  }
}

function verifyingKey(publicKey: Uint8Array): KeyObject | null {
  // SEC1 §2.3.3: 0x04 || x || y, or 0x02/0x03 || x. OpenSSL also reads the hybrid form
  // (0x06/0x07), which the noble provider refuses; refuse it here too.
  const uncompressed = publicKey.length === 65 && publicKey[0] === 0x04;
  const compressed = publicKey.length === 33 && (publicKey[0] === 0x02 || publicKey[0] === 0x03);
  if (!uncompressed && !compressed) return null;
  const id = base64url(publicKey);
  const cached = verifyingKeys.get(id);
  if (cached !== undefined) return cached;
  // convertKey decodes with EC_POINT_oct2point, which refuses points off the curve.
  const point = compressed ? plain(ECDH.convertKey(publicKey, 'prime256v1', undefined, undefined, 'uncompressed') as Buffer) : publicKey;
  const key = createPublicKey({ key: jwk(point), format: 'jwk' });
  return verifyingKeys.set(id, key);
}

function importPrivateKey(scalar: Uint8Array): KeyObject {
  if (scalar.length !== P256_SCALAR_LENGTH) throw new RangeError(`an ECDSA P-256 private key is ${P256_SCALAR_LENGTH} bytes, got ${scalar.length}`);
  const ecdh = createECDH('prime256v1');
  // setPrivateKey refuses 0 and scalars not below the group order, and computes the public key JWK needs.
  ecdh.setPrivateKey(scalar);
  return createPrivateKey({ key: { ...jwk(plain(ecdh.getPublicKey())), d: base64url(scalar) }, format: 'jwk' });
}

function jwk(uncompressedPoint: Uint8Array): { kty: 'EC'; crv: 'P-256'; x: string; y: string } {
  return { kty: 'EC', crv: 'P-256', x: base64url(uncompressedPoint.subarray(1, 33)), y: base64url(uncompressedPoint.subarray(33, 65)) };
}
