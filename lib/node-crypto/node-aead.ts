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
  /** createCipheriv's options, made once. */
  readonly options: { readonly authTagLength: number };
}

const parameters = (cipher: NodeCipherName, keyLength: number, tagLength: number, ccm: boolean): Parameters =>
  Object.freeze({ cipher, keyLength, tagLength, ccm, options: Object.freeze({ authTagLength: tagLength }) });

const PARAMETERS: Record<AeadAlgorithm, Parameters> = {
  AES_128_CCM_8: parameters('aes-128-ccm', 16, 8, true),
  AES_128_CCM: parameters('aes-128-ccm', 16, 16, true),
  AES_128_GCM: parameters('aes-128-gcm', 16, 16, false),
  AES_256_GCM: parameters('aes-256-gcm', 32, 16, false),
  CHACHA20_POLY1305: parameters('chacha20-poly1305', 32, 16, false),
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
  const { keyLength } = PARAMETERS[algorithm];
  if (key.length !== keyLength) throw new RangeError(`${algorithm} needs a ${keyLength}-byte key, got ${key.length}`);
  return new NodeAead(algorithm, key);
}

/**
 * Node makes a new OpenSSL cipher context per call (there is no reusable one), so all this
 * keeps between records is the key; a class rather than closures, as a session keeps one
 * per direction for its whole life.
 */
class NodeAead implements Aead {
  readonly tagLength: number;
  private readonly parameters: Parameters;
  /** A private copy: the caller's key may be a view into a key block that is later wiped or reused. */
  private readonly key: Uint8Array;

  constructor(
    readonly algorithm: AeadAlgorithm,
    key: Uint8Array,
  ) {
    this.parameters = PARAMETERS[algorithm];
    this.tagLength = this.parameters.tagLength;
    this.key = key.slice();
  }

  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    const out = new Uint8Array(plaintext.length + this.tagLength);
    this.sealInto(nonce, plaintext, aad, out, 0);
    return out;
  }

  sealInto(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, out: Uint8Array, offset: number): void {
    if (nonce.length !== NONCE_LENGTH) throw new RangeError(`${this.algorithm}: nonce must be ${NONCE_LENGTH} bytes`);
    const { cipher, ccm, options } = this.parameters;
    const c = createCipheriv(cipher as CipherGCMTypes, this.key, nonce, options);
    if (ccm) c.setAAD(aad, { plaintextLength: plaintext.length });
    else c.setAAD(aad);
    // OpenSSL's output comes back in Buffers of its own; copying them into place is the
    // one copy left (Node has no update() into a caller's buffer).
    out.set(c.update(plaintext), offset);
    c.final();
    out.set(c.getAuthTag(), offset + plaintext.length);
  }

  open(nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Uint8Array | null {
    const { tagLength } = this;
    if (nonce.length !== NONCE_LENGTH || ciphertextAndTag.length < tagLength) return null;
    const { cipher, ccm, options } = this.parameters;
    const ciphertextLength = ciphertextAndTag.length - tagLength;
    try {
      const d = createDecipheriv(cipher as CipherGCMTypes, this.key, nonce, options);
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
  }
}
