import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { ecdhePskPremasterSecret, pskPremasterSecret } from '../../lib/crypto/psk.js';

describe('pskPremasterSecret (RFC 4279 §2)', () => {
  it('is uint16 N, N zero bytes, uint16 N, then the PSK', () => {
    expect(bytesToHex(pskPremasterSecret(Uint8Array.of(0xaa, 0xbb, 0xcc)))).toBe('0003' + '000000' + '0003' + 'aabbcc');
  });

  it('lays out the CoAP example key "esp32c3_key" (11 bytes) as 26 bytes', () => {
    const psk = new TextEncoder().encode('esp32c3_key');
    const pms = pskPremasterSecret(psk);
    expect(pms).toHaveLength(2 + 11 + 2 + 11);
    expect(bytesToHex(pms)).toBe('000b' + '00'.repeat(11) + '000b' + bytesToHex(psk));
  });

  it('uses a two-byte big-endian length for PSKs longer than 255 bytes', () => {
    const psk = new Uint8Array(300).fill(0x5a);
    const pms = pskPremasterSecret(psk);
    expect(bytesToHex(pms.subarray(0, 2))).toBe('012c');
    expect(pms.subarray(2, 302).every((b) => b === 0)).toBe(true);
    expect(bytesToHex(pms.subarray(302, 304))).toBe('012c');
    expect(pms.subarray(304)).toEqual(psk);
  });

  it('handles an empty PSK as four zero bytes', () => {
    expect(bytesToHex(pskPremasterSecret(new Uint8Array(0)))).toBe('00000000');
  });

  it('throws for a PSK that does not fit opaque<0..2^16-1> (a caller bug)', () => {
    expect(() => pskPremasterSecret(new Uint8Array(65536))).toThrow(RangeError);
  });
});

describe('ecdhePskPremasterSecret (RFC 5489 §2)', () => {
  it('is uint16 length + ECDH shared secret, then uint16 length + PSK', () => {
    const z = Uint8Array.from({ length: 32 }, (_, i) => i);
    const psk = Uint8Array.of(0x01, 0x02, 0x03, 0x04);
    expect(bytesToHex(ecdhePskPremasterSecret(z, psk))).toBe('0020' + bytesToHex(z) + '0004' + '01020304');
  });

  it('differs from the plain PSK premaster only in the other_secret bytes', () => {
    const psk = Uint8Array.of(9, 8, 7);
    const zeros = new Uint8Array(3);
    expect(ecdhePskPremasterSecret(zeros, psk)).toEqual(pskPremasterSecret(psk));
  });

  it('throws for fields longer than 65535 bytes (a caller bug)', () => {
    expect(() => ecdhePskPremasterSecret(new Uint8Array(65536), new Uint8Array(1))).toThrow(RangeError);
    expect(() => ecdhePskPremasterSecret(new Uint8Array(32), new Uint8Array(65536))).toThrow(RangeError);
  });
});
