import { createHash, createHmac, randomFillSync } from 'node:crypto';
import type { HashAlgorithm } from '../crypto/hash.js';
import { plain } from './bytes.js';

export function nodeHash(alg: HashAlgorithm, data: Uint8Array): Uint8Array {
  return plain(createHash(alg).update(data).digest());
}

export function nodeHmac(alg: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
  return plain(createHmac(alg, key).update(data).digest());
}

/** n bytes from OpenSSL's CSPRNG, in a fresh array (never a slice of a shared pool). */
export function nodeRandomBytes(n: number): Uint8Array {
  return randomFillSync(new Uint8Array(n));
}
