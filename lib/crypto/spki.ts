import { p256 } from '@noble/curves/nist.js';

/**
 * DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7, RFC 5480 §2) of a P-256 key, the form a
 * raw public key travels in (RFC 7250 §3):
 *
 *   SEQUENCE (89) {
 *     SEQUENCE (19) { OID id-ecPublicKey 1.2.840.10045.2.1, OID prime256v1 1.2.840.10045.3.1.7 }
 *     BIT STRING (66) { 0 unused bits, 0x04 || x || y }
 *   }
 *
 * DER is canonical, so this header is the only encoding of that structure.
 */
const SPKI_HEADER = Uint8Array.of(
  0x30, 0x59,
  0x30, 0x13,
  0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
  0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
  0x03, 0x42, 0x00,
);
const POINT_LENGTH = 65;

/** Wraps an uncompressed P-256 point (65 bytes, 0x04 || x || y) as DER SPKI. Anything else is a caller bug and throws. */
export function encodeP256Spki(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== POINT_LENGTH || publicKey[0] !== 0x04) {
    throw new RangeError('encodeP256Spki: expected an uncompressed P-256 point (65 bytes, 0x04 || x || y)');
  }
  const out = new Uint8Array(SPKI_HEADER.length + POINT_LENGTH);
  out.set(SPKI_HEADER, 0);
  out.set(publicKey, SPKI_HEADER.length);
  return out;
}

/**
 * The uncompressed point inside a P-256 SPKI, or null. Strict: exactly the DER above
 * (named curve prime256v1, no explicit parameters, no compressed point, nothing
 * trailing), and the point must lie on the curve, so a non-null result is a usable key.
 * Returns a view into `spki`. Never throws.
 */
export function decodeP256Spki(spki: Uint8Array): Uint8Array | null {
  if (spki.length !== SPKI_HEADER.length + POINT_LENGTH) return null;
  for (let i = 0; i < SPKI_HEADER.length; i++) if (spki[i] !== SPKI_HEADER[i]) return null;
  const point = spki.subarray(SPKI_HEADER.length);
  if (point[0] !== 0x04) return null;
  return p256.utils.isValidPublicKey(point, false) ? point : null;
}

// The key-file helpers live in their own files; re-exported here because the crypto API
// was announced with them in spki.ts, and credential loading uses the three together.
export { decodeP256PrivateKey } from './private-key.js';
export { pemToDer } from './pem.js';
