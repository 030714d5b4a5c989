import { DtlsError } from '../dtls-error.js';
import type { PskCredential, ServerPskLookup } from '../handshake/psk-credentials.js';
import type { MaybePromise } from '../handshake/handshake-step.js';
import { timingSafeEqual } from '../crypto/constant-time.js';

/** Text is taken as UTF-8; bytes as they are. */
export type Bytes = string | Uint8Array;

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const toBytes = (value: Bytes): Uint8Array => (typeof value === 'string' ? utf8(value) : value);

export interface PskEntry {
  /** Credentials are grouped by tag, as RIOT's credman does; an endpoint uses one tag. */
  readonly tag: number;
  readonly identity: Bytes;
  readonly key: Bytes;
  /** RFC 4279 §2 identity hint a server sends. */
  readonly hint?: Bytes;
}

/** Looks up a key by identity (a device fleet keeps them in a database). */
export type PskLookupFn = (identity: Uint8Array) => MaybePromise<Uint8Array | undefined>;

/**
 * Tagged credentials in the manner of RIOT's credman: an endpoint or session
 * names a tag and sees only the credentials filed under it.
 */
export class CredentialStore {
  private readonly psks: Array<{ tag: number; identity: Uint8Array; key: Uint8Array; hint?: Uint8Array }> = [];
  private readonly lookups: Array<{ tag: number; lookup: PskLookupFn }> = [];

  psk(entry: PskEntry): this {
    const key = toBytes(entry.key);
    if (key.length === 0) throw new DtlsError('EINVAL', 'a pre-shared key must not be empty');
    this.psks.push({ tag: entry.tag, identity: toBytes(entry.identity), key, hint: entry.hint === undefined ? undefined : toBytes(entry.hint) });
    return this;
  }

  /** Adds an identity-to-key lookup for a tag, consulted after the static entries. */
  pskLookup(tag: number, lookup: PskLookupFn): this {
    this.lookups.push({ tag, lookup });
    return this;
  }

  hasPsk(tag: number): boolean {
    return this.psks.some((p) => p.tag === tag) || this.lookups.some((l) => l.tag === tag);
  }

  /** The client's choice: the first PSK of the tag (RIOT sessions carry one PSK per tag). */
  clientPsk(tag: number): PskCredential | undefined {
    const entry = this.psks.find((p) => p.tag === tag);
    return entry && { identity: entry.identity, key: entry.key };
  }

  serverPskHint(tag: number): Uint8Array | undefined {
    return this.psks.find((p) => p.tag === tag && p.hint !== undefined)?.hint;
  }

  serverPskLookup(tag: number): ServerPskLookup {
    const statics = this.psks.filter((p) => p.tag === tag);
    const lookups = this.lookups.filter((l) => l.tag === tag).map((l) => l.lookup);
    // Synchronous when the key is a static entry, so handshakes stay in virtual time in specs.
    return (identity) => {
      const found = statics.find((p) => timingSafeEqual(p.identity, identity));
      if (found) return found.key;
      return lookups.length === 0 ? undefined : firstKey(lookups, identity);
    };
  }
}

/** A new, empty credential store. */
export function credentials(): CredentialStore {
  return new CredentialStore();
}

async function firstKey(lookups: readonly PskLookupFn[], identity: Uint8Array): Promise<Uint8Array | undefined> {
  for (const lookup of lookups) {
    const key = await lookup(identity);
    if (key) return key;
  }
  return undefined;
}
