import { createCipheriv, createDecipheriv, type CipherCCMTypes, type CipherChaCha20Poly1305Types, type CipherGCMTypes } from 'node:crypto';
import type { Aead, AeadAlgorithm } from '../crypto/aead.js';
import { createAead } from '../crypto/aeads.js';
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
  /** AES: small records go to the JS modes of lib/crypto (see SMALL_AES_RECORD). */
  readonly aes: boolean;
}

const parameters = (cipher: NodeCipherName, keyLength: number, tagLength: number, ccm: boolean): Parameters =>
  Object.freeze({ cipher, keyLength, tagLength, ccm, options: Object.freeze({ authTagLength: tagLength }), aes: cipher.startsWith('aes') });

const PARAMETERS: Record<AeadAlgorithm, Parameters> = {
  AES_128_CCM_8: parameters('aes-128-ccm', 16, 8, true),
  AES_128_CCM: parameters('aes-128-ccm', 16, 16, true),
  AES_128_GCM: parameters('aes-128-gcm', 16, 16, false),
  AES_256_GCM: parameters('aes-256-gcm', 32, 16, false),
  CHACHA20_POLY1305: parameters('chacha20-poly1305', 32, 16, false),
};

/**
 * Below this many bytes, an AES record costs less in the JS modes of lib/crypto
 * (aes-ccm.ts, aes-gcm.ts, which keep their key schedule per key) than in the new OpenSSL
 * context Node's API makes for every call: 1.7–2.6 µs against 3.3–7.7 µs at 64 bytes, even
 * at about 300 (bench/profile/record-protection.ts). Handshake Finished messages, alerts
 * and most CoAP messages are that small. ChaCha20-Poly1305 always goes to OpenSSL, which
 * is faster at every size.
 */
const SMALL_AES_RECORD = 256;

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
 * keeps between records is the key, and the JS mode for small AES records once one came;
 * a class rather than closures, as a session keeps one per direction for its whole life.
 */
class NodeAead implements Aead {
  readonly tagLength: number;
  private readonly parameters: Parameters;
  /** A private copy: the caller's key may be a view into a key block that is later wiped or reused. */
  private readonly key: Uint8Array;
  private small?: Aead;

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
    const small = this.smallRecords(plaintext.length);
    if (small !== undefined) {
      small.sealInto!(nonce, plaintext, aad, out, offset);
      return;
    }
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
    const ciphertextLength = ciphertextAndTag.length - tagLength;
    const small = this.smallRecords(ciphertextLength);
    if (small !== undefined) return small.open(nonce, ciphertextAndTag, aad);
    const { cipher, ccm, options } = this.parameters;
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

  /** The JS mode, made on the first small record, for an AES record of `length` bytes of plaintext below SMALL_AES_RECORD. */
  private smallRecords(length: number): Aead | undefined {
    if (!this.parameters.aes || length >= SMALL_AES_RECORD) return undefined;
    return (this.small ??= createAead(this.algorithm, this.key));
  }
}
