import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import type { AeadAlgorithm } from '../../lib/crypto/aead.js';
import { createAead } from '../../lib/crypto/aeads.js';
import { countResults, describeCounts, loadWycheproof, type AeadGroup } from './helpers/wycheproof.js';

type Case = AeadGroup['tests'][number];

/** Runs one Wycheproof case through createAead: valid ones must seal to ct || tag and open, all others must not open. */
function check(algorithm: AeadAlgorithm, test: Case, failures: string[]): void {
  const aead = createAead(algorithm, hexToBytes(test.key));
  const nonce = hexToBytes(test.iv);
  const aad = hexToBytes(test.aad);
  const opened = aead.open(nonce, hexToBytes(test.ct + test.tag), aad);
  if (test.result === 'valid') {
    const sealed = bytesToHex(aead.seal(nonce, hexToBytes(test.msg), aad));
    if (sealed !== test.ct + test.tag) failures.push(`tcId ${test.tcId}: seal differs`);
    if (opened === null || bytesToHex(opened) !== test.msg) failures.push(`tcId ${test.tcId}: open failed`);
  } else if (opened !== null) {
    failures.push(`tcId ${test.tcId} (${test.flags.join(',')}): open accepted`);
  }
}

function expectAllRefused(algorithm: AeadAlgorithm, group: AeadGroup): void {
  for (const test of group.tests) {
    const aead = createAead(algorithm, hexToBytes(test.key));
    expect(aead.open(hexToBytes(test.iv), hexToBytes(test.ct + test.tag), hexToBytes(test.aad))).toBeNull();
  }
}

describe('createAead AES_128_GCM / AES_256_GCM against Wycheproof aes_gcm_test.json', () => {
  const file = loadWycheproof<AeadGroup>('aes_gcm_test.json');
  // DTLS 1.2 GCM nonces are always salt(4) || explicit(8) = 12 bytes (RFC 5288 §3), and no
  // suite uses AES-192, so those groups cannot reach record protection. createAead refuses
  // other nonce lengths outright (asserted below); AES-192 groups are skipped and counted.
  const dtlsGroups = file.testGroups.filter((g) => g.ivSize === 96 && g.keySize !== 192);
  const otherNonceGroups = file.testGroups.filter((g) => g.ivSize !== 96 && g.keySize !== 192);
  const aes192Groups = file.testGroups.filter((g) => g.keySize === 192);

  const size = (groups: readonly AeadGroup[]): number => groups.reduce((n, g) => n + g.tests.length, 0);

  it(`accounts for all ${file.numberOfTests} cases: ${size(dtlsGroups)} with 12-byte nonces run, ${size(otherNonceGroups)} with other nonce lengths refused, ${size(aes192Groups)} AES-192 skipped`, () => {
    expect(size(dtlsGroups) + size(otherNonceGroups) + size(aes192Groups)).toBe(file.numberOfTests);
    expect(countResults(dtlsGroups).valid).toBeGreaterThan(0);
  });

  for (const group of dtlsGroups) {
    const algorithm = group.keySize === 128 ? 'AES_128_GCM' : 'AES_256_GCM';
    it(`${algorithm}, 12-byte nonce: ${describeCounts(countResults([group]))}; every valid case seals and opens, every invalid one is refused`, () => {
      const failures: string[] = [];
      for (const test of group.tests) check(algorithm, test, failures);
      expect(failures).toEqual([]);
    });
  }

  it(`refuses every case with a nonce that is not 12 bytes (${describeCounts(countResults(otherNonceGroups))})`, () => {
    for (const group of otherNonceGroups) expectAllRefused(group.keySize === 128 ? 'AES_128_GCM' : 'AES_256_GCM', group);
  });
});

