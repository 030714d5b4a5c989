const NEWLINE = 0x0a;

/**
 * Cuts a byte stream into lines, each keeping its "\n", so an echo comes back
 * line-shaped as with openssl s_client. A line longer than `maxLength` goes out
 * in pieces of at most that many bytes (one record carries at most 2^14 bytes,
 * RFC 5246 §6.2.1).
 */
export class LineSplitter {
  private pending: Uint8Array[] = [];
  private pendingLength = 0;

  constructor(private readonly maxLength: number) {
    if (!Number.isInteger(maxLength) || maxLength < 1) throw new RangeError(`maxLength must be a positive integer, got ${maxLength}`);
  }

  /** The lines (or full-size pieces) completed by this chunk. */
  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const room = this.maxLength - this.pendingLength;
      const end = newline >= 0 ? Math.min(newline + 1, start + room) : Math.min(chunk.length, start + room);
      this.pending.push(chunk.subarray(start, end));
      this.pendingLength += end - start;
      start = end;
      if (this.pendingLength === this.maxLength || chunk[end - 1] === NEWLINE) out.push(this.take());
    }
    return out;
  }

  /** What is left after the end of input: a last line without "\n", if any. */
  end(): Uint8Array[] {
    return this.pendingLength > 0 ? [this.take()] : [];
  }

  private take(): Uint8Array {
    const line = new Uint8Array(this.pendingLength);
    let offset = 0;
    for (const part of this.pending) {
      line.set(part, offset);
      offset += part.length;
    }
    this.pending = [];
    this.pendingLength = 0;
    return line;
  }
}
