import { createCipheriv, type CipherCCMTypes } from 'node:crypto';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { aesCcm, type CcmTagLength } from '../../lib/crypto/aes-ccm.js';
import { seededBytes } from '../wire/helpers/prng.js';
import { countResults, describeCounts, loadWycheproof, type AeadGroup } from './helpers/wycheproof.js';

const CCM_TAG_LENGTHS: readonly number[] = [4, 6, 8, 10, 12, 14, 16];

/** An independent CCM (OpenSSL through node:crypto), only to confirm vectors and cross-check. */
function nodeCcmSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, tagLength: number): string {
  const cipher = createCipheriv(`aes-${key.length * 8}-ccm` as CipherCCMTypes, key, nonce, { authTagLength: tagLength });
  cipher.setAAD(aad, { plaintextLength: plaintext.length });
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return ct.toString('hex') + cipher.getAuthTag().toString('hex');
}

describe('aesCcm against Wycheproof aes_ccm_test.json', () => {
  const file = loadWycheproof<AeadGroup>('aes_ccm_test.json');
  const all = countResults(file.testGroups);

  it(`runs every one of the ${file.numberOfTests} cases (${describeCounts(all)}), no group skipped`, () => {
    expect(all.valid + all.invalid + all.acceptable).toBe(file.numberOfTests);
    expect(all.valid).toBeGreaterThan(0);
    expect(all.invalid).toBeGreaterThan(0);
  });

  file.testGroups.forEach((group, index) => {
    const tagLength = group.tagSize / 8;
    const counts = countResults([group]);
    const name = `group ${index}: AES-${group.keySize}, ${group.ivSize / 8}-byte nonce, ${tagLength}-byte tag: ${describeCounts(counts)}`;

    if (!CCM_TAG_LENGTHS.includes(tagLength)) {
      it(`${name}; refuses a tag length CCM does not define`, () => {
        expect(counts.valid + counts.acceptable).toBe(0);
        for (const test of group.tests) {
          expect(() => aesCcm(hexToBytes(test.key), tagLength as CcmTagLength)).toThrow(RangeError);
        }
      });
      return;
    }

    it(`${name}; seals and opens every valid case, rejects every invalid one`, () => {
      const failures: string[] = [];
      for (const test of group.tests) {
        const ccm = aesCcm(hexToBytes(test.key), tagLength as CcmTagLength);
        const nonce = hexToBytes(test.iv);
        const aad = hexToBytes(test.aad);
        const opened = ccm.open(nonce, hexToBytes(test.ct + test.tag), aad);
        if (test.result === 'valid') {
          const sealed = bytesToHex(ccm.seal(nonce, hexToBytes(test.msg), aad));
          if (sealed !== test.ct + test.tag) failures.push(`tcId ${test.tcId}: seal gave ${sealed}`);
          if (opened === null || bytesToHex(opened) !== test.msg) failures.push(`tcId ${test.tcId}: open failed`);
        } else if (opened !== null) {
          failures.push(`tcId ${test.tcId} (${test.result}, ${test.flags.join(',')}): open accepted`);
        }
      }
      expect(failures).toEqual([]);
    });
  });
});

describe('aesCcm against the RFC 3610 §8 packet vectors (AES-128, 13-byte nonce, M = 8)', () => {
  const key = hexToBytes('c0c1c2c3c4c5c6c7c8c9cacbcccdcecf');
  const vectors = [
    {
      name: 'Packet Vector #1',
      nonce: '00000003020100a0a1a2a3a4a5',
      packet: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e',
      output: '588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0',
    },
    {
      name: 'Packet Vector #2',
      nonce: '00000004030201a0a1a2a3a4a5',
      packet: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
      output: '72c91a36e135f8cf291ca894085c87e3cc15c439c9e43a3ba091d56e10400916',
    },
    {
      name: 'Packet Vector #3',
      nonce: '00000005040302a0a1a2a3a4a5',
      packet: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20',
      output: '51b1e5f44a197d1da46b0f8e2d282ae871e838bb64da8596574adaa76fbd9fb0c5',
    },
  ];
  for (const v of vectors) {
    it(`${v.name}: the first 8 octets are AAD, the rest is encrypted and tagged`, () => {
      const packet = hexToBytes(v.packet);
      const aad = packet.subarray(0, 8);
      const plaintext = packet.subarray(8);
      const nonce = hexToBytes(v.nonce);
      // The transcription is confirmed by OpenSSL before it judges our implementation.
      expect(nodeCcmSeal(key, nonce, plaintext, aad, 8)).toBe(v.output);
      const ccm = aesCcm(key, 8);
      expect(bytesToHex(ccm.seal(nonce, plaintext, aad))).toBe(v.output);
      expect(bytesToHex(ccm.open(nonce, hexToBytes(v.output), aad) ?? new Uint8Array())).toBe(bytesToHex(plaintext));
    });
  }
});

