import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { ecdsaPublicKey, ecdsaSign, ecdsaVerify } from '../../lib/crypto/ecdsa.js';
import { encodeP256Spki } from '../../lib/crypto/spki.js';
import { seededBytes } from '../wire/helpers/prng.js';
import { countResults, describeCounts, loadWycheproof, type WycheproofCase } from './helpers/wycheproof.js';

interface EcdsaGroup {
  readonly publicKey: { readonly curve: string; readonly uncompressed: string };
  readonly sha: string;
  readonly tests: readonly (WycheproofCase & { readonly msg: string; readonly sig: string })[];
}

describe('ecdsaVerify against Wycheproof ecdsa_secp256r1_sha256_test.json (DER signatures)', () => {
  const file = loadWycheproof<EcdsaGroup>('ecdsa_secp256r1_sha256_test.json');
  const all = countResults(file.testGroups);

  it(`holds ${file.numberOfTests} cases (${describeCounts(all)}), all P-256 with SHA-256`, () => {
    expect(all.valid + all.invalid + all.acceptable).toBe(file.numberOfTests);
    expect(file.testGroups.every((g) => g.publicKey.curve === 'secp256r1' && g.sha === 'SHA-256')).toBe(true);
  });

  file.testGroups.forEach((group, index) => {
    it(`group ${index}: ${describeCounts(countResults([group]))}; accepts every valid signature, rejects every invalid one`, () => {
      const publicKey = hexToBytes(group.publicKey.uncompressed);
      const failures = group.tests
        .filter((t) => ecdsaVerify(publicKey, hexToBytes(t.msg), hexToBytes(t.sig)) !== (t.result === 'valid'))
        .map((t) => `tcId ${t.tcId} (${t.result}, ${t.flags.join(',')})`);
      expect(failures).toEqual([]);
    });
  });
});

/** RFC 6979 A.2.5: P-256, SHA-256, deterministic k. */
const RFC6979 = {
  privateKey: 'c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721',
  publicKey:
    '04' +
    '60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6' +
    '7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299',
  sample: {
    r: 'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716',
    s: 'f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8',
  },
  test: {
    r: 'f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367',
    s: '019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083',
  },
};

/** DER SEQUENCE { INTEGER r, INTEGER s } for 32-byte r, s (short-form lengths suffice). */
function derSignature(rHex: string, sHex: string): string {
  const integer = (hex: string): string => {
    let h = hex.replace(/^(00)+/, '');
    if (parseInt(h.slice(0, 2), 16) >= 0x80) h = `00${h}`;
    return `02${(h.length / 2).toString(16).padStart(2, '0')}${h}`;
  };
  const body = integer(rHex) + integer(sHex);
  return `30${(body.length / 2).toString(16).padStart(2, '0')}${body}`;
}

describe('ecdsaSign', () => {
  const privateKey = hexToBytes(RFC6979.privateKey);
  const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

  it('derives the RFC 6979 A.2.5 public key', () => {
    expect(bytesToHex(ecdsaPublicKey(privateKey))).toBe(RFC6979.publicKey);
  });

  for (const message of ['sample', 'test'] as const) {
    it(`produces the RFC 6979 A.2.5 signature of "${message}" in DER, high S left as is`, () => {
      const { r, s } = RFC6979[message];
      expect(bytesToHex(ecdsaSign(privateKey, utf8(message)))).toBe(derSignature(r, s));
    });
  }

  it('signs so that ecdsaVerify and OpenSSL (node:crypto, DER SPKI key) both verify', () => {
    const random = seededBytes(6979);
    for (let i = 0; i < 10; i++) {
      const message = random(i * 37);
      const signature = ecdsaSign(privateKey, message);
      expect(ecdsaVerify(ecdsaPublicKey(privateKey), message, signature)).toBe(true);
      const key = createPublicKey({ key: Buffer.from(encodeP256Spki(ecdsaPublicKey(privateKey))), format: 'der', type: 'spki' });
      expect(nodeVerify('sha256', message, key, signature)).toBe(true);
    }
  });
});

describe('ecdsaVerify', () => {
  const publicKey = hexToBytes(RFC6979.publicKey);
  const message = new TextEncoder().encode('sample');
  const signature = hexToBytes(derSignature(RFC6979.sample.r, RFC6979.sample.s));

  it('accepts the RFC 6979 signature under the uncompressed and the compressed key', () => {
    expect(ecdsaVerify(publicKey, message, signature)).toBe(true);
    const compressed = Uint8Array.of(0x02 | (publicKey[64] & 1), ...publicKey.subarray(1, 33));
    expect(ecdsaVerify(compressed, message, signature)).toBe(true);
  });

  it('rejects another message, another key, and the raw r || s form', () => {
    expect(ecdsaVerify(publicKey, new TextEncoder().encode('samplf'), signature)).toBe(false);
    const other = ecdsaPublicKey(new Uint8Array(32).fill(7));
    expect(ecdsaVerify(other, message, signature)).toBe(false);
    expect(ecdsaVerify(publicKey, message, hexToBytes(RFC6979.sample.r + RFC6979.sample.s))).toBe(false);
  });

  it('returns false, never throws, for malformed keys and signatures', () => {
    expect(ecdsaVerify(new Uint8Array(0), message, signature)).toBe(false);
    expect(ecdsaVerify(publicKey.subarray(0, 64), message, signature)).toBe(false);
    expect(ecdsaVerify(publicKey, message, new Uint8Array(0))).toBe(false);
    expect(ecdsaVerify(publicKey, message, Uint8Array.of(...signature, 0))).toBe(false);
    const random = seededBytes(5480);
    for (let i = 0; i < 500; i++) {
      const mutated = signature.slice(0, i % signature.length || signature.length);
      mutated[i % mutated.length] ^= random(1)[0] | 1;
      expect(() => ecdsaVerify(publicKey, message, mutated)).not.toThrow();
      expect(ecdsaVerify(publicKey, message, mutated)).toBe(false);
      expect(() => ecdsaVerify(random(i % 80), message, random(i % 90))).not.toThrow();
    }
  });
});
