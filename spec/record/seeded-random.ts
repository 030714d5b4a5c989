/** The library's deterministic PRNG (mulberry32), so fuzz-style specs replay exactly from their seed. */
export { seededRandom } from '../../lib/impairment/seeded-random.js';

/** An integer in [0, n). */
export function randomInt(random: () => number, n: number): number {
  return Math.floor(random() * n);
}
