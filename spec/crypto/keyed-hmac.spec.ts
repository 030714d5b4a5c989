import { createHmac } from 'node:crypto';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { timingSafeEqual } from '../../lib/crypto/constant-time.js';
import { KeyedHmac } from '../../lib/crypto/keyed-hmac.js';
import { seededBytes } from '../wire/helpers/prng.js';
import { loadWycheproof, type WycheproofCase } from './helpers/wycheproof.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('KeyedHmac', () => {
  it('matches RFC 4231 test case 2 ("Jefe") for SHA-256 and SHA-384', () => {
    const data = utf8('what do ya want for nothing?');
    expect(bytesToHex(new KeyedHmac('sha256', utf8('Jefe')).mac(data))).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(bytesToHex(new KeyedHmac('sha384', utf8('Jefe')).mac(data))).toBe(
      'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
    );
  });

  it('agrees with node:crypto for keys and messages around the block sizes, split anywhere into two parts', () => {
    const random = seededBytes(2104);
    for (const alg of ['sha256', 'sha384'] as const) {
      for (const keyLength of [0, 1, 32, 63, 64, 65, 127, 128, 129, 300]) {
        const key = random(keyLength);
        const keyed = new KeyedHmac(alg, key);
        for (const length of [0, 1, 31, 55, 56, 64, 77, 111, 112, 128, 129, 300]) {
          const data = random(length);
          const expected = createHmac(alg, key).update(data).digest('hex');
          expect(bytesToHex(keyed.mac(data))).toBe(expected);
          const cut = Math.floor(length / 3);
          expect(bytesToHex(keyed.mac(data.subarray(0, cut), data.subarray(cut)))).toBe(expected);
        }
      }
    }
  });

  it('gives the same MAC for the same message however many MACs came before, under this key or another', () => {
    const random = seededBytes(7);
    const a = new KeyedHmac('sha256', random(32));
    const b = new KeyedHmac('sha256', random(48));
    const message = random(100);
    const first = a.mac(message);
    b.mac(random(65));
    a.mac(random(10));
    new KeyedHmac('sha384', random(20)).mac(random(200));
    expect(a.mac(message)).toEqual(first);
  });

  it('writes into an output that is also its input, as the PRF chains A(i) = HMAC(A(i-1))', () => {
    const keyed = new KeyedHmac('sha256', utf8('key'));
    const a = keyed.mac(utf8('seed'));
    const expected = keyed.mac(a);
    keyed.macInto(a, a);
    expect(a).toEqual(expected);
  });

  it('writes only outputLength bytes into a longer output', () => {
    const keyed = new KeyedHmac('sha256', utf8('key'));
    const out = new Uint8Array(40).fill(0xee);
    keyed.macInto(out, utf8('message'));
    expect(out.subarray(0, 32)).toEqual(keyed.mac(utf8('message')));
    expect([...out.subarray(32)]).toEqual(new Array(8).fill(0xee));
  });

  it('is unusable once destroyed', () => {
    const keyed = new KeyedHmac('sha256', utf8('key'));
    keyed.destroy();
    expect(() => keyed.mac(utf8('message'))).toThrow();
  });

  it('keeps keys made after others were destroyed (twice, even) apart from each other', () => {
    const message = utf8('message');
    const expected = (key: string) => createHmac('sha256', key).update(message).digest('hex');
    const old = new KeyedHmac('sha256', utf8('old'));
    old.destroy();
    old.destroy();
    const one = new KeyedHmac('sha256', utf8('one'));
    const two = new KeyedHmac('sha256', utf8('two'));
    const three = new KeyedHmac('sha256', utf8('three'));
    expect(bytesToHex(one.mac(message))).toBe(expected('one'));
    expect(bytesToHex(two.mac(message))).toBe(expected('two'));
    expect(bytesToHex(three.mac(message))).toBe(expected('three'));
  });
});

interface MacGroup {
  readonly keySize: number;
  readonly tagSize: number;
  readonly tests: readonly (WycheproofCase & { readonly key: string; readonly msg: string; readonly tag: string })[];
}

describe('KeyedHmac sha256 against Wycheproof hmac_sha256_test.json', () => {
  const file = loadWycheproof<MacGroup>('hmac_sha256_test.json');
  file.testGroups.forEach((group, index) => {
    it(`group ${index}: ${group.keySize}-bit key, ${group.tests.length} cases`, () => {
      const failures: number[] = [];
      for (const test of group.tests) {
        const mac = new KeyedHmac('sha256', hexToBytes(test.key)).mac(hexToBytes(test.msg)).subarray(0, group.tagSize / 8);
        if (timingSafeEqual(mac, hexToBytes(test.tag)) !== (test.result === 'valid')) failures.push(test.tcId);
      }
      expect(failures).toEqual([]);
    });
  });
});
