import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import type { Aead, AeadAlgorithm } from './aead.js';
import { aesCcm } from './aes-ccm.js';

/**
 * Every DTLS 1.2 AEAD here takes a 12-byte nonce: RFC 5288 §3 (GCM) and RFC 6655 §3 (CCM)
 * build it as salt(4) || explicit(8), RFC 7905 §2 (ChaCha20-Poly1305) as the fixed IV
 * XORed with the padded sequence number.
 */
const NONCE_LENGTH = 12;

const KEY_LENGTH: Record<AeadAlgorithm, number> = {
  AES_128_CCM_8: 16,
  AES_128_CCM: 16,
  AES_128_GCM: 16,
  AES_256_GCM: 32,
  CHACHA20_POLY1305: 32,
};

type SealOpen = Pick<Aead, 'seal' | 'open'>;

/**
 * An AEAD for one record-protection key. A wrong key length is a caller bug and throws;
 * `seal` throws on a nonce that is not 12 bytes; `open` never throws and returns null
 * for a wrong nonce length, a too-short input or a tag that does not verify.
 */
export function createAead(algorithm: AeadAlgorithm, key: Uint8Array): Aead {
  if (key.length !== KEY_LENGTH[algorithm]) {
    throw new RangeError(`${algorithm} needs a ${KEY_LENGTH[algorithm]}-byte key, got ${key.length}`);
  }
  const tagLength = algorithm === 'AES_128_CCM_8' ? 8 : 16;
  // A private copy: the caller's key may be a view into a key block that is later wiped or reused.
  const inner = implementation(algorithm, key.slice(), tagLength);
  return {
    algorithm,
    tagLength,
    seal(nonce, plaintext, aad) {
      if (nonce.length !== NONCE_LENGTH) throw new RangeError(`${algorithm}: nonce must be ${NONCE_LENGTH} bytes`);
      return inner.seal(nonce, plaintext, aad);
    },
    open(nonce, ciphertextAndTag, aad) {
      if (nonce.length !== NONCE_LENGTH || ciphertextAndTag.length < tagLength) return null;
      try {
        return inner.open(nonce, ciphertextAndTag, aad);
      } catch {
        // noble signals a tag mismatch by throwing; to the record layer it is just a bad record.
        return null;
      }
    },
  };
}

function implementation(algorithm: AeadAlgorithm, key: Uint8Array, tagLength: number): SealOpen {
  switch (algorithm) {
    case 'AES_128_CCM_8':
    case 'AES_128_CCM':
      return aesCcm(key, tagLength === 8 ? 8 : 16);
    case 'AES_128_GCM':
    case 'AES_256_GCM':
      return {
        seal: (nonce, plaintext, aad) => gcm(key, nonce, aad).encrypt(plaintext),
        open: (nonce, ciphertextAndTag, aad) => gcm(key, nonce, aad).decrypt(ciphertextAndTag),
      };
    case 'CHACHA20_POLY1305':
      return {
        seal: (nonce, plaintext, aad) => chacha20poly1305(key, nonce, aad).encrypt(plaintext),
        open: (nonce, ciphertextAndTag, aad) => chacha20poly1305(key, nonce, aad).decrypt(ciphertextAndTag),
      };
  }
}
