import { unsafe } from '@noble/ciphers/aes.js';
import { timingSafeEqual } from './constant-time.js';
import { be32, le32, putLe32 } from './words.js';

/** AES-GCM bound to one key, with 96-bit nonces only (RFC 5288 §3: what DTLS 1.2 uses). */
export interface AesGcm {
  readonly tagLength: 16;
  /** Returns ciphertext || tag. Throws on a nonce that is not 12 bytes or an over-long plaintext (caller bugs). */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /** Writes what `seal` returns into `out` from `offset` on (which must not overlap `plaintext`). Same errors as `seal`. */
  sealInto(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, out: Uint8Array, offset: number): void;
  /** Returns the plaintext, or null when the nonce is not 12 bytes, the input is shorter than the tag or the tag does not verify. Never throws. */
  open(nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Uint8Array | null;
}

const BLOCK = 16;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
/** SP 800-38D §5.2.1.1: len(P) <= 2^39 - 256 bits, so the 32-bit block counter never wraps. */
const MAX_PLAINTEXT_LENGTH = 2 ** 36 - 32;

/**
 * GHASH multiplies in GF(2^128) with the bit order of SP 800-38D §6.3: the first bit of a
 * block is the coefficient of x^0, so multiplying by x shifts the 128-bit big-endian value
 * right by one, folding the bit that falls off back in as R = 0xE1 || 0^120.
 * `multiplyByX(v, n)` does that n times on big-endian 32-bit words; the tables below are
 * derived from it rather than written out.
 */
function multiplyByX(v: readonly number[], n: number): number[] {
  let [a, b, c, d] = v;
  for (let i = 0; i < n; i++) {
    const carry = d & 1;
    d = (d >>> 1) | (c << 31);
    c = (c >>> 1) | (b << 31);
    b = (b >>> 1) | (a << 31);
    a = (a >>> 1) ^ (carry === 1 ? 0xe1000000 : 0);
  }
  return [a | 0, b | 0, c | 0, d | 0];
}

/**
 * Multiplying by x^4 shifts four bits off the end; REDUCE4[r] is what those bits r fold
 * back into the top word (the "rem_4bit" table of Shoup's method; the other words are 0).
 */
const REDUCE4 = Int32Array.from({ length: 16 }, (_, r) => multiplyByX([0, 0, 0, r], 4)[0]);

/**
 * Shoup's 4-bit table for H: entry n (four big-endian words) is H times the polynomial whose
 * coefficients of x^0..x^3 are the bits of n, most significant first. 256 bytes per key,
 * where noble's gcm() builds a larger table on every call.
 */
function shoupTable(h: readonly number[], table: Int32Array): void {
  let v = h;
  for (let bit = 8; bit >= 1; bit >>= 1) {
    table.set(v, bit * 4);
    v = multiplyByX(v, 1);
  }
  for (let high = 2; high < 16; high <<= 1) {
    for (let low = 1; low < high; low++) {
      for (let w = 0; w < 4; w++) table[(high + low) * 4 + w] = table[high * 4 + w] ^ table[low * 4 + w];
    }
  }
}

/**
 * The GHASH accumulator Y (big-endian words) and a block of scratch. Shared by every key:
 * a seal or open runs to completion synchronously.
 */
let y0 = 0;
let y1 = 0;
let y2 = 0;
let y3 = 0;
const block = new Uint8Array(BLOCK);
const expectedTag = new Uint8Array(TAG_LENGTH);

/** Y = (Y xor X) * H, X given as big-endian words; Horner's rule over X's 32 nibbles, highest degree first. */
function ghashBlock(table: Int32Array, x0: number, x1: number, x2: number, x3: number): void {
  const w0 = y0 ^ x0;
  const w1 = y1 ^ x1;
  const w2 = y2 ^ x2;
  const w3 = y3 ^ x3;
  let z0 = 0;
  let z1 = 0;
  let z2 = 0;
  let z3 = 0;
  for (let i = 0; i < 4; i++) {
    // the last word holds the highest-degree coefficients; within a word, the lowest nibble
    let w = i === 0 ? w3 : i === 1 ? w2 : i === 2 ? w1 : w0;
    for (let j = 0; j < 8; j++, w >>>= 4) {
      const r = z3 & 0xf;
      z3 = (z3 >>> 4) | (z2 << 28);
      z2 = (z2 >>> 4) | (z1 << 28);
      z1 = (z1 >>> 4) | (z0 << 28);
      z0 = (z0 >>> 4) ^ REDUCE4[r];
      const k = (w & 0xf) << 2;
      z0 ^= table[k];
      z1 ^= table[k + 1];
      z2 ^= table[k + 2];
      z3 ^= table[k + 3];
    }
  }
  y0 = z0;
  y1 = z1;
  y2 = z2;
  y3 = z3;
}

/** GHASH over `bytes[start, end)`, the last block zero-padded (SP 800-38D §7.1 step 5: A || 0^v, C || 0^u). */
function ghashBytes(table: Int32Array, bytes: Uint8Array, start: number, end: number): void {
  let i = start;
  for (; i + BLOCK <= end; i += BLOCK) ghashBlock(table, be32(bytes, i), be32(bytes, i + 4), be32(bytes, i + 8), be32(bytes, i + 12));
  if (i < end) {
    block.fill(0);
    for (let j = 0; i + j < end; j++) block[j] = bytes[i + j];
    ghashBlock(table, be32(block, 0), be32(block, 4), be32(block, 8), be32(block, 12));
  }
}

/** The last GHASH block: len(A) || len(C) in bits, as 64-bit big-endian integers. */
function ghashLengths(table: Int32Array, aadLength: number, dataLength: number): void {
  ghashBlock(table, Math.floor(aadLength / 2 ** 29), (aadLength * 8) >>> 0, Math.floor(dataLength / 2 ** 29), (dataLength * 8) >>> 0);
}

/**
 * AES-GCM (NIST SP 800-38D) on the raw AES block function of @noble/ciphers, with the key
 * schedule, H and the GHASH table computed once per key instead of on every call as
 * noble's gcm() does. `key` is 16, 24 or 32 bytes.
 */
export function aesGcm(key: Uint8Array): AesGcm {
  const expanded = unsafe.expandKeyLE(key);
  // One allocation for both: the round keys, then the 16-entry table.
  const buffer = new ArrayBuffer((expanded.length + 64) * 4);
  const xk = new Uint32Array(buffer, 0, expanded.length);
  xk.set(expanded);
  expanded.fill(0);
  const table = new Int32Array(buffer, xk.byteLength, 64);
  // H = E_K(0^128) (SP 800-38D §7.1 step 1), as big-endian words.
  const h = unsafe.encrypt(xk, 0, 0, 0, 0);
  shoupTable([bswap(h.s0), bswap(h.s1), bswap(h.s2), bswap(h.s3)], table);
  return new AesGcmCipher(xk, table);
}

/**
 * The block function works on four little-endian 32-bit words (noble's layout), GHASH on
 * big-endian ones; bytes are assembled into words by hand, which keeps this independent of
 * host endianness and of the alignment of the caller's arrays, and allocates nothing per block.
 */
class AesGcmCipher implements AesGcm {
  readonly tagLength = TAG_LENGTH;

