import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { NamedGroup } from '../../lib/crypto/ecdhe.js';
import type { CryptoProvider } from '../../lib/crypto/provider.js';
import { decodeP256Spki } from '../../lib/crypto/spki.js';
import { countResults, describeCounts, loadWycheproof, type WycheproofCase } from '../crypto/helpers/wycheproof.js';
import { PROVIDERS } from './helpers/providers.js';

interface EcdhGroup {
  readonly tests: readonly (WycheproofCase & { readonly public: string; readonly private: string; readonly shared: string })[];
}

/** Wycheproof writes private keys as ASN.1 integers: a leading 00 when the top bit is set, fewer bytes when small. */
function scalar32(hex: string): Uint8Array {
  const bytes = hexToBytes(hex.length % 2 === 1 ? `0${hex}` : hex);
  let start = 0;
  while (bytes.length - start > 32 && bytes[start] === 0) start++;
  const out = new Uint8Array(32);
  out.set(bytes.subarray(start), 32 - (bytes.length - start));
  return out;
}

const p256 = loadWycheproof<EcdhGroup>('ecdh_secp256r1_test.json');
const x25519 = loadWycheproof<EcdhGroup>('x25519_test.json');
const p256Cases = p256.testGroups.flatMap((g) => g.tests);
const x25519Cases = x25519.testGroups.flatMap((g) => g.tests);
const ZERO = '00'.repeat(32);

describe.each(PROVIDERS)('$name computeSharedSecret against Wycheproof', (provider: CryptoProvider) => {
  /** As the handshake would: a strict P-256 SPKI (the certificate's key), then ECDH on the raw point. */
  const p256Secret = (t: (typeof p256Cases)[number]): string | null => {
    const point = decodeP256Spki(hexToBytes(t.public));
    const shared = point === null ? null : provider.computeSharedSecret(NamedGroup.secp256r1, scalar32(t.private), point);
    return shared === null ? null : bytesToHex(shared);
  };

  it(`P-256 (${describeCounts(countResults(p256.testGroups))}): every valid case gives the published secret, nothing else is accepted`, () => {
    const failures = p256Cases.filter((t) => (t.result === 'valid' ? p256Secret(t) !== t.shared : p256Secret(t) !== null));
    expect(failures.map((t) => `${t.tcId} ${t.result}`)).toEqual([]);
  });

  // The SPKI decoder already refuses off-curve points: computeSharedSecret must too, since
  // ServerKeyExchange and ClientKeyExchange carry raw points.
  const attacks = p256Cases.filter((t) => t.flags.includes('InvalidCurveAttack'));
  it(`P-256 refuses each of the ${attacks.length} invalid-curve-attack points given raw`, () => {
    expect(attacks.length).toBeGreaterThan(0);
    const accepted = attacks.filter((t) => {
      const spki = hexToBytes(t.public);
      return provider.computeSharedSecret(NamedGroup.secp256r1, scalar32(t.private), spki.subarray(spki.length - 65)) !== null;
    });
    expect(accepted.map((t) => t.tcId)).toEqual([]);
  });

  it(`X25519 (${describeCounts(countResults(x25519.testGroups))}): the published secret for every case whose result is not all zero, null for the all-zero ones`, () => {
    const zero = x25519Cases.filter((t) => t.shared === ZERO);
    expect(zero.length).toBeGreaterThan(0);
    expect(zero.every((t) => t.result !== 'valid')).toBe(true);
    const failures = x25519Cases.filter((t) => {
      const shared = provider.computeSharedSecret(NamedGroup.x25519, hexToBytes(t.private), hexToBytes(t.public));
      return t.shared === ZERO ? shared !== null : shared === null || bytesToHex(shared) !== t.shared;
    });
    expect(failures.map((t) => `${t.tcId} ${t.result}`)).toEqual([]);
  });
});
