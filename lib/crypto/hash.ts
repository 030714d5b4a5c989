import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha256, sha384 } from '@noble/hashes/sha2.js';
import type { Hash } from '@noble/hashes/utils.js';
import type { PrfHash } from './cipher-suites.js';

/** The hashes DTLS 1.2 needs: the PRF hash of every suite here, and SHA-256 for ECDSA. Same strings as PrfHash. */
export type HashAlgorithm = PrfHash;

const HASHES = { sha256, sha384 } as const;

export function hash(alg: HashAlgorithm, data: Uint8Array): Uint8Array {
  return HASHES[alg](data);
}

/** A hash fed as data comes, whose digest can be taken at any point and feeding go on. */
export class RunningHash {
  private readonly state: Hash<any>;
  private scratch: Hash<any> | undefined;

  constructor(alg: HashAlgorithm) {
    this.state = HASHES[alg].create();
  }

  update(data: Uint8Array): this {
    this.state.update(data);
    return this;
  }

  /** The hash of everything so far; finishes a copy of the state, kept for the next call. */
  digest(): Uint8Array {
    const copy = this.state._cloneInto(this.scratch);
    this.scratch = copy;
    return copy.digest();
  }
}

export function hmac(alg: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
  return nobleHmac(HASHES[alg], key, data);
}

/** Output length in bytes: 32 for SHA-256, 48 for SHA-384. */
export function hashLength(alg: HashAlgorithm): number {
  return HASHES[alg].outputLen;
}
