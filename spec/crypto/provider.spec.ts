import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import * as crypto from '../../lib/crypto/index.js';
import { nobleProvider, type CryptoProvider } from '../../lib/crypto/provider.js';

describe('nobleProvider', () => {
  const provider: CryptoProvider = nobleProvider;

  it('is named and immutable', () => {
    expect(provider.name).toBe('noble');
    expect(Object.isFrozen(provider)).toBe(true);
  });

  it('seals and opens with every AEAD', () => {
    const nonce = new Uint8Array(12).fill(1);
    const aad = new Uint8Array(13).fill(2);
    const message = new TextEncoder().encode('provider');
    for (const [algorithm, keyLength] of [
      ['AES_128_CCM_8', 16],
      ['AES_128_CCM', 16],
      ['AES_128_GCM', 16],
      ['AES_256_GCM', 32],
      ['CHACHA20_POLY1305', 32],
    ] as const) {
      const aead = provider.createAead(algorithm, provider.randomBytes(keyLength));
      expect(aead.open(nonce, aead.seal(nonce, message, aad), aad)).toEqual(message);
    }
  });

  it('hashes and MACs with the functions of hash.ts', () => {
    const data = new TextEncoder().encode('abc');
    expect(bytesToHex(provider.hash('sha256', data))).toBe(bytesToHex(crypto.hash('sha256', data)));
    expect(bytesToHex(provider.hmac('sha384', data, data))).toBe(bytesToHex(crypto.hmac('sha384', data, data)));
  });

  it('agrees on ECDHE secrets and signs and verifies', () => {
    for (const group of crypto.SUPPORTED_GROUPS) {
      const a = provider.generateKeyShare(group);
      const b = provider.generateKeyShare(group);
      expect(provider.computeSharedSecret(group, a.privateKey, b.publicKey)).toEqual(
        provider.computeSharedSecret(group, b.privateKey, a.publicKey),
      );
    }
    const key = provider.generateKeyShare(crypto.NamedGroup.secp256r1);
    const message = provider.randomBytes(100);
    const signature = provider.ecdsaSign(key.privateKey, message);
    expect(provider.ecdsaVerify(key.publicKey, message, signature)).toBe(true);
    expect(provider.ecdsaVerify(key.publicKey, provider.randomBytes(100), signature)).toBe(false);
  });
});

describe('lib/crypto/index.ts', () => {
  it('re-exports the API other folders code against', () => {
    const names = [
      'timingSafeEqual',
      'randomBytes',
      'hash',
      'hmac',
      'hashLength',
      'prf',
      'computeMasterSecret',
      'computeExtendedMasterSecret',
      'deriveKeyBlock',
      'computeVerifyData',
      'pskPremasterSecret',
      'ecdhePskPremasterSecret',
      'aesCcm',
      'createAead',
      'NamedGroup',
      'SUPPORTED_GROUPS',
      'generateKeyShare',
      'computeSharedSecret',
      'ecdsaSign',
      'ecdsaVerify',
      'ecdsaPublicKey',
      'encodeP256Spki',
      'decodeP256Spki',
      'decodeP256PrivateKey',
      'pemToDer',
      'nobleProvider',
      'CIPHER_SUITES',
      'cipherSuiteById',
      'cipherSuiteByName',
    ];
    const missing = names.filter((name) => !(name in crypto));
    expect(missing).toEqual([]);
  });
});
