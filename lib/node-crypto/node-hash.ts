import { createHash, createHmac, randomFillSync } from 'node:crypto';
import type { HashAlgorithm } from '../crypto/hash.js';
import { RandomPool } from '../crypto/random-pool.js';
import { plain } from './bytes.js';

export function nodeHash(alg: HashAlgorithm, data: Uint8Array): Uint8Array {
  return plain(createHash(alg).update(data).digest());
}

export function nodeHmac(alg: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
  return plain(createHmac(alg, key).update(data).digest());
}

const pool = new RandomPool((n) => randomFillSync(new Uint8Array(n)));

/** n bytes from OpenSSL's CSPRNG, in a fresh array (a copy, never a view of the pool it is drawn from). */
export function nodeRandomBytes(n: number): Uint8Array {
  return pool.take(n);
}
