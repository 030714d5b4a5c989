import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import type { Aead, AeadAlgorithm } from '../../lib/crypto/aead.js';
import { createAead } from '../../lib/crypto/aeads.js';
import { CIPHER_SUITES, cipherSuiteByName, type CipherSuite } from '../../lib/crypto/cipher-suites.js';
import { aeadCipher, nullCipher, type RecordCipher } from '../../lib/record/record-cipher.js';
import { MAX_SEQUENCE_NUMBER } from '../../lib/record/sequence-number.js';
import { ContentType, DTLS_1_0, DTLS_1_2, MAX_PLAINTEXT_LENGTH } from '../../lib/wire/constants.js';
import { decodeRecordHeader, type RecordHeader } from '../../lib/wire/record-header.js';
import { Prng } from '../wire/helpers/prng.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);


function suite(name: string): CipherSuite {
  const s = cipherSuiteByName(name);
  if (!s) throw new Error(`no suite ${name}`);
  return s;
}

/** Splits a record produced by protect() back into header and fragment, as the receive path would. */
function parse(record: Uint8Array): { header: RecordHeader; fragment: Uint8Array } {
  const decoded = decodeRecordHeader(record);
  if (!decoded.ok) throw new Error('test record has no header');
  return { header: decoded.value, fragment: record.subarray(13) };
}

function unprotectRecord(cipher: RecordCipher, record: Uint8Array): Uint8Array | null {
  const { header, fragment } = parse(record);
  return cipher.unprotect(header, fragment);
}

function keysFor(s: CipherSuite, seed: number): { key: Uint8Array; iv: Uint8Array } {
  const random = new Prng(seed);
  return { key: random.bytes(s.keyLength), iv: random.bytes(s.fixedIvLength) };
}

