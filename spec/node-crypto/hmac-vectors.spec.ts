import { hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { timingSafeEqual } from '../../lib/crypto/constant-time.js';
import type { CryptoProvider } from '../../lib/crypto/provider.js';
import { countResults, describeCounts, loadWycheproof, type WycheproofCase } from '../crypto/helpers/wycheproof.js';
import { PROVIDERS } from './helpers/providers.js';

interface MacGroup {
  readonly tagSize: number;
  readonly tests: readonly (WycheproofCase & { readonly key: string; readonly msg: string; readonly tag: string })[];
}

const file = loadWycheproof<MacGroup>('hmac_sha256_test.json');

describe.each(PROVIDERS)('$name hmac against Wycheproof hmac_sha256_test.json', (provider: CryptoProvider) => {
  it(`${describeCounts(countResults(file.testGroups))}: every valid tag matches, every invalid one does not`, () => {
    const failures = file.testGroups.flatMap((g) =>
      g.tests
        .filter((t) => {
          const mac = provider.hmac('sha256', hexToBytes(t.key), hexToBytes(t.msg)).subarray(0, g.tagSize / 8);
          return timingSafeEqual(mac, hexToBytes(t.tag)) !== (t.result === 'valid');
        })
        .map((t) => t.tcId),
    );
    expect(failures).toEqual([]);
  });
});
