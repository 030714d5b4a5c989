import { p256 } from '@noble/curves/nist.js';

/**
 * ECDSA over P-256 with SHA-256 (TLS SignatureScheme ecdsa_secp256r1_sha256, RFC 8422 §5.4;
 * RFC 5246 §4.7 digitally-signed). Signatures are DER `Ecdsa-Sig-Value`
 * SEQUENCE { INTEGER r, INTEGER s }, as TLS carries them.
 *
 * Signing is deterministic (RFC 6979) and does not force low S: a standard ECDSA
 * signature, the same one OpenSSL or any RFC 6979 signer produces for that key and message.
 */
export function ecdsaSign(privateKey: Uint8Array, message: Uint8Array): Uint8Array {
  return p256.sign(message, privateKey, { prehash: true, lowS: false, format: 'der' });
}

/**
 * True only for a valid DER signature of SHA-256(message) under a SEC1-encoded public key
 * (uncompressed or compressed). Never throws: malformed DER (BER length forms, leading
 * zeros, trailing bytes), r or s outside [1, n-1], or a key not on the curve all give false.
 * High-S signatures are accepted, as ECDSA (and every TLS peer) allows them.
 */
export function ecdsaVerify(publicKey: Uint8Array, message: Uint8Array, derSignature: Uint8Array): boolean {
  try {
    return p256.verify(derSignature, message, publicKey, { prehash: true, lowS: false, format: 'der' });
  } catch {
    return false;
  }
}

/** The uncompressed SEC1 public key (0x04 || x || y, 65 bytes) of a 32-byte P-256 private key. */
export function ecdsaPublicKey(privateKey: Uint8Array): Uint8Array {
  return p256.getPublicKey(privateKey, false);
}
