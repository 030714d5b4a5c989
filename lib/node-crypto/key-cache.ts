import { sameBytes } from './bytes.js';

/**
 * Remembers the native key object made for a byte-string key, keyed by the array that
 * holds it, so a key share made by generateKeyShare or a credential's signing key is
 * imported into OpenSSL once rather than on every use (an import costs as much as the
 * operation itself). A hit also requires the bytes to be unchanged, so a caller that
 * rewrites its array in place never gets the key it had before.
 */
export class IdentityKeyCache<K> {
  private readonly entries = new WeakMap<Uint8Array, { readonly bytes: Uint8Array; readonly key: K }>();

  get(bytes: Uint8Array): K | undefined {
    const entry = this.entries.get(bytes);
    return entry !== undefined && sameBytes(entry.bytes, bytes) ? entry.key : undefined;
  }

  set(bytes: Uint8Array, key: K): K {
    this.entries.set(bytes, { bytes: bytes.slice(), key });
    return key;
  }
}

/**
 * Keys imported from bytes a peer sent, keyed by their value, with a bounded size: a client
 * that reconnects to the same server verifies the same ServerKeyExchange key each time.
 * The oldest entry goes first (Map keeps insertion order).
 */
export class BoundedKeyCache<K> {
  private readonly entries = new Map<string, K>();

  constructor(private readonly capacity: number) {}

  get(id: string): K | undefined {
    return this.entries.get(id);
  }

  set(id: string, key: K): K {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(id, key);
    return key;
  }
}
