import { sha256, sha384 } from '@noble/hashes/sha2.js';
import type { Hash } from '@noble/hashes/utils.js';
import type { HashAlgorithm } from './hash.js';

type AnyHash = Hash<any>;

const IPAD = 0x36;
const OPAD = 0x5c;

/**
 * What every KeyedHmac of one algorithm computes in: a MAC runs synchronously from start
 * to end, so no two ever use these at once. Hash objects of keys that were destroyed are
 * kept for the next keys: a new hash object costs as much as hashing a block (its buffer
 * has to move off the V8 heap for the DataView noble reads it through).
 */
class Workspace {
  readonly outputLength: number;
  readonly blockLength: number;
  /** The initial state, never updated: copied over a pooled object to reset it. */
  private readonly fresh: AnyHash;
  readonly hash: AnyHash;
  readonly digest: Uint8Array;
  readonly pad: Uint8Array;
  private readonly pool: AnyHash[] = [];

  constructor(private readonly algorithm: typeof sha256 | typeof sha384) {
    this.fresh = algorithm.create();
    this.hash = algorithm.create();
    this.outputLength = algorithm.outputLen;
    this.blockLength = algorithm.blockLen;
    this.digest = new Uint8Array(this.outputLength);
    this.pad = new Uint8Array(this.blockLength);
  }

  /** A hash object in the initial state. */
  take(): AnyHash {
    const pooled = this.pool.pop();
    return pooled === undefined ? this.algorithm.create() : this.fresh._cloneInto(pooled);
  }

  /** Wipes a hash object and keeps it for later. The pool only grows as far as keys are alive at once. */
  give(hash: AnyHash): void {
    hash.destroy();
    this.pool.push(hash);
  }

  shortKey(key: Uint8Array): Uint8Array {
    return this.algorithm(key);
  }
}

const WORKSPACES = { sha256: new Workspace(sha256), sha384: new Workspace(sha384) };

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
  private readonly work: Workspace;
  private inner: AnyHash | undefined;
  private outer: AnyHash | undefined;

  constructor(alg: HashAlgorithm, key: Uint8Array) {
    const work = (this.work = WORKSPACES[alg]);
    this.outputLength = work.outputLength;
    const { pad } = work;
    pad.fill(0);
    pad.set(key.length > work.blockLength ? work.shortKey(key) : key);
    for (let i = 0; i < pad.length; i++) pad[i] ^= IPAD;
    this.inner = work.take().update(pad);
    for (let i = 0; i < pad.length; i++) pad[i] ^= IPAD ^ OPAD;
    this.outer = work.take().update(pad);
    pad.fill(0);
  }

  /**
   * Writes HMAC(key, first || second) into the first outputLength bytes of `out`. `out` may
   * be one of the inputs: they are consumed before anything is written.
   */
  macInto(out: Uint8Array, first: Uint8Array, second?: Uint8Array): void {
    if (this.inner === undefined || this.outer === undefined) throw new Error('KeyedHmac used after destroy()');
    const { hash, digest } = this.work;
    this.inner._cloneInto(hash);
    hash.update(first);
    if (second !== undefined) hash.update(second);
    hash.digestInto(digest);
    this.outer._cloneInto(hash);
    hash.update(digest);
    hash.digestInto(digest);
    out.set(digest);
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
    if (this.inner === undefined || this.outer === undefined) return;
    this.work.give(this.inner);
    this.work.give(this.outer);
    this.inner = this.outer = undefined;
  }
}