describe('aeadCipher known answers, built from the RFC formulas with noble directly', () => {
  // epoch 1, sequence number above 2^32 so both halves of the 48-bit field matter
  const epoch = 1;
  const seq = 0x1234_5678_9abc;
  const plaintext = utf8('hello dtls'); // 10 bytes
  // RFC 5246 §6.2.3.3 + RFC 6347 §4.1.2.1: epoch(2) seq(6) type(1) version(2) plaintext length(2)
  const aad = hexToBytes('0001123456789abc' + '17' + 'fefd' + '000a');

  it('AES-128-GCM: nonce = salt || epoch||seq, explicit nonce leads the fragment (RFC 5288 §3)', () => {
    const key = hexToBytes('000102030405060708090a0b0c0d0e0f');
    const salt = hexToBytes('a1a2a3a4');
    const nonce = hexToBytes('a1a2a3a4' + '0001123456789abc');
    const sealed = gcm(key, nonce, aad).encrypt(plaintext);
    // type 23, version fefd, epoch 1, seq, length = 8 explicit + 10 + 16 tag = 34
    const expected = concatBytes(hexToBytes('17fefd0001123456789abc0022'), hexToBytes('0001123456789abc'), sealed);

    const cipher = aeadCipher(epoch, suite('TLS_PSK_WITH_AES_128_GCM_SHA256'), key, salt, createAead);
    const record = cipher.protect(ContentType.application_data, DTLS_1_2, seq, plaintext);
    expect(bytesToHex(record)).toBe(bytesToHex(expected));
    expect(unprotectRecord(cipher, expected)).toEqual(plaintext);
  });

  it('AES-256-GCM: the same construction with a 32-byte key', () => {
    const key = hexToBytes('ff'.repeat(16) + '00'.repeat(16));
    const salt = hexToBytes('01020304');
    const nonce = hexToBytes('01020304' + '0001123456789abc');
    const expected = concatBytes(
      hexToBytes('17fefd0001123456789abc0022'),
      hexToBytes('0001123456789abc'),
      gcm(key, nonce, aad).encrypt(plaintext),
    );
    const cipher = aeadCipher(epoch, suite('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'), key, salt, createAead);
    expect(bytesToHex(cipher.protect(23, DTLS_1_2, seq, plaintext))).toBe(bytesToHex(expected));
  });

  it('ChaCha20-Poly1305: nonce = IV xor (0000 || epoch||seq), no explicit nonce (RFC 7905 §2)', () => {
    const key = hexToBytes('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
    const iv = hexToBytes('000102030405060708090a0b');
    // 000102030405060708090a0b xor 00000000 0001 123456789abc, worked out by hand
    const nonce = hexToBytes('00010203' + '0404' + '14335e7190b7');
    // length = 10 + 16 tag = 26
    const expected = concatBytes(hexToBytes('17fefd0001123456789abc001a'), chacha20poly1305(key, nonce, aad).encrypt(plaintext));

    const cipher = aeadCipher(epoch, suite('TLS_PSK_WITH_CHACHA20_POLY1305_SHA256'), key, iv, createAead);
    const record = cipher.protect(ContentType.application_data, DTLS_1_2, seq, plaintext);
    expect(bytesToHex(record)).toBe(bytesToHex(expected));
    expect(unprotectRecord(cipher, expected)).toEqual(plaintext);
  });

  it('GCM: opens a record whose explicit nonce is not the sequence number (RFC 5288 §3 leaves it to the sender)', () => {
    const key = hexToBytes('000102030405060708090a0b0c0d0e0f');
    const explicit = hexToBytes('deadbeef00000007');
    const sealed = gcm(key, concatBytes(hexToBytes('a1a2a3a4'), explicit), aad).encrypt(plaintext);
    const record = concatBytes(hexToBytes('17fefd0001123456789abc0022'), explicit, sealed);
    const cipher = aeadCipher(epoch, suite('TLS_PSK_WITH_AES_128_GCM_SHA256'), key, hexToBytes('a1a2a3a4'), createAead);
    expect(unprotectRecord(cipher, record)).toEqual(plaintext);
  });

  it('rejects a record that authenticates but carries more than 2^14 bytes of plaintext (RFC 6347 record_overflow)', () => {
    const key = hexToBytes('000102030405060708090a0b0c0d0e0f');
    const big = new Uint8Array(MAX_PLAINTEXT_LENGTH + 1);
    const bigAad = hexToBytes('0001123456789abc' + '17' + 'fefd' + '4001');
    const sealed = gcm(key, hexToBytes('a1a2a3a4' + '0001123456789abc'), bigAad).encrypt(big);
    const header: RecordHeader = { contentType: 23, version: DTLS_1_2, epoch, sequenceNumber: seq, length: 8 + sealed.length };
    const cipher = aeadCipher(epoch, suite('TLS_PSK_WITH_AES_128_GCM_SHA256'), key, hexToBytes('a1a2a3a4'), createAead);
    expect(cipher.unprotect(header, concatBytes(hexToBytes('0001123456789abc'), sealed))).toBeNull();
    // the same construction one byte shorter does open, so the limit is what rejected it
    const fits = gcm(key, hexToBytes('a1a2a3a4' + '0001123456789abc'), hexToBytes('0001123456789abc17fefd4000')).encrypt(
      big.subarray(1),
    );
    const fitsHeader = { ...header, length: 8 + fits.length };
    expect(cipher.unprotect(fitsHeader, concatBytes(hexToBytes('0001123456789abc'), fits))).toEqual(big.subarray(1));
  });
});

describe('aeadCipher with every suite in CIPHER_SUITES', () => {
  for (const [index, s] of CIPHER_SUITES.entries()) {
    describe(s.name, () => {
      const { key, iv } = keysFor(s, index + 1);

      it('round-trips plaintexts of 0, 1, 100 and 2^14 bytes at sequence numbers 0, 2^32 and 2^48-1', () => {
        const random = new Prng(1000 + index);
        const writer = aeadCipher(3, s, key, iv, createAead);
        const reader = aeadCipher(3, s, key, iv, createAead);
        for (const seq of [0, 2 ** 32, MAX_SEQUENCE_NUMBER]) {
          for (const size of [0, 1, 100, MAX_PLAINTEXT_LENGTH]) {
            const plaintext = random.bytes(size);
            const record = writer.protect(ContentType.handshake, DTLS_1_2, seq, plaintext);
            const { header, fragment } = parse(record);
            expect(header).toEqual({ contentType: 22, version: DTLS_1_2, epoch: 3, sequenceNumber: seq, length: fragment.length });
            expect(fragment.length).toBe(s.recordIvLength + size + s.tagLength);
            if (s.recordIvLength === 8) {
              // RFC 6655 §3 / RFC 5288 §3: explicit nonce = epoch||sequence_number
              expect(bytesToHex(fragment.subarray(0, 8))).toBe(bytesToHex(record.subarray(3, 11)));
            }
            // a 1-byte ciphertext equals its plaintext one time in 256; 100 bytes never will
            if (size >= 100) expect(bytesToHex(fragment.subarray(s.recordIvLength, s.recordIvLength + size))).not.toBe(bytesToHex(plaintext));
            expect(reader.unprotect(header, fragment)).toEqual(plaintext);
          }
        }
      });

      it('returns null when any single bit of the header or fragment is flipped', () => {
        const cipher = aeadCipher(1, s, key, iv, createAead);
        const record = cipher.protect(ContentType.application_data, DTLS_1_2, 77, utf8('twenty bytes of data'));
        expect(unprotectRecord(cipher, record)).not.toBeNull();
        for (let bit = 0; bit < record.length * 8; bit++) {
          const tampered = record.slice();
          tampered[bit >>> 3] ^= 1 << (bit & 7);
          expect(unprotectRecord(cipher, tampered), `bit ${bit}`).toBeNull();
        }
      });

      it('returns null for another epoch, another sequence number, another key or the other direction', () => {
        const cipher = aeadCipher(1, s, key, iv, createAead);
        const record = cipher.protect(ContentType.application_data, DTLS_1_2, 77, utf8('payload'));
        const { header, fragment } = parse(record);
        expect(cipher.unprotect({ ...header, sequenceNumber: 78 }, fragment)).toBeNull();
        expect(cipher.unprotect({ ...header, sequenceNumber: 77 + 2 ** 32 }, fragment)).toBeNull();
        // epoch 2 under the same keys: the epoch is authenticated, not just compared
        const sameKeysEpoch2 = aeadCipher(2, s, key, iv, createAead);
        expect(sameKeysEpoch2.unprotect({ ...header, epoch: 2 }, fragment)).toBeNull();
        expect(cipher.unprotect({ ...header, epoch: 2 }, fragment)).toBeNull();
        const other = keysFor(s, 99 + index);
        expect(aeadCipher(1, s, other.key, iv, createAead).unprotect(header, fragment)).toBeNull();
        expect(aeadCipher(1, s, key, other.iv, createAead).unprotect(header, fragment)).toBeNull();
      });

      it('returns null, without throwing, for every fragment shorter than explicit nonce + tag and for a header length that disagrees', () => {
        const cipher = aeadCipher(1, s, key, iv, createAead);
        const record = cipher.protect(ContentType.application_data, DTLS_1_2, 5, utf8('x'));
        const { header, fragment } = parse(record);
        for (let n = 0; n < s.recordIvLength + s.tagLength; n++) {
          expect(cipher.unprotect({ ...header, length: n }, fragment.subarray(0, n))).toBeNull();
        }
        expect(cipher.unprotect({ ...header, length: header.length + 1 }, fragment)).toBeNull();
      });

      it('seals the same plaintext differently at different sequence numbers (no nonce reuse)', () => {
        const cipher = aeadCipher(1, s, key, iv, createAead);
        const a = cipher.protect(23, DTLS_1_2, 1, utf8('same'));
        const b = cipher.protect(23, DTLS_1_2, 2, utf8('same'));
        expect(bytesToHex(a.subarray(13 + s.recordIvLength))).not.toBe(bytesToHex(b.subarray(13 + s.recordIvLength)));
      });
    });
  }
});

describe('aeadCipher with an Aead that has no sealInto', () => {
  // A CryptoProvider need not implement sealInto; protect then seals and copies.
  const sealOnly = (algorithm: AeadAlgorithm, key: Uint8Array): Aead => {
    const aead = createAead(algorithm, key);
    return { algorithm: aead.algorithm, tagLength: aead.tagLength, seal: aead.seal.bind(aead), open: aead.open.bind(aead) };
  };
  for (const [index, s] of CIPHER_SUITES.entries()) {
    it(`${s.name}: writes the same records as with sealInto, and they open`, () => {
      const { key, iv } = keysFor(s, 300 + index);
      const random = new Prng(400 + index);
      const withInto = aeadCipher(2, s, key, iv, createAead);
      const without = aeadCipher(2, s, key, iv, sealOnly);
      for (const size of [0, 17, 1024]) {
        const plaintext = random.bytes(size);
        const record = without.protect(23, DTLS_1_2, 40 + size, plaintext);
        expect(bytesToHex(record)).toBe(bytesToHex(withInto.protect(23, DTLS_1_2, 40 + size, plaintext)));
        expect(unprotectRecord(withInto, record)).toEqual(plaintext);
      }
    });
  }
});

describe('aeadCipher instances in turn', () => {
  it('do not disturb each other: records interleaved across suites, epochs and directions equal those of fresh ciphers', () => {
    const random = new Prng(77);
    const ciphers = CIPHER_SUITES.map((s, i) => ({ s, ...keysFor(s, 500 + i), epoch: 1 + (i % 3) }));
    const live = ciphers.map((c) => aeadCipher(c.epoch, c.s, c.key, c.iv, createAead));
    const sealedRecords: Uint8Array[] = [];
    const plaintexts: Uint8Array[] = [];
    for (let round = 0; round < 3; round++) {
      for (const [i, cipher] of live.entries()) {
        const plaintext = random.bytes(1 + random.int(200));
        const record = cipher.protect(22 + (i % 2), DTLS_1_2, round * 1000 + i, plaintext);
        // the previous cipher's last record still opens after this one was sealed
        if (sealedRecords.length > 0) {
          expect(unprotectRecord(live[(i + live.length - 1) % live.length], sealedRecords[sealedRecords.length - 1])).toEqual(plaintexts[plaintexts.length - 1]);
        }
        sealedRecords.push(record);
        plaintexts.push(plaintext);
      }
    }
    sealedRecords.forEach((record, n) => {
      const c = ciphers[n % ciphers.length];
      const fresh = aeadCipher(c.epoch, c.s, c.key, c.iv, createAead);
      const { header } = parse(record);
      expect(bytesToHex(fresh.protect(header.contentType, DTLS_1_2, header.sequenceNumber, plaintexts[n]))).toBe(bytesToHex(record));
    });
  });
});

describe('aeadCipher programmer errors', () => {
  const gcm128 = suite('TLS_PSK_WITH_AES_128_GCM_SHA256');
  const key = new Uint8Array(16);
  const iv = new Uint8Array(4);

  it('throws on a key or fixed IV of the wrong size for the suite, or a bad epoch', () => {
    expect(() => aeadCipher(1, gcm128, new Uint8Array(32), iv, createAead)).toThrow(RangeError);
    expect(() => aeadCipher(1, gcm128, key, new Uint8Array(12), createAead)).toThrow(RangeError);
    expect(() => aeadCipher(65536, gcm128, key, iv, createAead)).toThrow(RangeError);
    expect(() => aeadCipher(-1, gcm128, key, iv, createAead)).toThrow(RangeError);
  });

  it('throws when asked to protect more than 2^14 bytes or with a sequence number outside 48 bits', () => {
    const cipher = aeadCipher(1, gcm128, key, iv, createAead);
    expect(() => cipher.protect(23, DTLS_1_2, 0, new Uint8Array(MAX_PLAINTEXT_LENGTH + 1))).toThrow(RangeError);
    expect(() => cipher.protect(23, DTLS_1_2, MAX_SEQUENCE_NUMBER + 1, new Uint8Array(1))).toThrow(RangeError);
    expect(() => cipher.protect(23, DTLS_1_2, -1, new Uint8Array(1))).toThrow(RangeError);
  });

  it('throws on a content type or version that the record header cannot carry', () => {
    const cipher = aeadCipher(1, gcm128, key, iv, createAead);
    for (const bad of [256, -1, 1.5]) expect(() => cipher.protect(bad, DTLS_1_2, 0, new Uint8Array(1))).toThrow(RangeError);
    for (const bad of [0x10000, -1]) expect(() => cipher.protect(23, bad, 0, new Uint8Array(1))).toThrow(RangeError);
    expect(() => nullCipher().protect(256, DTLS_1_2, 0, new Uint8Array(1))).toThrow(RangeError);
    expect(() => nullCipher().protect(22, 0x10000, 0, new Uint8Array(1))).toThrow(RangeError);
  });

  it('keeps its own copy of the fixed IV, so later changes to the caller buffer do not matter', () => {
    const ivBuffer = new Uint8Array([1, 2, 3, 4]);
    const cipher = aeadCipher(1, gcm128, key, ivBuffer, createAead);
    const record = cipher.protect(23, DTLS_1_2, 9, utf8('abc'));
    ivBuffer.fill(0);
    expect(unprotectRecord(cipher, record)).toEqual(utf8('abc'));
  });
});

describe('nullCipher', () => {
  it('writes header || plaintext and returns the fragment itself on the way in', () => {
    const cipher = nullCipher();
    expect(cipher.epoch).toBe(0);
    const record = cipher.protect(ContentType.handshake, DTLS_1_0, 2, utf8('hi'));
    expect(bytesToHex(record)).toBe('16feff0000000000000002' + '0002' + '6869');
    const { header, fragment } = parse(record);
    expect(cipher.unprotect(header, fragment)).toBe(fragment);
  });

  it('returns null for another epoch, a header length that disagrees, or a fragment over 2^14', () => {
    const cipher = nullCipher(0);
    const header: RecordHeader = { contentType: 22, version: DTLS_1_2, epoch: 0, sequenceNumber: 0, length: 2 };
    expect(cipher.unprotect({ ...header, epoch: 1 }, utf8('hi'))).toBeNull();
    expect(cipher.unprotect({ ...header, length: 3 }, utf8('hi'))).toBeNull();
    const big = new Uint8Array(MAX_PLAINTEXT_LENGTH + 1);
    expect(cipher.unprotect({ ...header, length: big.length }, big)).toBeNull();
    expect(nullCipher(4).unprotect({ ...header, epoch: 4 }, utf8('hi'))).toEqual(utf8('hi'));
  });

  it('is one shared, frozen object for epoch 0 and a new one for any other epoch', () => {
    expect(nullCipher()).toBe(nullCipher(0));
    expect(Object.isFrozen(nullCipher())).toBe(true);
    expect(nullCipher(2)).not.toBe(nullCipher(2));
    expect(nullCipher(2).epoch).toBe(2);
    expect(() => nullCipher(65536)).toThrow(RangeError);
  });

  it('throws on plaintext over 2^14 or a bad sequence number', () => {
    expect(() => nullCipher().protect(22, DTLS_1_2, 0, new Uint8Array(MAX_PLAINTEXT_LENGTH + 1))).toThrow(RangeError);
    expect(() => nullCipher().protect(22, DTLS_1_2, 2 ** 48, new Uint8Array(1))).toThrow(RangeError);
  });
});
