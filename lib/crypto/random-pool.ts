/**
 * Random bytes drawn from a CSPRNG a kilobyte at a time and handed out in small pieces. A call
 * into the platform generator costs about 2 µs however few bytes it returns (5 or more inside a
 * busy handshake loop), and a handshake asks for 32 at a time. Node's own crypto.randomInt
 * buffers its randomness the same way. Each piece is a copy, and its bytes are wiped from the
 * pool as they are handed out, so nothing given away stays behind.
 */
export class RandomPool {
  private pool: Uint8Array = new Uint8Array(0);
  private used = 0;

  /** `fill(n)` returns n fresh bytes from a CSPRNG. */
  constructor(
    private readonly fill: (n: number) => Uint8Array,
    private readonly size = 1024,
  ) {}

  take(n: number): Uint8Array {
    // Large requests (keys, test data) gain nothing from the pool and would drain it.
    if (n > this.size / 8) return this.fill(n);
    if (this.used + n > this.pool.length) {
      this.pool.fill(0);
      this.pool = this.fill(this.size);
      this.used = 0;
    }
    const out = this.pool.slice(this.used, this.used + n);
    this.pool.fill(0, this.used, this.used + n);
    this.used += n;
    return out;
  }
}
