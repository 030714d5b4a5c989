import { gcm } from '@noble/ciphers/aes.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { aesGcm } from '../../lib/crypto/aes-gcm.js';
import { seededBytes } from '../wire/helpers/prng.js';
import { countResults, describeCounts, loadWycheproof, type AeadGroup } from './helpers/wycheproof.js';

describe('aesGcm against Wycheproof aes_gcm_test.json', () => {
  const file = loadWycheproof<AeadGroup>('aes_gcm_test.json');
  // aesGcm takes 96-bit nonces only (RFC 5288 §3); every key size noble's AES takes.
  const groups = file.testGroups.filter((g) => g.ivSize === 96);
  const others = file.testGroups.filter((g) => g.ivSize !== 96);

  it(`accounts for all ${file.numberOfTests} cases: ${describeCounts(countResults(groups))} with 12-byte nonces run, the other ${countResults(others).valid + countResults(others).invalid} refused`, () => {
    const size = (gs: readonly AeadGroup[]): number => gs.reduce((n, g) => n + g.tests.length, 0);
    expect(size(groups) + size(others)).toBe(file.numberOfTests);
    expect(groups.some((g) => g.keySize === 192)).toBe(true);
  });

  for (const group of groups) {
    it(`AES-${group.keySize}, ${group.tagSize / 8}-byte tag: ${describeCounts(countResults([group]))}; every valid case seals and opens, every other is refused`, () => {
      const failures: string[] = [];
      for (const t of group.tests) {
        const cipher = aesGcm(hexToBytes(t.key));
        const nonce = hexToBytes(t.iv);
        const aad = hexToBytes(t.aad);
        const opened = cipher.open(nonce, hexToBytes(t.ct + t.tag), aad);
        if (t.result === 'valid') {
          if (bytesToHex(cipher.seal(nonce, hexToBytes(t.msg), aad)) !== t.ct + t.tag) failures.push(`tcId ${t.tcId}: seal differs`);
          if (opened === null || bytesToHex(opened) !== t.msg) failures.push(`tcId ${t.tcId}: open failed`);
        } else if (opened !== null) {
          failures.push(`tcId ${t.tcId} (${t.flags.join(',')}): open accepted`);
        }
      }
      expect(failures).toEqual([]);
    });
  }

  it('refuses every case with another nonce length: open returns null, seal throws', () => {
    for (const group of others) {
      for (const t of group.tests) {
        const cipher = aesGcm(hexToBytes(t.key));
        expect(cipher.open(hexToBytes(t.iv), hexToBytes(t.ct + t.tag), hexToBytes(t.aad))).toBeNull();
        expect(() => cipher.seal(hexToBytes(t.iv), hexToBytes(t.msg), hexToBytes(t.aad))).toThrow(RangeError);
      }
    }
  });
});

describe('aesGcm against noble gcm() on seeded random inputs', () => {
  it('seals to the same bytes and opens noble\'s output, for 300 random keys, nonces, AAD and plaintext lengths', () => {
    const random = seededBytes(0x5288);
    const length = (max: number): number => (random(2)[0] | (random(1)[0] << 8)) % (max + 1);
    for (let n = 0; n < 300; n++) {
      const key = random([16, 24, 32][n % 3]);
      const nonce = random(12);
      const aad = random(n % 10 === 0 ? 0 : length(80));
      const plaintext = random(n < 40 ? n : length(2100));
      const ours = aesGcm(key);
      const sealed = ours.seal(nonce, plaintext, aad);
      const reference = gcm(key, nonce, aad).encrypt(plaintext);
      expect(bytesToHex(sealed), `case ${n}`).toBe(bytesToHex(reference));
      expect(ours.open(nonce, reference, aad), `case ${n}`).toEqual(plaintext);
    }
  });
});

describe('aesGcm', () => {
  const key = hexToBytes('000102030405060708090a0b0c0d0e0f');
  const nonce = hexToBytes('a0a1a2a3a4a5a6a7a8a9aaab');
  const aad = hexToBytes('17fefd0001000000000001000d');
  const plaintext = new TextEncoder().encode('HELLO, CoAP over DTLS, in AES-GCM');

  it('refuses any single flipped bit in ciphertext or tag, AAD or nonce', () => {
    const cipher = aesGcm(key);
    const sealed = cipher.seal(nonce, plaintext, aad);
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      const tampered = sealed.slice();
      tampered[bit >> 3] ^= 1 << (bit & 7);
      expect(cipher.open(nonce, tampered, aad)).toBeNull();
    }
    for (let bit = 0; bit < aad.length * 8; bit++) {
      const tampered = aad.slice();
      tampered[bit >> 3] ^= 1 << (bit & 7);
      expect(cipher.open(nonce, sealed, tampered)).toBeNull();
    }
    for (let bit = 0; bit < nonce.length * 8; bit++) {
      const tampered = nonce.slice();
      tampered[bit >> 3] ^= 1 << (bit & 7);
      expect(cipher.open(tampered, sealed, aad)).toBeNull();
    }
    expect(cipher.open(nonce, sealed, aad)).toEqual(plaintext);
  });

  it('refuses input shorter than the tag and a truncated tag, without throwing', () => {
    const cipher = aesGcm(key);
    const sealed = cipher.seal(nonce, plaintext, aad);
    for (let n = 0; n < 16; n++) expect(cipher.open(nonce, sealed.subarray(0, n), aad)).toBeNull();
    expect(cipher.open(nonce, sealed.subarray(0, sealed.length - 1), aad)).toBeNull();
  });

  it('sealInto writes what seal returns at the offset and nothing around it', () => {
    const cipher = aesGcm(key);
    for (const length of [0, 1, 15, 16, 17, 64, 100]) {
      const message = plaintext.subarray(0, Math.min(length, plaintext.length));
      const sealed = cipher.seal(nonce, message, aad);
      const out = new Uint8Array(sealed.length + 24).fill(0x5a);
      cipher.sealInto(nonce, message, aad, out, 21);
      expect(bytesToHex(out.subarray(21, 21 + sealed.length))).toBe(bytesToHex(sealed));
      expect([...out.subarray(0, 21), ...out.subarray(21 + sealed.length)].every((b) => b === 0x5a)).toBe(true);
    }
  });

  it('keeps what it derived from the key: changing the caller key buffer afterwards changes nothing', () => {
    const callerKey = key.slice();
    const cipher = aesGcm(callerKey);
    const before = cipher.seal(nonce, plaintext, aad);
    callerKey.fill(0);
    expect(cipher.seal(nonce, plaintext, aad)).toEqual(before);
    expect(bytesToHex(before)).toBe(bytesToHex(gcm(key, nonce, aad).encrypt(plaintext)));
  });

  it('does not modify its inputs, and works on unaligned views', () => {
    const cipher = aesGcm(key);
    const backing = new Uint8Array(plaintext.length + 3);
    backing.set(plaintext, 3);
    const unaligned = backing.subarray(3);
    const sealed = cipher.seal(nonce, unaligned, aad);
    expect(unaligned).toEqual(plaintext);
    const sealedBacking = new Uint8Array(sealed.length + 1);
    sealedBacking.set(sealed, 1);
    const copy = sealedBacking.slice();
    expect(cipher.open(nonce, sealedBacking.subarray(1), aad)).toEqual(plaintext);
    expect(sealedBacking).toEqual(copy);
  });

  it('throws on a bad key length (a caller bug)', () => {
    expect(() => aesGcm(new Uint8Array(15))).toThrow();
  });
});
