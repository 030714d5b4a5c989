import { seededRandom } from '../../../lib/impairment/seeded-random.js';

/**
 * The specs' seeded random source, on the library's own PRNG (mulberry32, seededRandom)
 * so property and fuzz tests are reproducible: a failure report names the seed and the
 * case number, and rerunning gives the same input.
 */
export class Prng {
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  /** Uniform in [0, 1). */
  fraction(): number {
    return this.random();
  }

  /** Uniform integer in [0, 2^32) (exact: the PRNG's 32-bit output before it is scaled to [0, 1)). */
  next(): number {
    return this.random() * 0x1_0000_0000;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.next() / 0x1_0000_0000) * n);
  }

  /** Uniform integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  bool(): boolean {
    return (this.next() & 1) === 1;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }

  /** Bytes of a random length in [min, max]. */
  blob(min: number, max: number): Uint8Array {
    return this.bytes(this.range(min, max));
  }

  list<T>(min: number, max: number, item: () => T): T[] {
    return Array.from({ length: this.range(min, max) }, item);
  }

  /** A list of distinct values from `item` (gives up on duplicates rather than looping). */
  distinct(min: number, max: number, item: () => number): number[] {
    return [...new Set(this.list(min, max, item))];
  }
}

/** `n` bytes at a time from one seeded Prng: a stream of reproducible inputs for cross-checks. */
export function seededBytes(seed: number): (n: number) => Uint8Array {
  const prng = new Prng(seed);
  return (n) => prng.bytes(n);
}
