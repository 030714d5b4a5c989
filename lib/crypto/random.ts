import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js';
import { RandomPool } from './random-pool.js';

const pool = new RandomPool(nobleRandomBytes);

/** n bytes from the platform CSPRNG (crypto.getRandomValues, via @noble/hashes), in a fresh array. */
export function randomBytes(n: number): Uint8Array {
  return pool.take(n);
}
