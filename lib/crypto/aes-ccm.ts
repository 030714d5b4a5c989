import { unsafe } from '@noble/ciphers/aes.js';
import { timingSafeEqual } from './constant-time.js';
import { le32, putLe32 } from './words.js';

/** CCM authentication field sizes M (RFC 3610 §2: 4, 6, ..., 16 octets). DTLS uses 8 (CCM_8) and 16 (RFC 6655). */
export type CcmTagLength = 4 | 6 | 8 | 10 | 12 | 14 | 16;

/** AES-CCM bound to one key, whose expanded schedule is computed once. */
export interface AesCcm {
  readonly tagLength: CcmTagLength;
  /** Returns ciphertext || tag. Throws on a nonce outside 7..13 bytes or an over-long plaintext (caller bugs). */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /** Writes what `seal` returns into `out` from `offset` on (which must not overlap `plaintext`). Same errors as `seal`. */
  sealInto(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, out: Uint8Array, offset: number): void;
  /** Returns the plaintext, or null when the input is malformed or the tag does not verify. Never throws. */
  open(nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Uint8Array | null;
}

const BLOCK = 16;
const MIN_NONCE = 7;
const MAX_NONCE = 13;
const TAG_LENGTHS: readonly number[] = [4, 6, 8, 10, 12, 14, 16];

/**
 * Scratch shared by every key (everything here runs to completion synchronously): a block
 * for B0, the AAD blocks and the last partial block, the CBC-MAC state X_i, and S_0.
 */
const block = new Uint8Array(BLOCK);
const mac = new Int32Array(4);
const s0 = new Uint8Array(BLOCK);
const expectedTag = new Uint8Array(BLOCK);

/**
 * AES-CCM (NIST SP 800-38C, RFC 3610) composed from the raw AES block function of
 * @noble/ciphers, which has no CCM mode. Any nonce length 7..13 (L = 15 - n), any
 * tag length CCM defines, any AAD length; DTLS 1.2 uses n = 12 (RFC 6655 §3:
 * salt(4) || explicit(8)), so L = 3.
 */
export function aesCcm(key: Uint8Array, tagLength: CcmTagLength): AesCcm {
  if (!TAG_LENGTHS.includes(tagLength)) throw new RangeError(`AES-CCM: tag length ${tagLength} is not one CCM defines`);
  return new AesCcmCipher(unsafe.expandKeyLE(key), tagLength);
}

/**
 * The block function works on four little-endian 32-bit words (noble's layout); bytes are
 * assembled into words by hand, which keeps this independent of host endianness and of
 * the alignment of the caller's arrays, and allocates nothing per block.
 */
class AesCcmCipher implements AesCcm {
  constructor(
    private readonly xk: Uint32Array,
    readonly tagLength: CcmTagLength,
  ) {}

  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    const out = new Uint8Array(plaintext.length + this.tagLength);
    this.sealInto(nonce, plaintext, aad, out, 0);
    return out;
  }

  sealInto(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, out: Uint8Array, offset: number): void {
    if (!nonceFits(nonce, plaintext.length)) {
      throw new RangeError(`AES-CCM: nonce of ${nonce.length} bytes does not fit a ${plaintext.length}-byte message`);
    }
    // SP 800-38C §6.1: the tag is T = MSB_Tlen(CBC-MAC of the plaintext), sent as T xor MSB_Tlen(S_0).
    this.cbcMac(nonce, plaintext, aad);
    this.ctr(nonce, plaintext, 0, plaintext.length, out, offset);
    const tagOffset = offset + plaintext.length;
    for (let i = 0; i < this.tagLength; i++) out[tagOffset + i] = macByte(i) ^ s0[i];
  }

