import { sha256, sha384 } from '@noble/hashes/sha2.js';
import type { Hash } from '@noble/hashes/utils.js';
import type { HashAlgorithm } from './hash.js';

type AnyHash = Hash<any>;

const HASHES = { sha256, sha384 } as const;

/**
 * One hash object and one digest buffer per algorithm that every KeyedHmac computes in.
 * A MAC is computed synchronously from start to end, so no two ever use them at once.
 */
const WORK = {
  sha256: { hash: sha256.create() as AnyHash, digest: new Uint8Array(sha256.outputLen) },
  sha384: { hash: sha384.create() as AnyHash, digest: new Uint8Array(sha384.outputLen) },
};

const IPAD = 0x36;
const OPAD = 0x5c;

/**
 * HMAC (RFC 2104) under one key for many messages, as the TLS PRF and the cookie need it:
 * HMAC(K, m) = H((K' ^ opad) || H((K' ^ ipad) || m)), K' the key zero-padded to the block
 * (or hashed first when longer than a block). The two pad blocks are hashed once, here, and
 * each MAC continues from a copy of those states. A one-shot HMAC rehashes both pad blocks and
 * builds four hash objects per message: three times the cost of a short MAC.
 */
export class KeyedHmac {
  /** 32 for SHA-256, 48 for SHA-384. */
  readonly outputLength: number;
  private readonly inner: AnyHash;
  private readonly outer: AnyHash;
  private readonly work: { readonly hash: AnyHash; readonly digest: Uint8Array };

  constructor(alg: HashAlgorithm, key: Uint8Array) {
    const hash = HASHES[alg];
    this.work = WORK[alg];
    this.outputLength = hash.outputLen;
    const pad = new Uint8Array(hash.blockLen);
    pad.set(key.length > hash.blockLen ? hash(key) : key);
    for (let i = 0; i < pad.length; i++) pad[i] ^= IPAD;
    this.inner = hash.create().update(pad);
    for (let i = 0; i < pad.length; i++) pad[i] ^= IPAD ^ OPAD;
    this.outer = hash.create().update(pad);
    pad.fill(0);
  }

  /**
   * Writes HMAC(key, first || second) into the first outputLength bytes of `out`. `out` may
   * be one of the inputs: they are consumed before anything is written.
   */
  macInto(out: Uint8Array, first: Uint8Array, second?: Uint8Array): void {
    const { hash, digest } = this.work;
    this.inner._cloneInto(hash);
    hash.update(first);
    if (second !== undefined) hash.update(second);
    hash.digestInto(digest);
    this.outer._cloneInto(hash);
    hash.update(digest);
    hash.digestInto(out);
    // Leave no key-dependent state behind in the shared objects.
    hash.destroy();
    digest.fill(0);
  }

  mac(first: Uint8Array, second?: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.outputLength);
    this.macInto(out, first, second);
    return out;
  }

  /** Wipes the keyed states; the object is unusable afterwards. */
  destroy(): void {
    this.inner.destroy();
    this.outer.destroy();
  }
}
