import { DtlsError } from '../dtls-error.js';
import type { PskCredential, ServerPskLookup } from '../handshake/psk-credentials.js';
import type { MaybePromise } from '../handshake/handshake-step.js';
import { NEVER_ABORTED, type LookupContext } from '../handshake/lookup-context.js';
import { timingSafeEqual } from '../crypto/constant-time.js';
import type { KeyExchange } from '../crypto/cipher-suites.js';
import type { LocalCertificate, PeerAuthenticator } from '../handshake/peer-authentication.js';
import { privateKeyScalar, publicKeyPoint, type PrivateKeyInput, type PublicKeyInput } from './key-material.js';
import { rawPublicKeyCertificate, verifyRawPublicKey, type RawPublicKeyTrust } from './raw-public-key.js';
import type { LookupGate } from './lookup-gate.js';
import { pemCertificates, verifyX509Chain, x509Certificate, type CheckServerIdentity } from './x509.js';

/** Text is taken as UTF-8; bytes as they are. */
export type Bytes = string | Uint8Array;

/** The UTF-8 bytes of a string (PSK identities and keys given as text are taken so). */
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const toBytes = (value: Bytes): Uint8Array => (typeof value === 'string' ? utf8(value) : value);

/** A pre-shared key (RFC 4279): the identity a client sends and the key both sides hold. */
export interface PskEntry {
  /** Credentials are grouped by tag, as RIOT's credman does; an endpoint uses one tag. */
  readonly tag: number;
  /** The PSK identity, sent in the clear in ClientKeyExchange. */
  readonly identity: Bytes;
  /** The secret key; never logged or sent. */
  readonly key: Bytes;
  /** RFC 4279 §2 identity hint a server sends. */
  readonly hint?: Bytes;
}

/**
 * An ECDSA credential with raw public keys (RFC 7250), as RIOT's credman holds
 * one: our key pair, and the peer keys we trust (a list, a callback, or both).
 */
export interface EcdsaEntry {
  /** The tag this credential is filed under. */
  readonly tag: number;
  /** Our P-256 private key; omit it for a client that only authenticates the server. */
  readonly privateKey?: PrivateKeyInput;
  /** The peers' public keys we accept (pinned). */
  readonly trustedPeers?: readonly PublicKeyInput[];
  /** Decides on a peer's key that is not pinned (a database lookup, a fleet registry). */
  readonly trust?: RawPublicKeyTrust;
}

/** An X.509 credential: our chain and key (PEM, leaf first), and the roots we trust for peers. */
export interface X509Entry {
  /** The tag this credential is filed under. */
  readonly tag: number;
  /** Our certificate chain, PEM, leaf first; with privateKey. */
  readonly certificate?: string;
  /** The leaf certificate's P-256 private key. */
  readonly privateKey?: PrivateKeyInput;
  /** Trusted root certificates (PEM; several blocks allowed). */
  readonly ca?: string | readonly string[];
}

/**
 * Looks up a key by identity (a device fleet keeps them in a database). `context.signal`
 * aborts when the handshake that asked ends: cancel the query then.
 */
export type PskLookupFn = (identity: Uint8Array, context: LookupContext) => MaybePromise<Uint8Array | undefined>;

/**
 * Tagged credentials in the manner of RIOT's credman: an endpoint or session
 * names a tag and sees only the credentials filed under it.
 */
export class CredentialStore {
  private readonly psks: Array<{ tag: number; identity: Uint8Array; key: Uint8Array; hint?: Uint8Array }> = [];
  private readonly lookups: Array<{ tag: number; lookup: PskLookupFn }> = [];
  private readonly certificates: Array<{ tag: number; certificate: LocalCertificate }> = [];
  private readonly rawKeyTrust: Array<{ tag: number; keys: Uint8Array[]; trust?: RawPublicKeyTrust }> = [];
  private readonly roots: Array<{ tag: number; der: Uint8Array }> = [];

  /** Adds a pre-shared key under its tag. A client uses the first of its tag; a server looks the identity up. */
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

  /** Adds an ECDSA raw public key credential (RFC 7250) under its tag: our key pair and/or the peer keys we trust. */
  ecdsa(entry: EcdsaEntry): this {
    if (entry.privateKey !== undefined) {
      this.certificates.push({ tag: entry.tag, certificate: rawPublicKeyCertificate(privateKeyScalar(entry.privateKey)) });
    }
    if (entry.trustedPeers || entry.trust) {
      this.rawKeyTrust.push({ tag: entry.tag, keys: (entry.trustedPeers ?? []).map(publicKeyPoint), trust: entry.trust });
    }
    return this;
  }

  /** Adds an X.509 credential under its tag: our chain and key and/or the roots we trust. */
  x509(entry: X509Entry): this {
    if ((entry.certificate === undefined) !== (entry.privateKey === undefined)) {
      throw new DtlsError('EINVAL', 'an X.509 credential needs both certificate and privateKey, or neither');
    }
    if (entry.certificate !== undefined && entry.privateKey !== undefined) {
      this.certificates.push({ tag: entry.tag, certificate: x509Certificate(pemCertificates(entry.certificate), privateKeyScalar(entry.privateKey)) });
    }
    const cas = entry.ca === undefined ? [] : typeof entry.ca === 'string' ? [entry.ca] : entry.ca;
    for (const pem of cas) for (const der of pemCertificates(pem)) this.roots.push({ tag: entry.tag, der });
    return this;
  }