describe('aesCcm against NIST SP 800-38C Appendix C examples', () => {
  const key = hexToBytes('404142434445464748494a4b4c4d4e4f');
  const largeAad = Uint8Array.from({ length: 65536 }, (_, i) => i & 0xff);
  const examples = [
    { name: 'C.1 (7-byte nonce, 4-byte tag)', nonce: '10111213141516', aad: hexToBytes('0001020304050607'), payload: '20212223', tag: 4, c: '7162015b4dac255d' },
    {
      name: 'C.2 (8-byte nonce, 6-byte tag)',
      nonce: '1011121314151617',
      aad: hexToBytes('000102030405060708090a0b0c0d0e0f'),
      payload: '202122232425262728292a2b2c2d2e2f',
      tag: 6,
      c: 'd2a1f0e051ea5f62081a7792073d593d1fc64fbfaccd',
    },
    {
      name: 'C.3 (12-byte nonce, 8-byte tag, as DTLS uses)',
      nonce: '101112131415161718191a1b',
      aad: hexToBytes('000102030405060708090a0b0c0d0e0f10111213'),
      payload: '202122232425262728292a2b2c2d2e2f3031323334353637',
      tag: 8,
      c: 'e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5484392fbc1b09951',
    },
    {
      name: 'C.4 (65536-byte AAD, so the 0xFFFE length encoding)',
      nonce: '101112131415161718191a1b1c',
      aad: largeAad,
      payload: '202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f',
      tag: 14,
      c: '69915dad1e84c6376a68c2967e4dab615ae0fd1faec44cc484828529463ccf72b4ac6bec93e8598e7f0dadbcea5b',
    },
  ];
  for (const e of examples) {
    it(`Example ${e.name}`, () => {
      const nonce = hexToBytes(e.nonce);
      const payload = hexToBytes(e.payload);
      expect(nodeCcmSeal(key, nonce, payload, e.aad, e.tag)).toBe(e.c);
      const ccm = aesCcm(key, e.tag as CcmTagLength);
      expect(bytesToHex(ccm.seal(nonce, payload, e.aad))).toBe(e.c);
      expect(bytesToHex(ccm.open(nonce, hexToBytes(e.c), e.aad) ?? new Uint8Array())).toBe(e.payload);
    });
  }
});

describe('aesCcm cross-checked with OpenSSL (node:crypto)', () => {
  it('agrees for every nonce length 7..13, every tag length, every key size and awkward AAD/payload lengths', () => {
    const random = seededBytes(0x3610);
    const lengths = [0, 1, 15, 16, 17, 31, 32, 33, 255, 1400];
    let checked = 0;
    for (const keyLength of [16, 24, 32]) {
      for (let nonceLength = 7; nonceLength <= 13; nonceLength++) {
        for (const tag of CCM_TAG_LENGTHS) {
          const key = random(keyLength);
          const nonce = random(nonceLength);
          const aad = random(lengths[(checked * 3) % lengths.length]);
          const plaintext = random(lengths[(checked * 7 + 1) % lengths.length]);
          const sealed = aesCcm(key, tag as CcmTagLength).seal(nonce, plaintext, aad);
          expect(bytesToHex(sealed), `key ${keyLength}, nonce ${nonceLength}, tag ${tag}`).toBe(
            nodeCcmSeal(key, nonce, plaintext, aad, tag),
          );
          checked++;
        }
      }
    }
    expect(checked).toBe(3 * 7 * 7);
  });

  it('agrees past 65535 blocks, where the counter outgrows the last two bytes of A_i (1 MiB + 100 bytes, nonce lengths 7 and 12)', () => {
    const random = seededBytes(0x800);
    const plaintext = random(2 ** 20 + 100);
    const same = (a: Uint8Array | null, b: Uint8Array): boolean => a !== null && Buffer.from(a).equals(Buffer.from(b));
    for (const nonceLength of [7, 12]) {
      const key = random(16);
      const nonce = random(nonceLength);
      const aad = random(13);
      const ccm = aesCcm(key, 16);
      const sealed = ccm.seal(nonce, plaintext, aad);
      expect(same(sealed, Buffer.from(nodeCcmSeal(key, nonce, plaintext, aad, 16), 'hex')), `nonce ${nonceLength}`).toBe(true);
      expect(same(ccm.open(nonce, sealed, aad), plaintext), `nonce ${nonceLength}`).toBe(true);
    }
  });
});

