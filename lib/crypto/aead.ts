/** The AEAD algorithms DTLS 1.2 cipher suites use here. */
export type AeadAlgorithm =
  | 'AES_128_CCM_8'
  | 'AES_128_CCM'
  | 'AES_128_GCM'
  | 'AES_256_GCM'
  | 'CHACHA20_POLY1305';

/**
 * An AEAD bound to one key. Implementations must not keep the plaintext, AAD or
 * nonce after a call returns; they may cache the expanded key.
 */
export interface Aead {
  /** Which AEAD it is. */
  readonly algorithm: AeadAlgorithm;
  /** Tag length in bytes (8 for CCM_8, 16 otherwise). */
  readonly tagLength: number;
  /** Returns ciphertext || tag. */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /**
   * Optional: what `seal` returns, written into `out` from `offset` on (plaintext.length +
   * tagLength bytes, which must not overlap `plaintext`), so the record layer can seal straight
   * into the record it sends instead of copying. Same errors as `seal`.
   */
  sealInto?(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, out: Uint8Array, offset: number): void;
  /** Returns the plaintext, or null when the tag does not verify or the input is malformed. Never throws on bad input. */
  open(nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Uint8Array | null;
}
