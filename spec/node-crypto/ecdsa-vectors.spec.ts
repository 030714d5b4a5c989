import { hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../lib/crypto/provider.js';
import { countResults, describeCounts, loadWycheproof, type WycheproofCase } from '../crypto/helpers/wycheproof.js';
import { PROVIDERS } from './helpers/providers.js';

interface EcdsaGroup {
  readonly publicKey: { readonly uncompressed: string };
  readonly tests: readonly (WycheproofCase & { readonly msg: string; readonly sig: string })[];
}

const file = loadWycheproof<EcdsaGroup>('ecdsa_secp256r1_sha256_test.json');

/** SEC1 §2.3.3 compressed form: 0x02 | (y & 1), then x. */
function compress(uncompressedHex: string): Uint8Array {
  const point = hexToBytes(uncompressedHex);
  return Uint8Array.of(0x02 | (point[64] & 1), ...point.subarray(1, 33));
}

describe.each(PROVIDERS)('$name ecdsaVerify against Wycheproof ecdsa_secp256r1_sha256_test.json', (provider: CryptoProvider) => {
  it(`${describeCounts(countResults(file.testGroups))}: accepts every valid DER signature and rejects every other, under the uncompressed key`, () => {
    const failures = file.testGroups.flatMap((g) =>
      g.tests
        .filter((t) => provider.ecdsaVerify(hexToBytes(g.publicKey.uncompressed), hexToBytes(t.msg), hexToBytes(t.sig)) !== (t.result === 'valid'))
        .map((t) => `tcId ${t.tcId} (${t.result}, ${t.flags.join(',')})`),
    );
    expect(failures).toEqual([]);
  });

  it('gives the same answers under the compressed key', () => {
    const failures = file.testGroups.flatMap((g) =>
      g.tests
        .filter((t) => provider.ecdsaVerify(compress(g.publicKey.uncompressed), hexToBytes(t.msg), hexToBytes(t.sig)) !== (t.result === 'valid'))
        .map((t) => t.tcId),
    );
    expect(failures).toEqual([]);
  });
});