describe('aesCcm sealInto', () => {
  it('writes what seal returns at the offset and nothing around it, for payloads around the block size', () => {
    const random = seededBytes(0x51);
    for (const tag of [8, 16] as const) {
      const ccm = aesCcm(random(16), tag);
      for (const length of [0, 1, 15, 16, 17, 100]) {
        const nonce = random(12);
        const plaintext = random(length);
        const aad = random(13);
        const sealed = ccm.seal(nonce, plaintext, aad);
        const out = new Uint8Array(sealed.length + 24).fill(0xa5);
        ccm.sealInto(nonce, plaintext, aad, out, 21);
        expect(bytesToHex(out.subarray(21, 21 + sealed.length))).toBe(bytesToHex(sealed));
        expect([...out.subarray(0, 21), ...out.subarray(21 + sealed.length)].every((b) => b === 0xa5)).toBe(true);
      }
    }
  });
});

describe('aesCcm authentication', () => {
  const key = hexToBytes('000102030405060708090a0b0c0d0e0f');
  const nonce = hexToBytes('a0a1a2a3a4a5a6a7a8a9aaab');
  const aad = hexToBytes('17fefd0001000000000001000d');
  const plaintext = new TextEncoder().encode('HELLO, CoAP over DTLS');

  for (const tagLength of [8, 16] as const) {
    it(`rejects any single flipped bit in ciphertext or tag, AAD or nonce (tag ${tagLength})`, () => {
      const ccm = aesCcm(key, tagLength);
      const sealed = ccm.seal(nonce, plaintext, aad);
      expect(sealed.length).toBe(plaintext.length + tagLength);
      for (let bit = 0; bit < sealed.length * 8; bit++) {
        const tampered = sealed.slice();
        tampered[bit >> 3] ^= 1 << (bit & 7);
        expect(ccm.open(nonce, tampered, aad)).toBeNull();
      }
      for (let i = 0; i < aad.length; i++) {
        const tamperedAad = aad.slice();
        tamperedAad[i] ^= 0x80;
        expect(ccm.open(nonce, sealed, tamperedAad)).toBeNull();
      }
      const otherNonce = nonce.slice();
      otherNonce[11] ^= 1;
      expect(ccm.open(otherNonce, sealed, aad)).toBeNull();
      expect(ccm.open(nonce, sealed, aad)).toEqual(plaintext);
    });
  }

  it('returns null for input shorter than the tag and for nonces outside 7..13 bytes, and never throws', () => {
    const ccm = aesCcm(key, 8);
    const sealed = ccm.seal(nonce, plaintext, aad);
    for (let n = 0; n < 8; n++) expect(ccm.open(nonce, sealed.subarray(0, n), aad)).toBeNull();
    expect(ccm.open(nonce, sealed.subarray(0, sealed.length - 1), aad)).toBeNull();
    for (const length of [0, 6, 14, 16]) expect(ccm.open(new Uint8Array(length), sealed, aad)).toBeNull();
  });

  it('accepts an empty plaintext with a tag only', () => {
    const ccm = aesCcm(key, 16);
    const sealed = ccm.seal(nonce, new Uint8Array(0), aad);
    expect(sealed.length).toBe(16);
    expect(ccm.open(nonce, sealed, aad)).toEqual(new Uint8Array(0));
  });

  it('throws on programmer errors: a bad tag length, a bad key length, a bad nonce length when sealing', () => {
    expect(() => aesCcm(key, 5 as CcmTagLength)).toThrow(RangeError);
    expect(() => aesCcm(new Uint8Array(15), 8)).toThrow();
    expect(() => aesCcm(key, 8).seal(new Uint8Array(6), plaintext, aad)).toThrow(RangeError);
    // L = 2 (13-byte nonce) caps the message at 65535 bytes.
    expect(() => aesCcm(key, 8).seal(new Uint8Array(13), new Uint8Array(65536), aad)).toThrow(RangeError);
  });

  it('keeps its own expanded key: changing the caller key buffer afterwards changes nothing', () => {
    const callerKey = key.slice();
    const ccm = aesCcm(callerKey, 8);
    const before = ccm.seal(nonce, plaintext, aad);
    callerKey.fill(0);
    expect(ccm.seal(nonce, plaintext, aad)).toEqual(before);
    expect(bytesToHex(before)).toBe(nodeCcmSeal(key, nonce, plaintext, aad, 8));
  });

  it('does not modify its inputs', () => {
    const ccm = aesCcm(key, 8);
    const input = plaintext.slice();
    const sealed = ccm.seal(nonce, input, aad);
    expect(input).toEqual(plaintext);
    const sealedCopy = sealed.slice();
    ccm.open(nonce, sealed, aad);
    expect(sealed).toEqual(sealedCopy);
  });
});