  constructor(
    private readonly xk: Uint32Array,
    private readonly table: Int32Array,
  ) {}

  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    const out = new Uint8Array(plaintext.length + TAG_LENGTH);
    this.sealInto(nonce, plaintext, aad, out, 0);
    return out;
  }

  sealInto(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, out: Uint8Array, offset: number): void {
    if (nonce.length !== NONCE_LENGTH) throw new RangeError(`AES-GCM: nonce must be ${NONCE_LENGTH} bytes, got ${nonce.length}`);
    if (plaintext.length > MAX_PLAINTEXT_LENGTH) throw new RangeError(`AES-GCM: plaintext of ${plaintext.length} bytes is over the limit`);
    const { xk, table } = this;
    const n0 = le32(nonce, 0);
    const n1 = le32(nonce, 4);
    const n2 = le32(nonce, 8);
    y0 = y1 = y2 = y3 = 0;
    ghashBytes(table, aad, 0, aad.length);
    // SP 800-38D §7.1: J0 = IV || 0^31 || 1 for a 96-bit IV; the payload's counters start at inc32(J0).
    const length = plaintext.length;
    let counter = 2;
    let i = 0;
    for (; i + BLOCK <= length; i += BLOCK, counter++) {
      const k = unsafe.encrypt(xk, n0, n1, n2, bswap(counter));
      const c0 = le32(plaintext, i) ^ k.s0;
      const c1 = le32(plaintext, i + 4) ^ k.s1;
      const c2 = le32(plaintext, i + 8) ^ k.s2;
      const c3 = le32(plaintext, i + 12) ^ k.s3;
      const o = offset + i;
      putLe32(out, o, c0);
      putLe32(out, o + 4, c1);
      putLe32(out, o + 8, c2);
      putLe32(out, o + 12, c3);
      ghashBlock(table, bswap(c0), bswap(c1), bswap(c2), bswap(c3));
    }
    if (i < length) {
      const k = unsafe.encrypt(xk, n0, n1, n2, bswap(counter));
      keystreamTail(plaintext, i, length, out, offset + i, k);
      ghashBytes(table, out, offset + i, offset + length);
    }
    ghashLengths(table, aad.length, length);
    this.tagInto(n0, n1, n2, out, offset + length);
  }

