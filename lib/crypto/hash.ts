import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha256, sha384 } from '@noble/hashes/sha2.js';
import type { PrfHash } from './cipher-suites.js';

/** The hashes DTLS 1.2 needs: the PRF hash of every suite here, and SHA-256 for ECDSA. Same strings as PrfHash. */
export type HashAlgorithm = PrfHash;

const HASHES = { sha256, sha384 } as const;

export function hash(alg: HashAlgorithm, data: Uint8Array): Uint8Array {
  return HASHES[alg](data);
}

/** An incremental hash: update() as data comes; clone() to digest a prefix and carry on. */
export interface HashStream {
  update(data: Uint8Array): HashStream;
  clone(): HashStream;
  digest(): Uint8Array;
}

export function hashStream(alg: HashAlgorithm): HashStream {
  return HASHES[alg].create();
}

export function hmac(alg: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
  return nobleHmac(HASHES[alg], key, data);
}

/** Output length in bytes: 32 for SHA-256, 48 for SHA-384. */
export function hashLength(alg: HashAlgorithm): number {
  return HASHES[alg].outputLen;
}
