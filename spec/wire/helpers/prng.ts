/**
 * A small seeded PRNG (mulberry32) so property and fuzz tests are reproducible: a
 * failure report names the seed and the case number, and rerunning gives the same input.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 2^32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
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
