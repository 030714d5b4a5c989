import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import type { AeadAlgorithm } from '../../lib/crypto/aead.js';
import { NamedGroup } from '../../lib/crypto/ecdhe.js';
import type { CryptoProvider } from '../../lib/crypto/provider.js';
import { seededBytes } from '../wire/helpers/prng.js';
import { PROVIDERS } from './helpers/providers.js';

const { secp256r1, x25519 } = NamedGroup;
const ALGORITHMS: readonly [AeadAlgorithm, number, number][] = [
  ['AES_128_CCM_8', 16, 8],
  ['AES_128_CCM', 16, 16],
  ['AES_128_GCM', 16, 16],
  ['AES_256_GCM', 32, 16],
  ['CHACHA20_POLY1305', 32, 16],
];
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe.each(PROVIDERS)('$name keeps the CryptoProvider contract', (provider: CryptoProvider) => {
  it('is named and frozen', () => {
    expect(provider.name.length).toBeGreaterThan(0);
    expect(Object.isFrozen(provider)).toBe(true);
  });

  describe('createAead', () => {
    const nonce = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);
    const aad = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1, 23, 0xfe, 0xfd, 0, 5);
    const plaintext = utf8('hello');

    for (const [algorithm, keyLength, tagLength] of ALGORITHMS) {
      const key = Uint8Array.from({ length: keyLength }, (_, i) => i);

      it(`${algorithm}: a ${tagLength}-byte tag, a round trip, and an empty plaintext`, () => {
        const aead = provider.createAead(algorithm, key);
        expect(aead.algorithm).toBe(algorithm);
        expect(aead.tagLength).toBe(tagLength);
        const sealed = aead.seal(nonce, plaintext, aad);
        expect(sealed).toHaveLength(plaintext.length + tagLength);
        expect(aead.open(nonce, sealed, aad)).toEqual(plaintext);
        const empty = aead.seal(nonce, new Uint8Array(0), aad);
        expect(empty).toHaveLength(tagLength);
        expect(aead.open(nonce, empty, aad)).toEqual(new Uint8Array(0));
      });

      it(`${algorithm}: open returns null, never throws, for a wrong tag, ciphertext or AAD, a short input or a wrong nonce length`, () => {
        const aead = provider.createAead(algorithm, key);
        const sealed = aead.seal(nonce, plaintext, aad);
        for (const index of [0, sealed.length - 1]) {
          const bad = sealed.slice();
          bad[index] ^= 1;
          expect(aead.open(nonce, bad, aad)).toBeNull();
        }
        for (let n = 0; n < tagLength; n++) expect(aead.open(nonce, sealed.subarray(0, n), aad)).toBeNull();
        for (const length of [0, 8, 11, 13, 16, 24]) expect(aead.open(new Uint8Array(length), sealed, aad)).toBeNull();
        expect(aead.open(nonce, sealed, aad.subarray(1))).toBeNull();
      });

      it(`${algorithm}: seal throws on a nonce that is not 12 bytes and createAead on a wrong key length (caller bugs)`, () => {
        expect(() => provider.createAead(algorithm, key).seal(new Uint8Array(8), plaintext, aad)).toThrow(RangeError);
        expect(() => provider.createAead(algorithm, new Uint8Array(keyLength === 16 ? 32 : 16))).toThrow(RangeError);
      });

      it(`${algorithm}: keeps a private copy of the key`, () => {
        const callerKey = key.slice();
        const aead = provider.createAead(algorithm, callerKey);
        const before = aead.seal(nonce, plaintext, aad);
        callerKey.fill(0xff);
        expect(aead.seal(nonce, plaintext, aad)).toEqual(before);
      });

      it(`${algorithm}: sealInto writes what seal returns at the offset, and touches nothing around it`, () => {
        const aead = provider.createAead(algorithm, key);
        expect(aead.sealInto).toBeTypeOf('function');
        for (const length of [0, 5, 16, 33, 1024]) {
          const message = seededBytes(length + 1)(length);
          const sealed = aead.seal(nonce, message, aad);
          const out = new Uint8Array(21 + sealed.length + 3).fill(0xee);
          aead.sealInto!(nonce, message, aad, out, 21);
          expect(bytesToHex(out.subarray(21, 21 + sealed.length))).toBe(bytesToHex(sealed));
          expect([...out.subarray(0, 21), ...out.subarray(21 + sealed.length)].every((b) => b === 0xee)).toBe(true);
        }
        expect(() => aead.sealInto!(new Uint8Array(8), plaintext, aad, new Uint8Array(64), 0)).toThrow(RangeError);
      });
    }
  });

  describe('ECDHE', () => {
    it('P-256 shares: a 32-byte private key and a 65-byte uncompressed public key; X25519: 32 and 32', () => {
      const p = provider.generateKeyShare(secp256r1);
      expect([p.group, p.privateKey.length, p.publicKey.length, p.publicKey[0]]).toEqual([23, 32, 65, 4]);
      const x = provider.generateKeyShare(x25519);
      expect([x.group, x.privateKey.length, x.publicKey.length]).toEqual([29, 32, 32]);
      expect(() => provider.generateKeyShare(24)).toThrow(RangeError);
    });

    for (const group of [secp256r1, x25519]) {
      it(`group ${group}: two fresh shares agree on a 32-byte secret, and fresh shares differ`, () => {
        const a = provider.generateKeyShare(group);
        const b = provider.generateKeyShare(group);
        expect(a.privateKey).not.toEqual(b.privateKey);
        const ab = provider.computeSharedSecret(group, a.privateKey, b.publicKey);
        expect(ab).toHaveLength(32);
        expect(ab).toEqual(provider.computeSharedSecret(group, b.privateKey, a.publicKey));
      });
    }

    it('P-256: RFC 5903 §8.1 both directions give girx', () => {
      const i = hexToBytes('c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433');
      const gi = hexToBytes('04dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c37725811805271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3');
      const r = hexToBytes('c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53');
      const gr = hexToBytes('04d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf6356fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab');
      const girx = 'd6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de';
      expect(bytesToHex(provider.computeSharedSecret(secp256r1, i, gr) ?? new Uint8Array())).toBe(girx);
      expect(bytesToHex(provider.computeSharedSecret(secp256r1, r, gi) ?? new Uint8Array())).toBe(girx);
    });

    it('X25519: RFC 7748 §6.1 both directions give K', () => {
      const a = hexToBytes('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
      const aPub = hexToBytes('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
      const b = hexToBytes('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
      const bPub = hexToBytes('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
      const k = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
      expect(bytesToHex(provider.computeSharedSecret(x25519, a, bPub) ?? new Uint8Array())).toBe(k);
      expect(bytesToHex(provider.computeSharedSecret(x25519, b, aPub) ?? new Uint8Array())).toBe(k);
    });

    it('P-256: refuses compressed, identity, truncated, extended, hybrid, off-curve and out-of-range points', () => {
      const own = provider.generateKeyShare(secp256r1);
      const peer = provider.generateKeyShare(secp256r1).publicKey;
      const refuse = (point: Uint8Array): void => expect(provider.computeSharedSecret(secp256r1, own.privateKey, point)).toBeNull();
      refuse(Uint8Array.of(0x02 | (peer[64] & 1), ...peer.subarray(1, 33)));
      refuse(Uint8Array.of(0));
      refuse(new Uint8Array(65));
      refuse(peer.subarray(0, 64));
      refuse(Uint8Array.of(...peer, 0));
      const hybrid = peer.slice();
      hybrid[0] = 0x06 | (peer[64] & 1);
      refuse(hybrid);
      const offCurve = peer.slice();
      offCurve[64] ^= 1;
      refuse(offCurve);
      const xTooBig = peer.slice();
      xTooBig.fill(0xff, 1, 33);
      refuse(xTooBig);
    });

    it('X25519: refuses wrong lengths and the low-order points u = 0 and u = 1 (all-zero result)', () => {
      const own = provider.generateKeyShare(x25519).privateKey;
      for (const point of [new Uint8Array(31), new Uint8Array(33), new Uint8Array(32), Uint8Array.of(1, ...new Uint8Array(31))]) {
        expect(provider.computeSharedSecret(x25519, own, point)).toBeNull();
      }
    });

    it('refuses an unsupported group and never throws on arbitrary bytes', () => {
      const own = provider.generateKeyShare(secp256r1);
      expect(provider.computeSharedSecret(24, own.privateKey, own.publicKey)).toBeNull();
      const random = seededBytes(8422);
      for (let i = 0; i < 200; i++) {
        const group = i % 2 === 0 ? secp256r1 : x25519;
        const key = random(i % 3 === 0 ? (group === secp256r1 ? 65 : 32) : i % 70);
        if (group === secp256r1 && key.length === 65) key[0] = 0x04;
        expect(() => provider.computeSharedSecret(group, random(i % 5 === 0 ? 31 : 32), key)).not.toThrow();
      }
    });
  });

  describe('ECDSA', () => {
    // RFC 6979 A.2.5: the P-256 key and its "sample" signature (r, s).
    const privateKey = hexToBytes('c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721');
    const publicKey = hexToBytes('0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299');
    const sample = hexToBytes(
      '3046022100efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716022100f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8',
    );

    it('accepts the RFC 6979 A.2.5 signature of "sample", under the uncompressed and the compressed key', () => {
      expect(provider.ecdsaVerify(publicKey, utf8('sample'), sample)).toBe(true);
      expect(provider.ecdsaVerify(Uint8Array.of(0x02 | (publicKey[64] & 1), ...publicKey.subarray(1, 33)), utf8('sample'), sample)).toBe(true);
    });

    it('signs DER signatures that it verifies, and that fail for another message', () => {
      const message = utf8('ServerKeyExchange params');
      const signature = provider.ecdsaSign(privateKey, message);
      expect(signature[0]).toBe(0x30);
      expect(provider.ecdsaVerify(publicKey, message, signature)).toBe(true);
      expect(provider.ecdsaVerify(publicKey, utf8('ServerKeyExchange paramz'), signature)).toBe(false);
    });

    it('rejects another message, the raw r || s form, a hybrid-encoded key, and malformed input, never throwing', () => {
      expect(provider.ecdsaVerify(publicKey, utf8('samplf'), sample)).toBe(false);
      expect(provider.ecdsaVerify(publicKey, utf8('sample'), sample.subarray(sample.length - 64))).toBe(false);
      const hybrid = publicKey.slice();
      hybrid[0] = 0x06 | (publicKey[64] & 1);
      expect(provider.ecdsaVerify(hybrid, utf8('sample'), sample)).toBe(false);
      expect(provider.ecdsaVerify(new Uint8Array(0), utf8('sample'), sample)).toBe(false);
      expect(provider.ecdsaVerify(publicKey, utf8('sample'), Uint8Array.of(...sample, 0))).toBe(false);
      const random = seededBytes(5480);
      for (let i = 0; i < 200; i++) {
        const mutated = sample.slice();
        mutated[i % mutated.length] ^= random(1)[0] | 1;
        expect(provider.ecdsaVerify(publicKey, utf8('sample'), mutated)).toBe(false);
        expect(() => provider.ecdsaVerify(random(i % 80), utf8('sample'), random(i % 90))).not.toThrow();
      }
    });
  });

  describe('hash, hmac, randomBytes', () => {
    it('hash matches the FIPS 180-2 "abc" examples', () => {
      expect(bytesToHex(provider.hash('sha256', utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      expect(bytesToHex(provider.hash('sha384', utf8('abc')))).toBe(
        'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
      );
    });

    it('hmac matches RFC 4231 test case 2', () => {
      const [key, data] = [utf8('Jefe'), utf8('what do ya want for nothing?')];
      expect(bytesToHex(provider.hmac('sha256', key, data))).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
      expect(bytesToHex(provider.hmac('sha384', key, data))).toBe(
        'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
      );
    });

    it('randomBytes gives fresh arrays of the asked length', () => {
      expect(provider.randomBytes(0)).toHaveLength(0);
      const a = provider.randomBytes(32);
      const b = provider.randomBytes(32);
      expect(a).toHaveLength(32);
      expect(a).not.toEqual(b);
      expect(a.buffer).not.toBe(b.buffer);
    });
  });
});
