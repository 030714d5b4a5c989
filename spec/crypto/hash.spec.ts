import { createHash, createHmac } from 'node:crypto';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { hash, hashLength, hmac, RunningHash } from '../../lib/crypto/hash.js';
import { timingSafeEqual } from '../../lib/crypto/constant-time.js';
import { seededBytes } from '../wire/helpers/prng.js';
import { countResults, describeCounts, loadWycheproof, type WycheproofCase } from './helpers/wycheproof.js';

const abc = new TextEncoder().encode('abc');

describe('hash', () => {
  it('matches the FIPS 180-2 "abc" examples for SHA-256 and SHA-384', () => {
    expect(bytesToHex(hash('sha256', abc))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(bytesToHex(hash('sha384', abc))).toBe(
      'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
    );
  });

  it('reports output lengths of 32 and 48 bytes', () => {
    expect(hashLength('sha256')).toBe(32);
    expect(hashLength('sha384')).toBe(48);
    expect(hash('sha384', new Uint8Array(0))).toHaveLength(48);
  });

  it('agrees with node:crypto for inputs around the block boundaries', () => {
    const random = seededBytes(180);
    for (const length of [0, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000]) {
      const data = random(length);
      for (const alg of ['sha256', 'sha384'] as const) {
        expect(bytesToHex(hash(alg, data))).toBe(createHash(alg).update(data).digest('hex'));
      }
    }
  });
});

describe('RunningHash', () => {
  it('hashes data given in pieces as hash() hashes it whole, with digests taken along the way', () => {
    const random = seededBytes(6234);
    for (const alg of ['sha256', 'sha384'] as const) {
      const data = random(300);
      const running = new RunningHash(alg);
      expect(running.digest()).toEqual(hash(alg, new Uint8Array(0)));
      running.update(data.subarray(0, 1)).update(data.subarray(1, 130));
      expect(running.digest()).toEqual(hash(alg, data.subarray(0, 130)));
      expect(running.digest()).toEqual(hash(alg, data.subarray(0, 130)));
      running.update(data.subarray(130));
      expect(running.digest()).toEqual(hash(alg, data));
    }
  });
});

describe('hmac', () => {
  it('matches RFC 4231 test case 2 ("Jefe") for SHA-256 and SHA-384', () => {
    const key = new TextEncoder().encode('Jefe');
    const data = new TextEncoder().encode('what do ya want for nothing?');
    expect(bytesToHex(hmac('sha256', key, data))).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(bytesToHex(hmac('sha384', key, data))).toBe(
      'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
    );
  });

  it('agrees with node:crypto for keys shorter than, equal to and longer than the block', () => {
    const random = seededBytes(2104);
    for (const keyLength of [0, 1, 32, 64, 65, 128, 129, 200]) {
      const key = random(keyLength);
      const data = random(77);
      for (const alg of ['sha256', 'sha384'] as const) {
        expect(bytesToHex(hmac(alg, key, data))).toBe(createHmac(alg, key).update(data).digest('hex'));
      }
    }
  });
});

interface MacGroup {
  readonly keySize: number;
  readonly tagSize: number;
  readonly tests: readonly (WycheproofCase & { readonly key: string; readonly msg: string; readonly tag: string })[];
}

describe('hmac sha256 against Wycheproof hmac_sha256_test.json', () => {
  const file = loadWycheproof<MacGroup>('hmac_sha256_test.json');
  const all = countResults(file.testGroups);

  it(`runs all ${file.numberOfTests} cases (${describeCounts(all)})`, () => {
    expect(all.valid + all.invalid + all.acceptable).toBe(file.numberOfTests);
    expect(all.valid).toBeGreaterThan(0);
  });

  file.testGroups.forEach((group, index) => {
    it(`group ${index}: ${group.keySize}-bit key, tag truncated to ${group.tagSize} bits: ${describeCounts(countResults([group]))}`, () => {
      const failures: number[] = [];
      for (const test of group.tests) {
        const mac = hmac('sha256', hexToBytes(test.key), hexToBytes(test.msg)).subarray(0, group.tagSize / 8);
        const matches = timingSafeEqual(mac, hexToBytes(test.tag));
        if (matches !== (test.result === 'valid')) failures.push(test.tcId);
      }
      expect(failures).toEqual([]);
    });
  });
});
