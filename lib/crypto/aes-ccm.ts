import { unsafe } from '@noble/ciphers/aes.js';
import { timingSafeEqual } from './constant-time.js';

/** CCM authentication field sizes M (RFC 3610 §2: 4, 6, ..., 16 octets). DTLS uses 8 (CCM_8) and 16 (RFC 6655). */
export type CcmTagLength = 4 | 6 | 8 | 10 | 12 | 14 | 16;

/** AES-CCM bound to one key, whose expanded schedule is computed once. */
export interface AesCcm {
  readonly tagLength: CcmTagLength;
  /** Returns ciphertext || tag. Throws on a nonce outside 7..13 bytes or an over-long plaintext (caller bugs). */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /** Returns the plaintext, or null when the input is malformed or the tag does not verify. Never throws. */
  open(nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Uint8Array | null;
}

const BLOCK = 16;
const MIN_NONCE = 7;
const MAX_NONCE = 13;
const TAG_LENGTHS: readonly number[] = [4, 6, 8, 10, 12, 14, 16];

/**
 * AES-CCM (NIST SP 800-38C, RFC 3610) composed from the raw AES block function of
 * @noble/ciphers, which has no CCM mode. Any nonce length 7..13 (L = 15 - n), any
 * tag length CCM defines, any AAD length; DTLS 1.2 uses n = 12 (RFC 6655 §3:
 * salt(4) || explicit(8)), so L = 3.
 */
export function aesCcm(key: Uint8Array, tagLength: CcmTagLength): AesCcm {
  if (!TAG_LENGTHS.includes(tagLength)) throw new RangeError(`AES-CCM: tag length ${tagLength} is not one CCM defines`);
  const xk = unsafe.expandKeyLE(key);

  // The block function works on four little-endian 32-bit words (noble's layout);
  // reading and writing them through a DataView keeps this independent of host endianness.
  function encryptBlockInto(src: DataView, srcOffset: number, dst: DataView): void {
    const { s0, s1, s2, s3 } = unsafe.encrypt(
      xk,
      src.getUint32(srcOffset, true),
      src.getUint32(srcOffset + 4, true),
      src.getUint32(srcOffset + 8, true),
      src.getUint32(srcOffset + 12, true),
    );
    dst.setUint32(0, s0, true);
    dst.setUint32(4, s1, true);
    dst.setUint32(8, s2, true);
    dst.setUint32(12, s3, true);
  }

  /** CBC-MAC over B0 || encoded AAD || payload (SP 800-38C §6.1 steps 1-4); returns the full 16-byte X_r. */
  function cbcMac(nonce: Uint8Array, payload: Uint8Array, aad: Uint8Array): Uint8Array {
    const input = formatMacInput(nonce, payload, aad, tagLength);
    const view = new DataView(input.buffer);
    const x = new Uint8Array(BLOCK);
    const xView = new DataView(x.buffer);
    for (let offset = 0; offset < input.length; offset += BLOCK) {
      for (let i = 0; i < BLOCK; i++) input[offset + i] ^= x[i];
      encryptBlockInto(view, offset, xView);
    }
    return x;
  }

  /**
   * XORs `data` in place with the key stream S_1, S_2, ... and returns S_0, which masks
   * the tag (SP 800-38C §6.1 steps 5-8; RFC 3610 §2.3). Counter block A_i is
   * flags(L-1) || nonce || i as an L-byte big-endian integer.
   */
  function ctr(nonce: Uint8Array, data: Uint8Array): Uint8Array {
    const l = 15 - nonce.length;
    const counter = new Uint8Array(BLOCK);
    counter[0] = l - 1;
    counter.set(nonce, 1);
    const counterView = new DataView(counter.buffer);
    const stream = new Uint8Array(BLOCK);
    const streamView = new DataView(stream.buffer);
    const s0 = new Uint8Array(BLOCK);
    encryptBlockInto(counterView, 0, new DataView(s0.buffer));
    for (let offset = 0, i = 1; offset < data.length; offset += BLOCK, i++) {
      writeUintBE(counter, l, i);
      encryptBlockInto(counterView, 0, streamView);
      const end = Math.min(BLOCK, data.length - offset);
      for (let j = 0; j < end; j++) data[offset + j] ^= stream[j];
    }
    return s0;
  }

  return {
    tagLength,
    seal(nonce, plaintext, aad) {
      if (!nonceFits(nonce, plaintext.length)) {
        throw new RangeError(`AES-CCM: nonce of ${nonce.length} bytes does not fit a ${plaintext.length}-byte message`);
      }
      const out = new Uint8Array(plaintext.length + tagLength);
      const mac = cbcMac(nonce, plaintext, aad);
      out.set(plaintext, 0);
      const s0 = ctr(nonce, out.subarray(0, plaintext.length));
      for (let i = 0; i < tagLength; i++) out[plaintext.length + i] = mac[i] ^ s0[i];
      return out;
    },
    open(nonce, ciphertextAndTag, aad) {
      const length = ciphertextAndTag.length - tagLength;
      if (length < 0 || !nonceFits(nonce, length)) return null;
      const plaintext = ciphertextAndTag.slice(0, length);
      const s0 = ctr(nonce, plaintext);
      const mac = cbcMac(nonce, plaintext, aad);
      const expected = new Uint8Array(tagLength);
      for (let i = 0; i < tagLength; i++) expected[i] = mac[i] ^ s0[i];
      if (!timingSafeEqual(expected, ciphertextAndTag.subarray(length))) {
        // Release nothing of an unauthenticated decryption.
        plaintext.fill(0);
        return null;
      }
      return plaintext;
    },
  };
}

/** Nonce length in 7..13 and a message length that fits the L = 15 - n byte length field. */
function nonceFits(nonce: Uint8Array, messageLength: number): boolean {
  if (nonce.length < MIN_NONCE || nonce.length > MAX_NONCE) return false;
  const l = 15 - nonce.length;
  return l >= 7 || messageLength < 2 ** (8 * l);
}

/** Writes `value` as an L-byte big-endian integer into the last L bytes of a block (the Q and counter fields). */
function writeUintBE(block: Uint8Array, l: number, value: number): void {
  for (let j = BLOCK - 1, v = value; j >= BLOCK - l; j--, v = Math.floor(v / 256)) block[j] = v % 256;
}

/**
 * B0 || encoded AAD, zero-padded to a block || payload, zero-padded to a block
 * (SP 800-38C Appendix A.2; RFC 3610 §2.2).
 */
function formatMacInput(nonce: Uint8Array, payload: Uint8Array, aad: Uint8Array, tagLength: number): Uint8Array {
  const l = 15 - nonce.length;
  const aadHeader = aadLengthHeader(aad.length);
  const aadLength = aad.length === 0 ? 0 : padToBlock(aadHeader.length + aad.length);
  const input = new Uint8Array(BLOCK + aadLength + padToBlock(payload.length));
  // Flags: Adata (bit 6), M' = (M - 2) / 2 (bits 5..3), L' = L - 1 (bits 2..0).
  input[0] = (aad.length > 0 ? 0x40 : 0) | (((tagLength - 2) / 2) << 3) | (l - 1);
  input.set(nonce, 1);
  writeUintBE(input, l, payload.length);
  if (aad.length > 0) {
    input.set(aadHeader, BLOCK);
    input.set(aad, BLOCK + aadHeader.length);
  }
  input.set(payload, BLOCK + aadLength);
  return input;
}

/** SP 800-38C A.2.2 / RFC 3610 §2.2: 2 bytes below 2^16 - 2^8, 0xFFFE || 4 bytes below 2^32, else 0xFFFF || 8 bytes. */
function aadLengthHeader(length: number): Uint8Array {
  if (length === 0) return new Uint8Array(0);
  if (length < 0xff00) return Uint8Array.of(length >>> 8, length & 0xff);
  if (length < 2 ** 32) {
    const header = Uint8Array.of(0xff, 0xfe, 0, 0, 0, 0);
    new DataView(header.buffer).setUint32(2, length);
    return header;
  }
  const header = Uint8Array.of(0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0);
  const view = new DataView(header.buffer);
  view.setUint32(2, Math.floor(length / 2 ** 32));
  view.setUint32(6, length >>> 0);
  return header;
}

function padToBlock(n: number): number {
  return Math.ceil(n / BLOCK) * BLOCK;
}
