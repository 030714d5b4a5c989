import type { Aead, AeadAlgorithm } from './aead.js';
import { createAead } from './aeads.js';
import { computeSharedSecret, generateKeyShare, type KeyShare } from './ecdhe.js';
import { ecdsaSign, ecdsaVerify } from './ecdsa.js';
import { hash, hmac, type HashAlgorithm } from './hash.js';
import { randomBytes } from './random.js';

/**
 * The primitives the record layer and handshake call, behind one interface so an
 * accelerated implementation (node:crypto) can replace the pure-JS one and be
 * cross-checked against it. Plain Uint8Array in and out, no platform types.
 * Contracts are those of the functions nobleProvider binds (aeads.ts, ecdhe.ts, ...):
 * decisions about network input return null/false instead of throwing.
 */
export interface CryptoProvider {
  /** Names the provider in logs and benchmarks ("noble", "node:crypto"). */
  readonly name: string;
  /** An AEAD for record protection with this key. */
  createAead(algorithm: AeadAlgorithm, key: Uint8Array): Aead;
  /** The digest of data. */
  hash(alg: HashAlgorithm, data: Uint8Array): Uint8Array;
  /** HMAC of data under key (the PRF and the cookies use it). */
  hmac(alg: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array;
  /** n bytes from a cryptographically secure source. */
  randomBytes(n: number): Uint8Array;
  /** A fresh ECDHE key pair on a named group (RFC 8422 / RFC 7748). */
  generateKeyShare(group: number): KeyShare;
  /** The ECDHE shared secret, or null when the peer's public key is not valid on the group. */
  computeSharedSecret(group: number, privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array | null;
  /** A DER ECDSA P-256 signature over the SHA-256 of message. */
  ecdsaSign(privateKey: Uint8Array, message: Uint8Array): Uint8Array;
  /** Whether derSignature is a valid ECDSA P-256 signature of message under publicKey (false for any malformed input). */
  ecdsaVerify(publicKey: Uint8Array, message: Uint8Array, derSignature: Uint8Array): boolean;
}

/** The default provider: @noble/ciphers, @noble/curves and @noble/hashes, plus the AES-CCM built here. */
export const nobleProvider: CryptoProvider = Object.freeze({
  name: 'noble',
  createAead,
  hash,
  hmac,
  randomBytes,
  generateKeyShare,
  computeSharedSecret,
  ecdsaSign,
  ecdsaVerify,
});
