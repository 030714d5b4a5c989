import { fail, ok, type DecodeErrorKind, type Result } from './result.js';

/**
 * Thrown by Reader methods and caught only by `decode()`, so a decoder body can be
 * written as straight-line code while the exported decoders stay total.
 * Deliberately not exported: nothing outside this module can throw or catch it.
 * Not an Error subclass: malformed input is routine (anyone can send it), and
 * capturing a stack trace for each one would be wasted work.
 */
class DecodeFailure {
  constructor(
    readonly kind: DecodeErrorKind,
    readonly field: string,
  ) {}
}

/**
 * A cursor over network bytes, to be used inside `decode()`. Every read is
 * bounds-checked; a read past the end raises a DecodeFailure that `decode()` turns
 * into a Result, so a decoder can never read past the end nor let an exception escape.
 *
 * `overrun` is the error kind for running out of bytes. At the top level that is
 * 'truncated'; inside a length-prefixed list (see `list8`...) the outer length said
 * how many bytes there are, so an item overrunning it is an inconsistency: 'invalid'.
 */
export class Reader {
  private pos = 0;

  constructor(
    private readonly buf: Uint8Array,
    private readonly overrun: DecodeErrorKind = 'truncated',
  ) {}

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  get atEnd(): boolean {
    return this.pos === this.buf.length;
  }

  /** Abandons the decode with an error; `field` names what was being read. */
  fail(kind: DecodeErrorKind, field: string): never {
    throw new DecodeFailure(kind, field);
  }

  uint8(field: string): number {
    this.need(1, field);
    return this.buf[this.pos++];
  }

  uint16(field: string): number {
    this.need(2, field);
    const b = this.buf;
    const p = this.pos;
    this.pos += 2;
    return (b[p] << 8) | b[p + 1];
  }

  uint24(field: string): number {
    this.need(3, field);
    const b = this.buf;
    const p = this.pos;
    this.pos += 3;
    return (b[p] << 16) | (b[p + 1] << 8) | b[p + 2];
  }

  uint32(field: string): number {
    this.need(4, field);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  }

  /**
   * A 64-bit big-endian integer (the epoch and sequence number of a DTLS 1.3 RecordNumber).
   * A JS number holds it exactly only up to Number.MAX_SAFE_INTEGER (2^53 - 1); a larger
   * value is 'invalid' rather than silently rounded.
   */
  uint64(field: string): number {
    const high = this.uint32(field);
    const low = this.uint32(field);
    if (high > 0x1f_ffff) this.fail('invalid', field);
    return high * 0x1_0000_0000 + low;
  }

  /** A 48-bit big-endian integer (the DTLS record sequence number); exact as a JS number. */
  uint48(field: string): number {
    this.need(6, field);
    const b = this.buf;
    const p = this.pos;
    this.pos += 6;
    const high = (b[p] << 8) | b[p + 1];
    const low = ((b[p + 2] << 24) | (b[p + 3] << 16) | (b[p + 4] << 8) | b[p + 5]) >>> 0;
    return high * 0x1_0000_0000 + low;
  }

  /** The next `n` bytes as a view (no copy). */
  bytes(n: number, field: string): Uint8Array {
    this.need(n, field);
    const view = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }

  /** opaque field<min..2^8-1>: a 1-byte length then that many bytes. */
  vector8(field: string, min = 0, max = 0xff): Uint8Array {
    return this.vector(this.uint8(field), field, min, max);
  }

  /** opaque field<min..2^16-1>. */
  vector16(field: string, min = 0, max = 0xffff): Uint8Array {
    return this.vector(this.uint16(field), field, min, max);
  }

  /** opaque field<min..2^24-1>. */
  vector24(field: string, min = 0, max = 0xffffff): Uint8Array {
    return this.vector(this.uint24(field), field, min, max);
  }

  /** A vector with a 1-byte length prefix whose content is a sequence of items. */
  list8<T>(field: string, item: (r: Reader) => T, minBytes = 0, maxBytes = 0xff): T[] {
    return this.items(this.vector8(field, minBytes, maxBytes), item);
  }

  list16<T>(field: string, item: (r: Reader) => T, minBytes = 0, maxBytes = 0xffff): T[] {
    return this.items(this.vector16(field, minBytes, maxBytes), item);
  }

  list24<T>(field: string, item: (r: Reader) => T, minBytes = 0, maxBytes = 0xffffff): T[] {
    return this.items(this.vector24(field, minBytes, maxBytes), item);
  }

  private items<T>(content: Uint8Array, item: (r: Reader) => T): T[] {
    const inner = new Reader(content, 'invalid');
    const out: T[] = [];
    while (!inner.atEnd) out.push(item(inner));
    return out;
  }

  private vector(length: number, field: string, min: number, max: number): Uint8Array {
    // RFC 5246 §4.3: a vector's length outside its declared <min..max> is a decode error.
    if (length < min || length > max) this.fail('invalid', field);
    return this.bytes(length, field);
  }

  private need(n: number, field: string): void {
    if (n > this.buf.length - this.pos) this.fail(this.overrun, field);
  }
}

/**
 * Runs a decoder body over `bytes` and returns a Result: a DecodeFailure becomes
 * `{ ok: false }` (its field appended to `what`, e.g. "ClientHello.cookie"), and bytes
 * left over after the body are 'overlong'. Any other exception is a bug and propagates.
 */
export function decode<T>(what: string, bytes: Uint8Array, body: (r: Reader) => T): Result<T> {
  const r = new Reader(bytes);
  try {
    const value = body(r);
    if (!r.atEnd) return fail('overlong', what);
    return ok(value);
  } catch (e) {
    if (e instanceof DecodeFailure) return fail(e.kind, `${what}.${e.field}`);
    throw e;
  }
}
