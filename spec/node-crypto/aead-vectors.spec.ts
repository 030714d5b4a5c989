import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import type { AeadAlgorithm } from '../../lib/crypto/aead.js';
import type { CryptoProvider } from '../../lib/crypto/provider.js';
import { countResults, describeCounts, loadWycheproof, type AeadGroup } from '../crypto/helpers/wycheproof.js';
import { PROVIDERS } from './helpers/providers.js';

type Case = AeadGroup['tests'][number];

/** Valid cases must seal to exactly ct || tag and open back; every other case must not open. */
function failuresOf(provider: CryptoProvider, algorithm: AeadAlgorithm, tests: readonly Case[]): string[] {
  const failures: string[] = [];
  for (const test of tests) {
    const aead = provider.createAead(algorithm, hexToBytes(test.key));
    const nonce = hexToBytes(test.iv);
    const aad = hexToBytes(test.aad);
    const opened = aead.open(nonce, hexToBytes(test.ct + test.tag), aad);
    if (test.result === 'valid') {
      if (bytesToHex(aead.seal(nonce, hexToBytes(test.msg), aad)) !== test.ct + test.tag) failures.push(`tcId ${test.tcId}: seal differs`);
      if (opened === null || bytesToHex(opened) !== test.msg) failures.push(`tcId ${test.tcId}: open failed`);
    } else if (opened !== null) {
      failures.push(`tcId ${test.tcId} (${test.flags.join(',')}): open accepted`);
    }
  }
  return failures;
}

const gcm = loadWycheproof<AeadGroup>('aes_gcm_test.json');
const chacha = loadWycheproof<AeadGroup>('chacha20_poly1305_test.json');
const ccm = loadWycheproof<AeadGroup>('aes_ccm_test.json');
const gcmAlgorithm = (g: AeadGroup): AeadAlgorithm => (g.keySize === 128 ? 'AES_128_GCM' : 'AES_256_GCM');
const flat = (groups: readonly AeadGroup[]): Case[] => groups.flatMap((g) => g.tests);

describe.each(PROVIDERS)('$name AEADs against Wycheproof', (provider) => {
  // DTLS 1.2 uses 12-byte nonces (RFC 5288 §3, RFC 6655 §3, RFC 7905 §2) and no AES-192 suite.
  const gcm12 = gcm.testGroups.filter((g) => g.ivSize === 96 && g.keySize !== 192);
  const gcmOther = gcm.testGroups.filter((g) => g.ivSize !== 96 && g.keySize !== 192);

  it(`AES-GCM, 12-byte nonces (${describeCounts(countResults(gcm12))}): every valid case seals and opens, every invalid one is refused`, () => {
    expect(gcm12.length).toBeGreaterThan(0);
    expect(gcm12.flatMap((g) => failuresOf(provider, gcmAlgorithm(g), g.tests))).toEqual([]);
  });

  it(`AES-GCM refuses to open every case with another nonce length (${flat(gcmOther).length} cases)`, () => {
    const opened = gcmOther.flatMap((g) =>
      g.tests.filter((t) => provider.createAead(gcmAlgorithm(g), hexToBytes(t.key)).open(hexToBytes(t.iv), hexToBytes(t.ct + t.tag), hexToBytes(t.aad)) !== null),
    );
    expect(opened.map((t) => t.tcId)).toEqual([]);
  });

  const chacha12 = chacha.testGroups.filter((g) => g.ivSize === 96);
  it(`ChaCha20-Poly1305, 12-byte nonces (${describeCounts(countResults(chacha12))}), and refuses the ${flat(chacha.testGroups.filter((g) => g.ivSize !== 96)).length} others`, () => {
    expect(chacha12.flatMap((g) => failuresOf(provider, 'CHACHA20_POLY1305', g.tests))).toEqual([]);
    const others = flat(chacha.testGroups.filter((g) => g.ivSize !== 96));
    expect(others.every((t) => t.result !== 'valid')).toBe(true);
    expect(failuresOf(provider, 'CHACHA20_POLY1305', others)).toEqual([]);
  });

  for (const [tagSize, algorithm] of [[128, 'AES_128_CCM'], [64, 'AES_128_CCM_8']] as const) {
    const groups = ccm.testGroups.filter((g) => g.ivSize === 96 && g.keySize === 128 && g.tagSize === tagSize);
    it(`${algorithm}, the 12-byte-nonce 128-bit-key ${tagSize / 8}-byte-tag groups (${describeCounts(countResults(groups))})`, () => {
      expect(groups.length).toBeGreaterThan(0);
      expect(failuresOf(provider, algorithm, flat(groups))).toEqual([]);
    });
  }
});
