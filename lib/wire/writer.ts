/** Content for a length-prefixed vector: bytes, or a function that writes them. */
export type VectorContent = Uint8Array | ((w: Writer) => void);

/**
 * V8 keeps typed arrays of up to 64 bytes on its heap, where making one costs about as much
 * as a small object; a larger one gets a separately allocated backing store, some 30 times
 * dearer. Most handshake fields and messages fit in 64 bytes, so that is where a writer
 * without a size hint starts.
 */
const DEFAULT_CAPACITY = 64;

/**
 * A growable big-endian byte buffer for encoders. Out-of-range values are programmer
 * errors (an encoder was handed a value the wire cannot carry) and throw a RangeError.
 */
export class Writer {
  private buf: Uint8Array;
  private len = 0;
  /** Vectors whose length is still to be patched in. */
  private open = 0;

  constructor(initialCapacity = DEFAULT_CAPACITY) {
    this.buf = new Uint8Array(initialCapacity);
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.len;
  }

  uint8(n: number): this {
    checkUint(n, 0xff, 'uint8');
    this.reserve(1);
    this.buf[this.len++] = n;
    return this;
  }

  uint16(n: number): this {
    checkUint(n, 0xffff, 'uint16');
    this.reserve(2);
    this.put(n, 2);
    return this;
  }

  uint24(n: number): this {
    checkUint(n, 0xffffff, 'uint24');
    this.reserve(3);
    this.put(n, 3);
    return this;
  }

  uint32(n: number): this {
    checkUint(n, 0xffff_ffff, 'uint32');
    this.reserve(4);
    this.put(n, 4);
    return this;
  }

  uint48(n: number): this {
    checkUint(n, 0xffff_ffff_ffff, 'uint48');
    this.reserve(6);
    this.put(Math.floor(n / 0x1_0000_0000), 2);
    this.put(n % 0x1_0000_0000, 4);
    return this;
  }

  /** A 64-bit field holding a safe integer (up to 2^53 - 1, all a JS number carries exactly). */
  uint64(n: number): this {
    checkUint(n, Number.MAX_SAFE_INTEGER, 'uint64');
    this.reserve(8);
    this.put(Math.floor(n / 0x1_0000_0000), 4);
    this.put(n % 0x1_0000_0000, 4);
    return this;
  }

  bytes(data: Uint8Array): this {
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  /** opaque<0..2^8-1>: a 1-byte length, then the content. */
  vector8(content: VectorContent): this {
    return this.vector(1, content);
  }

  /** opaque<0..2^16-1>. */
  vector16(content: VectorContent): this {
    return this.vector(2, content);
  }

  /** opaque<0..2^24-1>. */
  vector24(content: VectorContent): this {
    return this.vector(3, content);
  }

  /**
   * The bytes written, in an array exactly as long as the content that later writes do not
   * change. A buffer filled exactly is handed out as it is: any further write must grow into
   * a new one first. Otherwise (or while a vector's length is still to be patched) a copy.
   */
  finish(): Uint8Array {
    return this.len === this.buf.length && this.open === 0 ? this.buf : this.buf.slice(0, this.len);
  }

  private vector(prefixBytes: 1 | 2 | 3, content: VectorContent): this {
    const max = 2 ** (8 * prefixBytes) - 1;
    if (content instanceof Uint8Array) {
      checkUint(content.length, max, `vector length (${prefixBytes}-byte prefix)`);
      this.reserve(prefixBytes + content.length);
      this.put(content.length, prefixBytes);
      return this.bytes(content);
    }
    // Write a placeholder length, let the callback write the content, then patch the
    // real length in, so nested structures need no intermediate buffers.
    this.reserve(prefixBytes);
    const at = this.len;
    this.len += prefixBytes;
    this.open++;
    content(this);
    this.open--;
    const written = this.len - at - prefixBytes;
    checkUint(written, max, `vector length (${prefixBytes}-byte prefix)`);
    const end = this.len;
    this.len = at;
    this.put(written, prefixBytes);
    this.len = end;
    return this;
  }

  /** Writes the low `size` bytes of `n` big-endian; capacity must already be reserved. */
  private put(n: number, size: number): void {
    for (let i = size - 1; i >= 0; i--) {
      this.buf[this.len + i] = n & 0xff;
      n = Math.floor(n / 256);
    }
    this.len += size;
  }

  private reserve(extra: number): void {
    const needed = this.len + extra;
    if (needed <= this.buf.length) return;
    let capacity = Math.max(this.buf.length * 2, 16);
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
  }
}

function checkUint(n: number, max: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new RangeError(`${what} out of range: ${n} (0..${max})`);
  }
}
