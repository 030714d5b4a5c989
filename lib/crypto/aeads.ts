import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import type { Aead, AeadAlgorithm } from './aead.js';
import { aesCcm } from './aes-ccm.js';
import { aesGcm } from './aes-gcm.js';

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

/** One algorithm bound to one key; may throw on a tag mismatch (noble's ChaCha20-Poly1305 does), which NobleAead turns into null. */
interface Implementation {
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  sealInto(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, out: Uint8Array, offset: number): void;
  open(nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Uint8Array | null;
}

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
  return new NobleAead(algorithm, tagLength, implementation(algorithm, key, tagLength));
}

/** A class, not closures: an established session keeps one per direction for its whole life. */
class NobleAead implements Aead {
  constructor(
    readonly algorithm: AeadAlgorithm,
    readonly tagLength: number,
    private readonly inner: Implementation,
  ) {}

  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    this.checkNonce(nonce);
    return this.inner.seal(nonce, plaintext, aad);
  }

  sealInto(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, out: Uint8Array, offset: number): void {
    this.checkNonce(nonce);
    this.inner.sealInto(nonce, plaintext, aad, out, offset);
  }

  open(nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Uint8Array | null {
    if (nonce.length !== NONCE_LENGTH || ciphertextAndTag.length < this.tagLength) return null;
    try {
      return this.inner.open(nonce, ciphertextAndTag, aad);
    } catch {
      // noble signals a tag mismatch by throwing; to the record layer it is just a bad record.
      return null;
    }
  }

  private checkNonce(nonce: Uint8Array): void {
    if (nonce.length !== NONCE_LENGTH) throw new RangeError(`${this.algorithm}: nonce must be ${NONCE_LENGTH} bytes`);
  }
}

function implementation(algorithm: AeadAlgorithm, key: Uint8Array, tagLength: number): Implementation {
  switch (algorithm) {
    case 'AES_128_CCM_8':
    case 'AES_128_CCM':
      return aesCcm(key, tagLength === 8 ? 8 : 16);
    case 'AES_128_GCM':
    case 'AES_256_GCM':
      return aesGcm(key);
    case 'CHACHA20_POLY1305':
      return new ChaCha20Poly1305(key);
  }
}

/** ChaCha20 has no key schedule to keep: noble's chacha20poly1305() takes the key on every call. */
class ChaCha20Poly1305 implements Implementation {
  /** A private copy: the caller's key may be a view into a key block that is later wiped or reused. */
  private readonly key: Uint8Array;

  constructor(key: Uint8Array) {
    this.key = key.slice();
  }

  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    return chacha20poly1305(this.key, nonce, aad).encrypt(plaintext);
  }

  sealInto(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, out: Uint8Array, offset: number): void {
    chacha20poly1305(this.key, nonce, aad).encrypt(plaintext, out.subarray(offset, offset + plaintext.length + 16));
  }

  open(nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Uint8Array | null {
    return chacha20poly1305(this.key, nonce, aad).decrypt(ciphertextAndTag);
  }
}
