import { createCipheriv } from 'node:crypto';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import type { AeadAlgorithm } from '../../lib/crypto/aead.js';
import { createNodeAead } from '../../lib/node-crypto/node-aead.js';
import { seededBytes } from '../wire/helpers/prng.js';

const bytes = seededBytes(0xae5);
const hex = (b: Uint8Array | null): string | null => (b === null ? null : bytesToHex(b));

/** OpenSSL itself, called directly: the reference for both of the provider's AES paths. */
function opensslSeal(algorithm: AeadAlgorithm, key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const ccm = algorithm.includes('CCM');
  const tagLength = algorithm === 'AES_128_CCM_8' ? 8 : 16;
  const name = algorithm === 'AES_256_GCM' ? 'aes-256-gcm' : ccm ? 'aes-128-ccm' : 'aes-128-gcm';
  const cipher = createCipheriv(name as 'aes-128-gcm', key, nonce, { authTagLength: tagLength });
  if (ccm) cipher.setAAD(aad, { plaintextLength: plaintext.length });
  else cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  cipher.final();
  return new Uint8Array([...body, ...cipher.getAuthTag()]);
}

describe('nodeCryptoProvider AEADs: small AES records in the JS modes, large ones in OpenSSL', () => {
  for (const [algorithm, keyLength] of [
    ['AES_128_CCM_8', 16],
    ['AES_128_CCM', 16],
    ['AES_128_GCM', 16],
    ['AES_256_GCM', 32],
  ] as const) {
    it(`${algorithm}: one key seals and opens records on both sides of 256 bytes exactly as OpenSSL does`, () => {
      const key = bytes(keyLength);
      const aead = createNodeAead(algorithm, key);
      for (const size of [0, 1, 64, 255, 256, 257, 1024]) {
        const nonce = bytes(12);
        const aad = bytes(13);
        const plaintext = bytes(size);
        const sealed = aead.seal(nonce, plaintext, aad);
        expect(hex(sealed), `${size} bytes`).toBe(hex(opensslSeal(algorithm, key, nonce, plaintext, aad)));
        expect(hex(aead.open(nonce, sealed, aad)), `${size} bytes`).toBe(hex(plaintext));
        const forged = sealed.slice();
        forged[forged.length - 1] ^= 0x80;
        expect(aead.open(nonce, forged, aad), `${size} bytes, tag flipped`).toBeNull();
      }
    });
  }
});