  /**
   * Our certificates under a tag (raw public key and/or X.509).
   * @internal the endpoints' lookups; users add credentials and name a tag
   */
  localCertificates(tag: number): LocalCertificate[] {
    return this.certificates.filter((c) => c.tag === tag).map((c) => c.certificate);
  }

  /**
   * How peers are authenticated under a tag; undefined when nothing is trusted.
   * `peer` is the role of the peer being judged; a server's `serverName` is checked in its X.509 leaf.
   * Trust callbacks run through `gate` when one is given.
   * @internal the endpoints' lookups; users add credentials and name a tag
   */
  authenticator(
    tag: number,
    peer: { readonly role: 'server' | 'client'; readonly serverName?: string; readonly checkServerIdentity?: CheckServerIdentity },
    gate?: LookupGate,
  ): PeerAuthenticator | undefined {
    if (!this.trustsPeers(tag)) return undefined;
    const trust = this.rawKeyTrust.filter((t) => t.tag === tag);
    const roots = this.roots.filter((r) => r.tag === tag).map((r) => r.der);
    const keys = trust.flatMap((t) => t.keys);
    const callbacks = trust.flatMap((t) => (t.trust ? [t.trust] : []));
    return {
      verifyRawPublicKey: trust.length > 0 ? verifyRawPublicKey(keys, anyOf(callbacks), gate) : undefined,
      verifyX509:
        roots.length > 0 ? verifyX509Chain(roots, { serverName: peer.serverName, purpose: peer.role, checkServerIdentity: peer.checkServerIdentity }) : undefined,
    };
  }

  /**
   * The key exchanges a tag's credentials allow in a role.
   * @internal the endpoints' lookups; users add credentials and name a tag
   */
  keyExchanges(tag: number, role: 'client' | 'server'): KeyExchange[] {
    const psk = role === 'client' ? this.clientPsk(tag) !== undefined : this.hasPsk(tag);
    const ecdsa = role === 'client' ? this.trustsPeers(tag) : this.localCertificates(tag).length > 0;
    return [...(ecdsa ? (['ECDHE_ECDSA'] as const) : []), ...(psk ? (['PSK', 'ECDHE_PSK'] as const) : [])];
  }

  /** Whether a tag has anything to authenticate peers with (raw keys, a trust callback or X.509 roots). */
  private trustsPeers(tag: number): boolean {
    return this.rawKeyTrust.some((t) => t.tag === tag) || this.roots.some((r) => r.tag === tag);
  }

  /**
   * Whether a tag has a PSK or a PSK lookup.
   * @internal the endpoints' lookups; users add credentials and name a tag
   */
  hasPsk(tag: number): boolean {
    return this.psks.some((p) => p.tag === tag) || this.lookups.some((l) => l.tag === tag);
  }

  /**
   * The client's choice: the first PSK of the tag (RIOT sessions carry one PSK per tag).
   * @internal the endpoints' lookups; users add credentials and name a tag
   */
  clientPsk(tag: number): PskCredential | undefined {
    const entry = this.psks.find((p) => p.tag === tag);
    return entry && { identity: entry.identity, key: entry.key };
  }

  /**
   * The identity hint a server sends (RFC 4279 §2), the first entry of the tag that has one.
   * @internal the endpoints' lookups; users add credentials and name a tag
   */
  serverPskHint(tag: number): Uint8Array | undefined {
    return this.psks.find((p) => p.tag === tag && p.hint !== undefined)?.hint;
  }

  /**
   * The server's key for an identity: the static entries first, then the lookups, which run through `gate` when one is given.
   * @internal the endpoints' lookups; users add credentials and name a tag
   */
  serverPskLookup(tag: number, gate?: LookupGate): ServerPskLookup {
    const statics = this.psks.filter((p) => p.tag === tag);
    const lookups = this.lookups.filter((l) => l.tag === tag).map((l) => l.lookup);
    // Synchronous when the key is a static entry, so handshakes stay in virtual time in specs.
    return (identity, context = { signal: NEVER_ABORTED }) => {
      const found = statics.find((p) => timingSafeEqual(p.identity, identity));
      if (found) return found.key;
      if (lookups.length === 0) return undefined;
      return gate ? gate.run(() => firstKey(lookups, identity, context), context.signal) : firstKey(lookups, identity, context);
    };
  }
}

/** A new, empty credential store. */
export function credentials(): CredentialStore {
  return new CredentialStore();
}

async function firstKey(lookups: readonly PskLookupFn[], identity: Uint8Array, context: LookupContext): Promise<Uint8Array | undefined> {
  for (const lookup of lookups) {
    context.signal.throwIfAborted();
    const key = await lookup(identity, context);
    if (key) return key;
  }
  return undefined;
}

/** One trust callback out of several: yes when any says yes. */
function anyOf(callbacks: readonly RawPublicKeyTrust[]): RawPublicKeyTrust | undefined {
  if (callbacks.length <= 1) return callbacks[0];
  return async (spki, context) => {
    for (const trust of callbacks) if (await trust(spki, context)) return true;
    return false;
  };
}
