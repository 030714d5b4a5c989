import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js';

/** n bytes from the platform CSPRNG (crypto.getRandomValues, via @noble/hashes). */
export function randomBytes(n: number): Uint8Array {
  return nobleRandomBytes(n);
}