  open(nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Uint8Array | null {
    const { tagLength } = this;
    const length = ciphertextAndTag.length - tagLength;
    if (length < 0 || !nonceFits(nonce, length)) return null;
    // SP 800-38C §6.2: decrypt, then recompute the MAC over the plaintext.
    const plaintext = new Uint8Array(length);
    this.ctr(nonce, ciphertextAndTag, 0, length, plaintext, 0);
    this.cbcMac(nonce, plaintext, aad);
    for (let i = 0; i < tagLength; i++) expectedTag[i] = macByte(i) ^ s0[i];
    if (!timingSafeEqual(expectedTag.subarray(0, tagLength), ciphertextAndTag.subarray(length))) {
      // Release nothing of an unauthenticated decryption.
      plaintext.fill(0);
      return null;
    }
    return plaintext;
  }

  /**
   * CBC-MAC over B0 || encoded AAD, zero-padded to a block || payload, zero-padded to a
   * block (SP 800-38C §6.1 steps 1-4, Appendix A.2; RFC 3610 §2.2), left in `mac`.
   */
  private cbcMac(nonce: Uint8Array, payload: Uint8Array, aad: Uint8Array): void {
    const { xk } = this;
    const l = 15 - nonce.length;
    // B0 flags: Adata (bit 6), M' = (M - 2) / 2 (bits 5..3), L' = L - 1 (bits 2..0); then N, then Q.
    block[0] = (aad.length > 0 ? 0x40 : 0) | (((this.tagLength - 2) / 2) << 3) | (l - 1);
    block.set(nonce, 1);
    writeUintBE(block, l, payload.length);
    mac.fill(0);
    this.absorb(block);
    if (aad.length > 0) this.macAad(aad);
    let x0 = mac[0];
    let x1 = mac[1];
    let x2 = mac[2];
    let x3 = mac[3];
    const full = payload.length - (payload.length % BLOCK);
    for (let i = 0; i < full; i += BLOCK) {
      ({ s0: x0, s1: x1, s2: x2, s3: x3 } = unsafe.encrypt(
        xk,
        x0 ^ le32(payload, i),
        x1 ^ le32(payload, i + 4),
        x2 ^ le32(payload, i + 8),
        x3 ^ le32(payload, i + 12),
      ));
    }
    if (full < payload.length) {
      block.fill(0);
      block.set(payload.subarray(full));
      ({ s0: x0, s1: x1, s2: x2, s3: x3 } = unsafe.encrypt(xk, x0 ^ le32(block, 0), x1 ^ le32(block, 4), x2 ^ le32(block, 8), x3 ^ le32(block, 12)));
      block.fill(0); // no plaintext left behind in shared scratch
    }
    mac[0] = x0;
    mac[1] = x1;
    mac[2] = x2;
    mac[3] = x3;
  }

  /** Absorbs the AAD length encoding and the AAD, zero-padded to a block, into `mac`. */
  private macAad(aad: Uint8Array): void {
    // SP 800-38C A.2.2 / RFC 3610 §2.2: 2 bytes below 2^16 - 2^8, 0xFFFE || 4 bytes below 2^32, else 0xFFFF || 8 bytes.
    block.fill(0);
    let at: number;
    if (aad.length < 0xff00) {
      block[0] = aad.length >>> 8;
      block[1] = aad.length & 0xff;
      at = 2;
    } else if (aad.length < 2 ** 32) {
      block[0] = 0xff;
      block[1] = 0xfe;
      writeUintBE(block.subarray(0, 6), 4, aad.length);
      at = 6;
    } else {
      block[0] = 0xff;
      block[1] = 0xff;
      writeUintBE(block.subarray(0, 10), 8, aad.length);
      at = 10;
    }
    for (let i = 0; i < aad.length; ) {
      const n = Math.min(BLOCK - at, aad.length - i);
      block.set(aad.subarray(i, i + n), at);
      i += n;
      at += n;
      if (at === BLOCK || i === aad.length) {
        this.absorb(block);
        block.fill(0);
        at = 0;
      }
    }
  }

  private absorb(b: Uint8Array): void {
    const r = unsafe.encrypt(this.xk, mac[0] ^ le32(b, 0), mac[1] ^ le32(b, 4), mac[2] ^ le32(b, 8), mac[3] ^ le32(b, 12));
    mac[0] = r.s0;
    mac[1] = r.s1;
    mac[2] = r.s2;
    mac[3] = r.s3;
  }

  /**
   * XORs `src[start, start + length)` with the key stream S_1, S_2, ... into `dst` at
   * `dstOffset`, and leaves S_0, which masks the tag, in `s0` (SP 800-38C §6.1 steps 5-8;
   * RFC 3610 §2.3). Counter block A_i is flags(L-1) || nonce || i as an L-byte big-endian
   * integer.
   */
  private ctr(nonce: Uint8Array, src: Uint8Array, start: number, length: number, dst: Uint8Array, dstOffset: number): void {
    const { xk } = this;
    const l = 15 - nonce.length;
    block.fill(0);
    block[0] = l - 1;
    block.set(nonce, 1);
    const a0 = le32(block, 0);
    const a1 = le32(block, 4);
    const a2 = le32(block, 8);
    const a3 = le32(block, 12); // bytes 14 and 15 are always counter bytes (L >= 2), zero here
    const first = unsafe.encrypt(xk, a0, a1, a2, a3);
    putLe32(s0, 0, first.s0);
    putLe32(s0, 4, first.s1);
    putLe32(s0, 8, first.s2);
    putLe32(s0, 12, first.s3);
    for (let done = 0, i = 1; done < length; done += BLOCK, i++) {
      let k;
      if (i < 0x10000) {
        // only bytes 14 and 15 of A_i differ from A_0: the top two bytes of word 3
        k = unsafe.encrypt(xk, a0, a1, a2, a3 | ((i >>> 8) << 16) | ((i & 0xff) << 24));
      } else {
        writeUintBE(block, l, i);
        k = unsafe.encrypt(xk, le32(block, 0), le32(block, 4), le32(block, 8), le32(block, 12));
      }
      const s = start + done;
      const d = dstOffset + done;
      if (length - done >= BLOCK) {
        putLe32(dst, d, le32(src, s) ^ k.s0);
        putLe32(dst, d + 4, le32(src, s + 4) ^ k.s1);
        putLe32(dst, d + 8, le32(src, s + 8) ^ k.s2);
        putLe32(dst, d + 12, le32(src, s + 12) ^ k.s3);
      } else {
        const words = [k.s0, k.s1, k.s2, k.s3];
        for (let j = 0; j < length - done; j++) dst[d + j] = src[s + j] ^ (words[j >>> 2] >>> ((j & 3) * 8));
      }
    }
  }
}

/** Byte `i` of the CBC-MAC result X_r. */
function macByte(i: number): number {
  return (mac[i >>> 2] >>> ((i & 3) * 8)) & 0xff;
}

/** Nonce length in 7..13 and a message length that fits the L = 15 - n byte length field. */
function nonceFits(nonce: Uint8Array, messageLength: number): boolean {
  if (nonce.length < MIN_NONCE || nonce.length > MAX_NONCE) return false;
  const l = 15 - nonce.length;
  return l >= 7 || messageLength < 2 ** (8 * l);
}

/** Writes `value` as an L-byte big-endian integer into the last L bytes of `block` (the Q and counter fields). */
function writeUintBE(block: Uint8Array, l: number, value: number): void {
  const end = block.length;
  for (let j = end - 1, v = value; j >= end - l; j--, v = Math.floor(v / 256)) block[j] = v % 256;
}
