/**
 * A small deterministic PRNG (mulberry32): the same seed gives the same
 * sequence of numbers in [0, 1) on every platform, so a simulated network
 * misbehaves the same way every time a spec runs with that seed. Not for
 * anything secret: keys and randoms come from the CryptoProvider.
 */
export function seededRandom(seed: number): () => number {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