  open(nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Uint8Array | null {
    const length = ciphertextAndTag.length - TAG_LENGTH;
    if (nonce.length !== NONCE_LENGTH || length < 0) return null;
    const { xk, table } = this;
    const n0 = le32(nonce, 0);
    const n1 = le32(nonce, 4);
    const n2 = le32(nonce, 8);
    // SP 800-38D §7.2: authenticate before decrypting, so no unauthenticated plaintext exists.
    y0 = y1 = y2 = y3 = 0;
    ghashBytes(table, aad, 0, aad.length);
    ghashBytes(table, ciphertextAndTag, 0, length);
    ghashLengths(table, aad.length, length);
    this.tagInto(n0, n1, n2, expectedTag, 0);
    if (!timingSafeEqual(expectedTag, ciphertextAndTag.subarray(length))) return null;
    const plaintext = new Uint8Array(length);
    let counter = 2;
    let i = 0;
    for (; i + BLOCK <= length; i += BLOCK, counter++) {
      const k = unsafe.encrypt(xk, n0, n1, n2, bswap(counter));
      putLe32(plaintext, i, le32(ciphertextAndTag, i) ^ k.s0);
      putLe32(plaintext, i + 4, le32(ciphertextAndTag, i + 4) ^ k.s1);
      putLe32(plaintext, i + 8, le32(ciphertextAndTag, i + 8) ^ k.s2);
      putLe32(plaintext, i + 12, le32(ciphertextAndTag, i + 12) ^ k.s3);
    }
    if (i < length) keystreamTail(ciphertextAndTag, i, length, plaintext, i, unsafe.encrypt(xk, n0, n1, n2, bswap(counter)));
    return plaintext;
  }

  /** T = E_K(J0) xor GHASH (SP 800-38D §7.1 steps 6-7), written at `out[offset]`. */
  private tagInto(n0: number, n1: number, n2: number, out: Uint8Array, offset: number): void {
    const e = unsafe.encrypt(this.xk, n0, n1, n2, bswap(1));
    putLe32(out, offset, e.s0 ^ bswap(y0));
    putLe32(out, offset + 4, e.s1 ^ bswap(y1));
    putLe32(out, offset + 8, e.s2 ^ bswap(y2));
    putLe32(out, offset + 12, e.s3 ^ bswap(y3));
  }
}

/** XORs the last, partial block `src[start, end)` with the first bytes of key stream block `k` into `dst`. */
function keystreamTail(src: Uint8Array, start: number, end: number, dst: Uint8Array, dstOffset: number, k: { s0: number; s1: number; s2: number; s3: number }): void {
  for (let j = 0; start + j < end; j++) {
    const word = j < 4 ? k.s0 : j < 8 ? k.s1 : j < 12 ? k.s2 : k.s3;
    dst[dstOffset + j] = src[start + j] ^ (word >>> ((j & 3) * 8));
  }
}

function bswap(w: number): number {
  return ((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24);
}
