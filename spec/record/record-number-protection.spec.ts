import { createCipheriv } from 'node:crypto';
import { chacha20 } from '@noble/ciphers/chacha.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { TLS13_CIPHER_SUITES, tls13CipherSuiteByName } from '../../lib/crypto/tls13-cipher-suites.js';
import { maskPaddingLength, recordNumberMask, recordNumberMasker } from '../../lib/record/record-number-protection.js';
import { seededBytes } from '../wire/helpers/prng.js';

const suite = (name: string) => tls13CipherSuiteByName(name)!;
const AES_128 = suite('TLS_AES_128_GCM_SHA256');
const AES_256 = suite('TLS_AES_256_GCM_SHA384');
const CHACHA = suite('TLS_CHACHA20_POLY1305_SHA256');

/** What node:crypto (OpenSSL) computes for the same construction, an implementation independent of noble. */
function opensslMask(name: string, key: Uint8Array, sample: Uint8Array): Uint8Array {
  if (name === 'TLS_CHACHA20_POLY1305_SHA256') {
    // OpenSSL's chacha20 takes a 16-byte IV: the 32-bit little-endian counter, then the 12-byte nonce: the sample as it is.
    return new Uint8Array(createCipheriv('chacha20', key, sample).update(new Uint8Array(16)));
  }
  const cipher = createCipheriv(key.length === 16 ? 'aes-128-ecb' : 'aes-256-ecb', key, null).setAutoPadding(false);
  return new Uint8Array(cipher.update(sample));
}

describe('recordNumberMask (RFC 9147 §4.2.3)', () => {
  // QUIC's header protection (RFC 9001 §5.4.3, §5.4.4) is the same construction; its Appendix A
  // gives a mask for each cipher (the first five bytes are printed there).
  it("matches RFC 9001 A.2's AES mask and A.5's ChaCha20 mask", () => {
    expect(bytesToHex(recordNumberMask(AES_128, hexToBytes('9f50449e04a0e810283a1e9933adedd2'), hexToBytes('d1b1c98dd7689fb8ec11d242b123dc9b'))).slice(0, 10)).toBe(
      '437b9aec36',
    );
    const chachaKey = hexToBytes('25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4');
    expect(bytesToHex(recordNumberMask(CHACHA, chachaKey, hexToBytes('5e5cd55c41f69080575d7999c25a5bfb'))).slice(0, 10)).toBe('aefefe7d03');
  });

  for (const s of TLS13_CIPHER_SUITES) {
    it(`${s.name}: equals OpenSSL's ${s.aead === 'CHACHA20_POLY1305' ? 'ChaCha20 block' : 'AES-ECB'} of 200 random samples`, () => {
      const key = seededBytes(s.id)(s.keyLength);
      const masker = recordNumberMasker(s, key);
      for (let i = 0; i < 200; i++) {
        const record = seededBytes(s.id * 1000 + i)(40);
        expect(bytesToHex(masker(record, 7))).toBe(bytesToHex(opensslMask(s.name, key, record.subarray(7, 23))));
      }
    });
  }

  it('ChaCha20: any 32-bit counter, including 0xffffffff which noble chacha20() refuses, and agrees with noble below it', () => {
    const key = seededBytes(9)(32);
    for (const counter of ['00000000', '01000000', 'feffffff', 'ffffffff']) {
      const sample = hexToBytes(counter + '000102030405060708090a0b');
      expect(bytesToHex(recordNumberMask(CHACHA, key, sample))).toBe(bytesToHex(opensslMask(CHACHA.name, key, sample)));
    }
    const sample = hexToBytes('78563412' + 'a0a1a2a3a4a5a6a7a8a9aaab');
    expect(recordNumberMask(CHACHA, key, sample)).toEqual(chacha20(key, sample.subarray(4), new Uint8Array(16), undefined, 0x12345678));
  });

  it('refuses an sn_key of the wrong length and a short sample', () => {
    expect(() => recordNumberMasker(AES_256, new Uint8Array(16))).toThrow(RangeError);
    expect(() => recordNumberMask(AES_128, new Uint8Array(16), new Uint8Array(15))).toThrow(RangeError);
  });
});

describe('maskPaddingLength', () => {
  it('pads only when inner plaintext and tag fall short of 16 bytes: CCM_8 with fewer than 8 inner bytes', () => {
    const ccm8 = suite('TLS_AES_128_CCM_8_SHA256');
    expect([1, 2, 7, 8, 9].map((n) => maskPaddingLength(ccm8, n))).toEqual([7, 6, 1, 0, 0]);
    for (const s of TLS13_CIPHER_SUITES.filter((x) => x.tagLength === 16)) expect(maskPaddingLength(s, 1)).toBe(0);
  });
});