describe('createAead CHACHA20_POLY1305 against Wycheproof chacha20_poly1305_test.json', () => {
  const file = loadWycheproof<AeadGroup>('chacha20_poly1305_test.json');
  const all = countResults(file.testGroups);

  it(`runs all ${file.numberOfTests} cases (${describeCounts(all)})`, () => {
    expect(all.valid + all.invalid + all.acceptable).toBe(file.numberOfTests);
  });

  file.testGroups.forEach((group, index) => {
    it(`group ${index}: ${group.ivSize / 8}-byte nonce: ${describeCounts(countResults([group]))}`, () => {
      if (group.ivSize !== 96) {
        // RFC 7905 §2 / RFC 8439 §2.8: 12-byte nonces only; Wycheproof marks the others invalid.
        expect(countResults([group]).valid).toBe(0);
        expectAllRefused('CHACHA20_POLY1305', group);
        return;
      }
      const failures: string[] = [];
      for (const test of group.tests) check('CHACHA20_POLY1305', test, failures);
      expect(failures).toEqual([]);
    });
  });
});

describe('createAead AES_128_CCM / AES_128_CCM_8 against Wycheproof aes_ccm_test.json (the DTLS groups)', () => {
  const file = loadWycheproof<AeadGroup>('aes_ccm_test.json');
  // The other groups (nonce sizes, tag sizes, key sizes DTLS never uses) run through aesCcm in aes-ccm.spec.ts.
  for (const [tagSize, algorithm] of [[128, 'AES_128_CCM'], [64, 'AES_128_CCM_8']] as const) {
    const groups = file.testGroups.filter((g) => g.ivSize === 96 && g.keySize === 128 && g.tagSize === tagSize);
    it(`${algorithm}: ${describeCounts(countResults(groups))} in 12-byte-nonce, 128-bit-key, ${tagSize / 8}-byte-tag groups`, () => {
      expect(groups.length).toBeGreaterThan(0);
      const failures: string[] = [];
      for (const group of groups) for (const test of group.tests) check(algorithm, test, failures);
      expect(failures).toEqual([]);
    });
  }
});

describe('createAead', () => {
  const algorithms: readonly [AeadAlgorithm, number, number][] = [
    ['AES_128_CCM_8', 16, 8],
    ['AES_128_CCM', 16, 16],
    ['AES_128_GCM', 16, 16],
    ['AES_256_GCM', 32, 16],
    ['CHACHA20_POLY1305', 32, 16],
  ];
  const nonce = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);
  const aad = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1, 23, 0xfe, 0xfd, 0, 5);
  const plaintext = new TextEncoder().encode('hello');

  for (const [algorithm, keyLength, tagLength] of algorithms) {
    describe(algorithm, () => {
      const key = Uint8Array.from({ length: keyLength }, (_, i) => i);

      it(`has a ${tagLength}-byte tag and round-trips`, () => {
        const aead = createAead(algorithm, key);
        expect(aead.algorithm).toBe(algorithm);
        expect(aead.tagLength).toBe(tagLength);
        const sealed = aead.seal(nonce, plaintext, aad);
        expect(sealed).toHaveLength(plaintext.length + tagLength);
        expect(aead.open(nonce, sealed, aad)).toEqual(plaintext);
      });

      it('open returns null, never throws, for a wrong tag, a short input or a wrong nonce length', () => {
        const aead = createAead(algorithm, key);
        const sealed = aead.seal(nonce, plaintext, aad);
        const badTag = sealed.slice();
        badTag[badTag.length - 1] ^= 1;
        expect(aead.open(nonce, badTag, aad)).toBeNull();
        for (let n = 0; n < tagLength; n++) expect(aead.open(nonce, sealed.subarray(0, n), aad)).toBeNull();
        for (const length of [0, 8, 11, 13, 16, 24]) expect(aead.open(new Uint8Array(length), sealed, aad)).toBeNull();
        expect(aead.open(nonce, sealed, aad.subarray(1))).toBeNull();
      });

      it('seal throws on a nonce that is not 12 bytes (a caller bug)', () => {
        expect(() => createAead(algorithm, key).seal(new Uint8Array(8), plaintext, aad)).toThrow(RangeError);
      });

      it('throws on a key of the wrong length (a caller bug)', () => {
        expect(() => createAead(algorithm, new Uint8Array(keyLength === 16 ? 32 : 16))).toThrow(RangeError);
      });

      it('keeps a private copy of the key', () => {
        const callerKey = key.slice();
        const aead = createAead(algorithm, callerKey);
        const before = aead.seal(nonce, plaintext, aad);
        callerKey.fill(0xff);
        expect(aead.seal(nonce, plaintext, aad)).toEqual(before);
      });
    });
  }
});
