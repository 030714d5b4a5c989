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
  readonly name: string;
  createAead(algorithm: AeadAlgorithm, key: Uint8Array): Aead;
  hash(alg: HashAlgorithm, data: Uint8Array): Uint8Array;
  hmac(alg: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array;
  randomBytes(n: number): Uint8Array;
  generateKeyShare(group: number): KeyShare;
  computeSharedSecret(group: number, privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array | null;
  ecdsaSign(privateKey: Uint8Array, message: Uint8Array): Uint8Array;
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
