import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { hmac, type HashAlgorithm } from './hash.js';

/**
 * The TLS 1.2 PRF (RFC 5246 §5), which DTLS 1.2 uses unchanged (RFC 6347 §4.2):
 *
 *   PRF(secret, label, seed) = P_<hash>(secret, label + seed)
 *   P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
 *   A(0) = seed, A(i) = HMAC(secret, A(i-1))
 *
 * iterated as far as `length` needs and truncated. The label is ASCII with no
 * length byte and no terminating NUL.
 */
export function prf(
  alg: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  length: number,
): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`prf: bad output length ${length}`);
  const labelAndSeed = concatBytes(utf8ToBytes(label), seed);
  const out = new Uint8Array(length);
  let a: Uint8Array = labelAndSeed;
  for (let filled = 0; filled < length; ) {
    a = hmac(alg, secret, a);
    const block = hmac(alg, secret, concatBytes(a, labelAndSeed));
    const take = Math.min(block.length, length - filled);
    out.set(block.subarray(0, take), filled);
    filled += take;
  }
  return out;
}
