import { createCipheriv, createDecipheriv, type CipherCCMTypes, type CipherChaCha20Poly1305Types, type CipherGCMTypes } from 'node:crypto';
import type { Aead, AeadAlgorithm } from '../crypto/aead.js';
import { plain } from './bytes.js';

type NodeCipherName = CipherCCMTypes | CipherGCMTypes | CipherChaCha20Poly1305Types;

interface Parameters {
  readonly cipher: NodeCipherName;
  readonly keyLength: number;
  readonly tagLength: number;
  /** CCM authenticates in one pass and must be told the plaintext length with the AAD. */
  readonly ccm: boolean;
}

const PARAMETERS: Record<AeadAlgorithm, Parameters> = {
  AES_128_CCM_8: { cipher: 'aes-128-ccm', keyLength: 16, tagLength: 8, ccm: true },
  AES_128_CCM: { cipher: 'aes-128-ccm', keyLength: 16, tagLength: 16, ccm: true },
  AES_128_GCM: { cipher: 'aes-128-gcm', keyLength: 16, tagLength: 16, ccm: false },
  AES_256_GCM: { cipher: 'aes-256-gcm', keyLength: 32, tagLength: 16, ccm: false },
  CHACHA20_POLY1305: { cipher: 'chacha20-poly1305', keyLength: 32, tagLength: 16, ccm: false },
};

/**
 * RFC 5288 §3 (GCM), RFC 6655 §3 (CCM) and RFC 7905 §2 (ChaCha20-Poly1305) all give DTLS 1.2
 * a 12-byte nonce; like the noble AEADs, anything else is refused.
 */
const NONCE_LENGTH = 12;

/**
 * The node:crypto (OpenSSL) AEADs with the contract of lib/crypto/aeads.ts createAead: a wrong
 * key length throws, `seal` throws on a nonce that is not 12 bytes, `open` never throws and
 * returns null for a wrong nonce length, a too-short input or a tag that does not verify.
 */
export function createNodeAead(algorithm: AeadAlgorithm, key: Uint8Array): Aead {
  const { cipher, keyLength, tagLength, ccm } = PARAMETERS[algorithm];
  if (key.length !== keyLength) throw new RangeError(`${algorithm} needs a ${keyLength}-byte key, got ${key.length}`);
  // A private copy: the caller's key may be a view into a key block that is later wiped or reused.
  const ownKey = key.slice();
  const options = { authTagLength: tagLength };
  return {
    algorithm,
    tagLength,
    seal(nonce, plaintext, aad) {
      if (nonce.length !== NONCE_LENGTH) throw new RangeError(`${algorithm}: nonce must be ${NONCE_LENGTH} bytes`);
      const c = createCipheriv(cipher as CipherGCMTypes, ownKey, nonce, options);
      if (ccm) c.setAAD(aad, { plaintextLength: plaintext.length });
      else c.setAAD(aad);
      const out = new Uint8Array(plaintext.length + tagLength);
      out.set(c.update(plaintext));
      c.final();
      out.set(c.getAuthTag(), plaintext.length);
      return out;
    },
    open(nonce, ciphertextAndTag, aad) {
      if (nonce.length !== NONCE_LENGTH || ciphertextAndTag.length < tagLength) return null;
      const ciphertextLength = ciphertextAndTag.length - tagLength;
      try {
        const d = createDecipheriv(cipher as CipherGCMTypes, ownKey, nonce, options);
        d.setAuthTag(ciphertextAndTag.subarray(ciphertextLength));
        if (ccm) d.setAAD(aad, { plaintextLength: ciphertextLength });
        else d.setAAD(aad);
        const plaintext = d.update(ciphertextAndTag.subarray(0, ciphertextLength));
        // The tag is checked here; for CCM, update() has already returned bytes that must not
        // be used unless final() succeeds.
        d.final();
        return plain(plaintext);
      } catch {
        return null;
      }
    },
  };
}
