import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import {
  computeSharedSecret,
  generateKeyShare,
  isSupportedGroup,
  NamedGroup,
  SUPPORTED_GROUPS,
} from '../../lib/crypto/ecdhe.js';
import { decodeP256Spki, encodeP256Spki } from '../../lib/crypto/spki.js';
import { seededBytes } from '../wire/helpers/prng.js';
import { countResults, describeCounts, loadWycheproof, type WycheproofCase } from './helpers/wycheproof.js';

const { secp256r1, x25519 } = NamedGroup;

interface EcdhGroup {
  readonly curve: string;
  readonly encoding: string;
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

/** The peer key as the handshake would use it: a strict P-256 SPKI, then the ECDH itself. */
function spkiThenEcdh(test: EcdhGroup['tests'][number]): Uint8Array | null {
  const point = decodeP256Spki(hexToBytes(test.public));
  return point === null ? null : computeSharedSecret(secp256r1, scalar32(test.private), point);
}

describe('computeSharedSecret P-256 against Wycheproof ecdh_secp256r1_test.json (DER SPKI public keys)', () => {
  const file = loadWycheproof<EcdhGroup>('ecdh_secp256r1_test.json');
  const cases = file.testGroups.flatMap((g) => g.tests);
  const byResult = (result: string) => cases.filter((t) => t.result === result);
  const all = countResults(file.testGroups);

  it(`holds ${file.numberOfTests} cases (${describeCounts(all)}), all with ASN.1-encoded public keys`, () => {
    expect(cases).toHaveLength(file.numberOfTests);
    expect(file.testGroups.every((g) => g.curve === 'secp256r1' && g.encoding === 'asn')).toBe(true);
  });

  it(`derives exactly the published secret for all ${all.valid} valid cases`, () => {
    const failures = byResult('valid')
      .filter((t) => {
        const shared = spkiThenEcdh(t);
        return shared === null || bytesToHex(shared) !== t.shared;
      })
      .map((t) => t.tcId);
    expect(failures).toEqual([]);
  });

  it(`refuses all ${all.invalid} invalid cases (off-curve and wrong-curve points, bad encodings, modified parameters)`, () => {
    const accepted = byResult('invalid').filter((t) => spkiThenEcdh(t) !== null).map((t) => t.tcId);
    expect(accepted).toEqual([]);
  });

  // Documented choice: every acceptable case is refused. They are compressed points (RFC 8422
  // §5.1.2 deprecates them and TLS 1.2 peers send uncompressed), explicit curve parameters
  // instead of the named curve, and non-DER ASN.1; decodeP256Spki accepts only the one DER
  // encoding of a named-curve uncompressed key.
  it(`refuses all ${all.acceptable} acceptable cases (compressed points, explicit parameters, non-DER ASN.1)`, () => {
    const accepted = byResult('acceptable').filter((t) => spkiThenEcdh(t) !== null).map((t) => t.tcId);
    expect(accepted).toEqual([]);
  });

  // The SPKI decoder already refuses off-curve points; this checks that computeSharedSecret
  // refuses them on its own too, since ServerKeyExchange/ClientKeyExchange carry raw points.
  const invalidCurve = byResult('invalid').filter((t) => t.flags.includes('InvalidCurveAttack'));
  it(`given the raw point, refuses each of the ${invalidCurve.length} invalid-curve-attack points itself`, () => {
    expect(invalidCurve.length).toBeGreaterThan(0);
    for (const test of invalidCurve) {
      const spki = hexToBytes(test.public);
      const rawPoint = spki.subarray(spki.length - 65);
      expect(rawPoint[0]).toBe(0x04);
      expect(computeSharedSecret(secp256r1, scalar32(test.private), rawPoint), `tcId ${test.tcId}`).toBeNull();
    }
  });
});

interface XdhGroup {
  readonly curve: string;
  readonly tests: readonly (WycheproofCase & { readonly public: string; readonly private: string; readonly shared: string })[];
}

describe('computeSharedSecret X25519 against Wycheproof x25519_test.json', () => {
  const file = loadWycheproof<XdhGroup>('x25519_test.json');
  const cases = file.testGroups.flatMap((g) => g.tests);
  const all = countResults(file.testGroups);
  const zero = '00'.repeat(32);
  const acceptable = cases.filter((t) => t.result === 'acceptable');
  const zeroResults = acceptable.filter((t) => t.shared === zero);

  it(`holds ${file.numberOfTests} cases (${describeCounts(all)})`, () => {
    expect(cases).toHaveLength(file.numberOfTests);
    expect(file.testGroups.every((g) => g.curve === 'curve25519')).toBe(true);
  });

  it(`derives exactly the published secret for all ${all.valid} valid cases`, () => {
    const failures = cases
      .filter((t) => t.result === 'valid')
      .filter((t) => bytesToHex(computeSharedSecret(x25519, hexToBytes(t.private), hexToBytes(t.public)) ?? new Uint8Array()) !== t.shared)
      .map((t) => t.tcId);
    expect(failures).toEqual([]);
  });

  // RFC 7748 §6.1 / RFC 8422 §5.11: an all-zero result (a low-order peer point) is refused.
  // The other acceptable cases (twist points, non-canonical u, edge-case multiplications)
  // are computed as RFC 7748 §5 defines, as §7 recommends.
  it(`of the ${acceptable.length} acceptable cases, refuses the ${zeroResults.length} whose result is all zero and computes the other ${acceptable.length - zeroResults.length} exactly`, () => {
    expect(zeroResults.length).toBeGreaterThan(0);
    const failures = acceptable
      .filter((t) => {
        const shared = computeSharedSecret(x25519, hexToBytes(t.private), hexToBytes(t.public));
        return t.shared === zero ? shared !== null : shared === null || bytesToHex(shared) !== t.shared;
      })
      .map((t) => t.tcId);
    expect(failures).toEqual([]);
  });
});

describe('computeSharedSecret known answers', () => {
  it('P-256: RFC 5903 §8.1, both directions give girx', () => {
    const i = hexToBytes('c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433');
    const gi = hexToBytes(
      '04dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180' +
        '5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3',
    );
    const r = hexToBytes('c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53');
    const gr = hexToBytes(
      '04d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63' +
        '56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab',
    );
    const girx = 'd6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de';
    expect(bytesToHex(computeSharedSecret(secp256r1, i, gr) ?? new Uint8Array())).toBe(girx);
    expect(bytesToHex(computeSharedSecret(secp256r1, r, gi) ?? new Uint8Array())).toBe(girx);
  });

  it('X25519: RFC 7748 §6.1, both directions give K', () => {
    const a = hexToBytes('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const aPub = hexToBytes('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    const b = hexToBytes('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
    const bPub = hexToBytes('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    const k = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
    expect(bytesToHex(computeSharedSecret(x25519, a, bPub) ?? new Uint8Array())).toBe(k);
    expect(bytesToHex(computeSharedSecret(x25519, b, aPub) ?? new Uint8Array())).toBe(k);
  });
});

describe('generateKeyShare', () => {
  it('offers X25519 then P-256 with their IANA code points 29 and 23', () => {
    expect(SUPPORTED_GROUPS).toEqual([29, 23]);
    expect(isSupportedGroup(23)).toBe(true);
    expect(isSupportedGroup(29)).toBe(true);
    expect(isSupportedGroup(24)).toBe(false);
  });

  it('P-256: a 32-byte private key and a 65-byte uncompressed public key (RFC 8422 §5.4.1)', () => {
    const share = generateKeyShare(secp256r1);
    expect(share.group).toBe(23);
    expect(share.privateKey).toHaveLength(32);
    expect(share.publicKey).toHaveLength(65);
    expect(share.publicKey[0]).toBe(0x04);
    expect(decodeP256Spki(encodeP256Spki(share.publicKey))).toEqual(share.publicKey);
  });

  it('X25519: 32-byte keys', () => {
    const share = generateKeyShare(x25519);
    expect(share.group).toBe(29);
    expect(share.privateKey).toHaveLength(32);
    expect(share.publicKey).toHaveLength(32);
  });

  for (const group of [secp256r1, x25519]) {
    it(`two fresh shares in group ${group} agree on a 32-byte secret, and fresh shares differ`, () => {
      const alice = generateKeyShare(group);
      const bob = generateKeyShare(group);
      expect(alice.privateKey).not.toEqual(bob.privateKey);
      const ab = computeSharedSecret(group, alice.privateKey, bob.publicKey);
      const ba = computeSharedSecret(group, bob.privateKey, alice.publicKey);
      expect(ab).toHaveLength(32);
      expect(ab).toEqual(ba);
    });
  }

  it('throws for a group it does not implement (a caller bug)', () => {
    expect(() => generateKeyShare(24)).toThrow(RangeError);
  });
});

describe('computeSharedSecret refusals', () => {
  const p256Share = generateKeyShare(secp256r1);
  const peer = generateKeyShare(secp256r1).publicKey;

  it('P-256: refuses a compressed point even when it is valid (RFC 8422 §5.1.2: uncompressed only)', () => {
    const compressed = new Uint8Array(33);
    compressed[0] = 0x02 | (peer[64] & 1);
    compressed.set(peer.subarray(1, 33), 1);
    expect(computeSharedSecret(secp256r1, p256Share.privateKey, compressed)).toBeNull();
  });

  it('P-256: refuses the identity encoding, truncated and extended points, a wrong prefix and an off-curve point', () => {
    const priv = p256Share.privateKey;
    expect(computeSharedSecret(secp256r1, priv, Uint8Array.of(0))).toBeNull();
    expect(computeSharedSecret(secp256r1, priv, new Uint8Array(65))).toBeNull();
    expect(computeSharedSecret(secp256r1, priv, peer.subarray(0, 64))).toBeNull();
    expect(computeSharedSecret(secp256r1, priv, Uint8Array.of(...peer, 0))).toBeNull();
    const hybrid = peer.slice();
    hybrid[0] = 0x06 | (peer[64] & 1);
    expect(computeSharedSecret(secp256r1, priv, hybrid)).toBeNull();
    const offCurve = peer.slice();
    offCurve[64] ^= 1;
    expect(computeSharedSecret(secp256r1, priv, offCurve)).toBeNull();
    const xTooBig = peer.slice();
    xTooBig.fill(0xff, 1, 33);
    expect(computeSharedSecret(secp256r1, priv, xTooBig)).toBeNull();
  });

  it('X25519: refuses wrong lengths and the all-zero result of low-order points', () => {
    const priv = generateKeyShare(x25519).privateKey;
    expect(computeSharedSecret(x25519, priv, new Uint8Array(31))).toBeNull();
    expect(computeSharedSecret(x25519, priv, new Uint8Array(33))).toBeNull();
    // u = 0 and u = 1 have order dividing the cofactor (RFC 7748 §6.1).
    expect(computeSharedSecret(x25519, priv, new Uint8Array(32))).toBeNull();
    expect(computeSharedSecret(x25519, priv, Uint8Array.of(1, ...new Uint8Array(31)))).toBeNull();
  });

  it('refuses an unsupported group and never throws on arbitrary bytes', () => {
    expect(computeSharedSecret(24, p256Share.privateKey, peer)).toBeNull();
    const random = seededBytes(8422);
    for (let i = 0; i < 300; i++) {
      const group = i % 2 === 0 ? secp256r1 : x25519;
      const key = random(i % 3 === 0 ? (group === secp256r1 ? 65 : 32) : i % 70);
      if (group === secp256r1 && key.length === 65) key[0] = 0x04;
      expect(() => computeSharedSecret(group, random(32), key)).not.toThrow();
    }
  });
});
