import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import type { AeadAlgorithm } from '../../lib/crypto/aead.js';
import { NamedGroup } from '../../lib/crypto/ecdhe.js';
import { nobleProvider } from '../../lib/crypto/provider.js';
import { nodeCryptoProvider } from '../../lib/node-crypto/node-crypto-provider.js';
import { seededBytes } from '../wire/helpers/prng.js';

const noble = nobleProvider;
const node = nodeCryptoProvider;
const hex = (bytes: Uint8Array | null): string | null => (bytes === null ? null : bytesToHex(bytes));
const CASES = 150;

/** Seeded, so a failure names a case that can be replayed. */
function generator(seed: number): { bytes: (n: number) => Uint8Array; int: (below: number) => number } {
  const bytes = seededBytes(seed);
  return { bytes, int: (below) => (((bytes(1)[0] << 16) | (bytes(1)[0] << 8) | bytes(1)[0]) >>> 0) % below };
}

describe('nodeCryptoProvider against nobleProvider, same inputs, same outputs', () => {
  for (const [algorithm, keyLength] of [
    ['AES_128_CCM_8', 16],
    ['AES_128_CCM', 16],
    ['AES_128_GCM', 16],
    ['AES_256_GCM', 32],
    ['CHACHA20_POLY1305', 32],
  ] as const satisfies readonly (readonly [AeadAlgorithm, number])[]) {
    it(`${algorithm}: ${CASES} random cases seal to the same bytes, open each other's records, and both refuse a flipped bit`, () => {
      const { bytes, int } = generator(0x5eed + keyLength + algorithm.length);
      const mismatches: number[] = [];
      for (let i = 0; i < CASES; i++) {
        const key = bytes(keyLength);
        const [a, b] = [noble.createAead(algorithm, key), node.createAead(algorithm, key)];
        const nonce = bytes(12);
        const aad = bytes(i % 4 === 0 ? 0 : 13);
        const plaintext = bytes(i % 10 === 0 ? 0 : int(1500));
        const sealed = a.seal(nonce, plaintext, aad);
        const flipped = sealed.slice();
        flipped[int(flipped.length)] ^= 1 << int(8);
        const same =
          hex(sealed) === hex(b.seal(nonce, plaintext, aad)) &&
          hex(b.open(nonce, sealed, aad)) === hex(plaintext) &&
          hex(a.open(nonce, sealed, aad)) === hex(plaintext) &&
          a.open(nonce, flipped, aad) === null &&
          b.open(nonce, flipped, aad) === null;
        if (!same) mismatches.push(i);
      }
      expect(mismatches).toEqual([]);
    });
  }

  for (const group of [NamedGroup.secp256r1, NamedGroup.x25519]) {
    it(`ECDH group ${group}: shares made by either provider give the same secret computed by either`, () => {
      const mismatches: number[] = [];
      for (let i = 0; i < 40; i++) {
        const a = (i % 2 === 0 ? noble : node).generateKeyShare(group);
        const b = (i % 3 === 0 ? noble : node).generateKeyShare(group);
        const secrets = [
          noble.computeSharedSecret(group, a.privateKey, b.publicKey),
          node.computeSharedSecret(group, a.privateKey, b.publicKey),
          noble.computeSharedSecret(group, b.privateKey, a.publicKey),
          // A copy of the private key, so node:crypto takes its import path, not its cached key.
          node.computeSharedSecret(group, b.privateKey.slice(), a.publicKey),
        ].map(hex);
        if (secrets[0] === null || secrets.some((s) => s !== secrets[0])) mismatches.push(i);
      }
      expect(mismatches).toEqual([]);
    });
  }

  it(`ECDH X25519: ${CASES} random private keys and random u-coordinates give the same secret or the same refusal`, () => {
    const { bytes } = generator(7748);
    const mismatches: number[] = [];
    for (let i = 0; i < CASES; i++) {
      const [privateKey, u] = [bytes(32), bytes(32)];
      if (i % 10 === 0) u.fill(0, 1); // small u, often low order
      if (hex(noble.computeSharedSecret(NamedGroup.x25519, privateKey, u)) !== hex(node.computeSharedSecret(NamedGroup.x25519, privateKey, u))) mismatches.push(i);
    }
    expect(mismatches).toEqual([]);
  });

  it(`ECDH P-256: ${CASES} random scalars with valid, mutated and random points give the same secret or the same refusal`, () => {
    const { bytes, int } = generator(8422);
    const mismatches: number[] = [];
    let agreed = 0;
    for (let i = 0; i < CASES; i++) {
      const privateKey = bytes(32);
      const point = i % 3 === 2 ? Uint8Array.of(4, ...bytes(64)) : noble.generateKeyShare(NamedGroup.secp256r1).publicKey.slice();
      if (i % 3 === 1) point[1 + int(64)] ^= 1 << int(8);
      const [a, b] = [noble, node].map((p) => hex(p.computeSharedSecret(NamedGroup.secp256r1, privateKey, point)));
      if (a !== b) mismatches.push(i);
      if (a !== null) agreed++;
    }
    expect(mismatches).toEqual([]);
    expect(agreed).toBeGreaterThan(CASES / 4);
  });

  it('ECDSA: each provider verifies the other\'s signatures, and both reject the same mutated ones', () => {
    const { bytes, int } = generator(6979);
    const mismatches: string[] = [];
    for (let i = 0; i < 60; i++) {
      const { privateKey, publicKey } = noble.generateKeyShare(NamedGroup.secp256r1);
      const message = bytes(int(600));
      for (const [signer, name] of [[noble, 'noble'], [node, 'node']] as const) {
        const signature = signer.ecdsaSign(privateKey, message);
        if (!noble.ecdsaVerify(publicKey, message, signature) || !node.ecdsaVerify(publicKey, message, signature)) mismatches.push(`${i} ${name}`);
        const mutated = signature.slice();
        mutated[int(mutated.length)] ^= 1 << int(8);
        if (noble.ecdsaVerify(publicKey, message, mutated) !== node.ecdsaVerify(publicKey, message, mutated)) mismatches.push(`${i} ${name} mutated`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it(`hash and hmac: ${CASES} random inputs around the block sizes give the same digests`, () => {
    const { bytes, int } = generator(2104);
    const mismatches: number[] = [];
    for (let i = 0; i < CASES; i++) {
      const data = bytes(int(300));
      const key = bytes(int(200));
      for (const alg of ['sha256', 'sha384'] as const) {
        if (hex(noble.hash(alg, data)) !== hex(node.hash(alg, data)) || hex(noble.hmac(alg, key, data)) !== hex(node.hmac(alg, key, data))) {
          mismatches.push(i);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});
