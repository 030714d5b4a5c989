import { unsafe } from '@noble/ciphers/aes.js';
import { hchacha } from '@noble/ciphers/chacha.js';
import type { Tls13CipherSuite } from '../crypto/tls13-cipher-suites.js';
import { le32, putLe32 } from '../crypto/words.js';

/**
 * Record number encryption (RFC 9147 §4.2.3): a DTLS 1.3 record's 8 or 16 sequence number
 * bits travel XORed with a mask computed from the first 16 bytes of its ciphertext under the
 * epoch's sn_key (trafficKeys(...).snKey):
 *
 *   AES suites:    Mask = AES-ECB(sn_key, Ciphertext[0..15])
 *   ChaCha20:      Mask = ChaCha20(sn_key, counter = Ciphertext[0..3], nonce = Ciphertext[4..15])
 *
 * Usage: `const masker = recordNumberMasker(suite, snKey)` once per epoch and direction, then
 * `masker(record, ciphertextOffset)` gives the mask (a shared 16-byte buffer, valid until the
 * next call) for the record whose encrypted_record starts there. The sender applies it after
 * sealing, the receiver before opening; the AAD is the header with the plain bits (§4).
 *
 * The sample needs 16 bytes of ciphertext: a receiver drops shorter records as if they failed
 * deprotection, and a sender pads the inner plaintext until they are long enough
 * (maskPaddingLength; only CCM_8's 8-byte tag can leave a record that short).
 */
export const RECORD_NUMBER_SAMPLE_LENGTH = 16;

/** Gives the mask for the ciphertext sample at `source[offset..offset+15]`; the caller made sure the 16 bytes are there. */
export type RecordNumberMasker = (source: Uint8Array, offset: number) => Uint8Array;

/** One mask buffer for every masker: each call runs to completion, and its result is read before the next. */
const mask = new Uint8Array(RECORD_NUMBER_SAMPLE_LENGTH);

/** Binds the mask function of the suite's cipher to one sn_key (keyLength bytes; anything else is a caller bug and throws). */
export function recordNumberMasker(suite: Tls13CipherSuite, snKey: Uint8Array): RecordNumberMasker {
  if (snKey.length !== suite.keyLength) throw new RangeError(`${suite.name} needs a ${suite.keyLength}-byte sn_key, got ${snKey.length}`);
  return suite.aead === 'CHACHA20_POLY1305' ? chachaMasker(snKey) : aesMasker(snKey);
}

/** The mask of one sample (a copy): for specs and one-off use; a record layer keeps a masker per epoch. */
export function recordNumberMask(suite: Tls13CipherSuite, snKey: Uint8Array, sample16: Uint8Array): Uint8Array {
  if (sample16.length < RECORD_NUMBER_SAMPLE_LENGTH) throw new RangeError(`the record number mask needs a ${RECORD_NUMBER_SAMPLE_LENGTH}-byte sample`);
  return recordNumberMasker(suite, snKey)(sample16, 0).slice();
}

/**
 * Zero bytes of DTLSInnerPlaintext padding a sender adds so that the ciphertext (inner
 * plaintext and tag) reaches the 16 bytes the mask samples (RFC 9147 §4.2.3).
 */
export function maskPaddingLength(suite: Tls13CipherSuite, innerPlaintextLength: number): number {
  return Math.max(0, RECORD_NUMBER_SAMPLE_LENGTH - innerPlaintextLength - suite.tagLength);
}

/** AES-ECB of one block: noble's block function on the expanded key (one expansion per epoch). */
function aesMasker(snKey: Uint8Array): RecordNumberMasker {
  const xk = unsafe.expandKeyLE(snKey);
  return (source, offset) => {
    const e = unsafe.encrypt(xk, le32(source, offset), le32(source, offset + 4), le32(source, offset + 8), le32(source, offset + 12));
    putLe32(mask, 0, e.s0);
    putLe32(mask, 4, e.s1);
    putLe32(mask, 8, e.s2);
    putLe32(mask, 12, e.s3);
    return mask;
  };
}

/** "expand 32-byte k", the ChaCha20 constants of RFC 8439 §2.3. */
const SIGMA = Uint32Array.of(0x61707865, 0x3320646e, 0x79622d32, 0x6b206574);

/**
 * The first 16 bytes of the ChaCha20 block (RFC 8439 §2.3) for counter || nonce = the sample,
 * the counter read as a little-endian uint32 (as RFC 9001 §5.4.4 spells out for QUIC's identical
 * header protection). noble's chacha20() refuses the counter 0xffffffff, which a sample may
 * hold; its hchacha() runs the same block function for any counter and returns words 0..3
 * without the final addition of the input state (RFC 8439 §2.3 step "add the original input
 * words"), which is added back here: those four words are the constants. hchacha reads its
 * word arrays in host order, which is the little-endian order filled in here on every host
 * noble's ciphers run on (its AEADs refuse big-endian hosts).
 */
function chachaMasker(snKey: Uint8Array): RecordNumberMasker {
  const key = new Uint32Array(8);
  for (let i = 0; i < 8; i++) key[i] = le32(snKey, 4 * i);
  const input = new Uint32Array(4);
  const out = new Uint32Array(8);
  return (source, offset) => {
    for (let i = 0; i < 4; i++) input[i] = le32(source, offset + 4 * i);
    hchacha(SIGMA, key, input, out);
    for (let i = 0; i < 4; i++) putLe32(mask, 4 * i, out[i] + SIGMA[i]);
    out.fill(0);
    return mask;
  };
}
