import { NamedGroup } from '../crypto/ecdhe.js';
import { nobleProvider, type CryptoProvider } from '../crypto/provider.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import type { LookupGate } from '../credentials/lookup-gate.js';
import { DtlsError } from '../dtls-error.js';
import type { ClientHandshakeOptions } from '../handshake/client-handshake.js';
import type { ServerCredentials, ServerHandshakeOptions } from '../handshake/server-handshake.js';
import type { AlpnCallback } from '../handshake/alpn-negotiation.js';
import type { ClientExtensionOptions } from '../handshake/negotiated-extensions.js';
import type { ServerNameSelection } from '../handshake/server-name-selection.js';
import type { CheckServerIdentity } from '../credentials/x509.js';
import { selectCipherSuites, selectTls13CipherSuites } from './cipher-suite-selection.js';
import type { ClientHandshake13Options } from '../handshake/client-handshake13.js';
import type { ServerHandshake13Options } from '../handshake/server-handshake13.js';
import { EXTERNAL_PSK_HASH } from '../handshake/server-choice13.js';
import { pskSelector, type PskCallback } from './psk-callback.js';
import { SessionResumption } from './session-resumption.js';
import type { ResumableSession } from '../handshake/resumable-session.js';

/** What an endpoint's handshakes take from the user: credentials and preferences. */
export interface HandshakeCredentials {
  /** The store holding the PSKs, certificates and trust anchors the handshakes use. */
  readonly credentials: CredentialStore;
  /** Which credentials of the store to use (RIOT credman tag; default 0). */
  readonly tag?: number;
  /** IANA names of the suites, in order of preference (default: all the credentials allow). */
  readonly cipherSuites?: readonly string[];
  /** ECDHE groups in order of preference (default x25519, secp256r1). */
  readonly groups?: readonly number[];
  /** The cryptographic primitives (default nobleProvider). */
  readonly provider?: CryptoProvider;
}

const DEFAULT_GROUPS = [NamedGroup.x25519, NamedGroup.secp256r1];

/**
 * The options of every ServerHandshake of a server, from its credentials: the suites
 * they allow, the PSK lookup and hint, the certificates, and how client certificates
 * are judged. Async lookups (a `pskLookup`, a raw-key `trust` callback) run through
 * `lookups` when given, which bounds how many run at once. Throws a DtlsError
 * (ECREDENTIALS) when `clientAuth` has nothing to judge by.
 */
export function serverHandshakeOptions(options: ServerHandshakeSettings): ServerHandshakeOptions {
  const tag = options.tag ?? 0;
  const store = options.credentials;
  const clientAuthenticator = store.authenticator(tag, { role: 'client' }, options.lookups);
  if ((options.clientAuth ?? 'none') !== 'none' && !clientAuthenticator) {
    throw new DtlsError('ECREDENTIALS', `clientAuth "${options.clientAuth}" needs trusted client keys or roots under tag ${tag}`);
  }
  return {
    provider: options.provider ?? nobleProvider,
    cipherSuites: selectCipherSuites(options.cipherSuites, store.keyExchanges(tag, 'server')),
    pskLookup: store.hasPsk(tag) ? store.serverPskLookup(tag, options.lookups) : undefined,
    pskIdentityHint: store.serverPskHint(tag),
    groups: options.groups ?? DEFAULT_GROUPS,
    certificates: store.localCertificates(tag),
    clientAuth: options.clientAuth,
    clientAuthenticator,
    alpn: { protocols: options.alpn, callback: options.alpnCallback },
    recordSizeLimit: options.recordSizeLimit,
    serverNames: options.serverNames && serverNameSelection(options, options.serverNames),
  };
}

/** A server's handshake settings: its credentials, client authentication and the hello extensions it answers. */
export type ServerHandshakeSettings = HandshakeCredentials & {
  /** Whether clients are asked for a certificate, and whether one is required (default none). */
  readonly clientAuth?: 'none' | 'optional' | 'required';
  /** Runs the async lookups (PSK, raw-key trust), bounding how many run at once. */
  readonly lookups?: LookupGate;
  /** ALPN protocols, most preferred first (RFC 7301). */
  readonly alpn?: readonly string[];
  /** Chooses the ALPN protocol instead of `alpn`. */
  readonly alpnCallback?: AlpnCallback;
  /** The record_size_limit announced (RFC 8449; default 2^14). */
  readonly recordSizeLimit?: number;
  /** The credential tag per host name (server_name, RFC 6066 §3). */
  readonly serverNames?: Readonly<Record<string, number>>;
  /** Whether a host name not in serverNames is served with `tag` or refused with unrecognized_name. */
  readonly unknownServerName?: 'default' | 'refuse';
};

/** The credentials of each host name's tag, made as the default tag's are (and checked the same way). */
function serverNameSelection(settings: ServerHandshakeSettings, names: Readonly<Record<string, number>>): ServerNameSelection<ServerCredentials> {
  const byName = new Map<string, ServerCredentials>();
  for (const [name, tag] of Object.entries(names)) {
    const { cipherSuites, pskLookup, pskIdentityHint, certificates, clientAuthenticator } = serverHandshakeOptions({ ...settings, tag, serverNames: undefined });
    byName.set(name.toLowerCase(), { cipherSuites, pskLookup, pskIdentityHint, certificates, clientAuthenticator });
  }
  return { byName, refuseUnknown: settings.unknownServerName === 'refuse' };
}

/**
 * The options of a ClientHandshake from the client's credentials. `serverName` is
 * checked in the server's X.509 certificate and sent as server_name; `signal` tells an
 * async trust callback when the handshake ends.
 */
export function clientHandshakeOptions(
  options: HandshakeCredentials & {
    readonly serverName?: string;
    readonly signal?: AbortSignal;
    readonly pskCallback?: PskCallback;
    readonly checkServerIdentity?: CheckServerIdentity;
    readonly resume?: SessionResumption | Uint8Array | string;
    readonly tickets?: boolean;
    readonly now?: () => number;
    /** Offer the heartbeat extension (RFC 6520): the client has a keepalive. */
    readonly heartbeat?: boolean;
  } & ClientExtensionOptions,
): ClientHandshakeOptions {
  const tag = options.tag ?? 0;
  const store = options.credentials;
  const psk = store.clientPsk(tag);
  const { serverName } = options;
  // A client with several certificates under one tag sends its raw public key first (RFC 7250).
  const [certificate] = store.localCertificates(tag).sort((a, b) => b.type - a.type);
  const keyExchanges = store.keyExchanges(tag, 'client');
  // A PSK callback chooses its key from the server's hint, so PSK suites are offered without one in the store.
  if (options.pskCallback && !keyExchanges.includes('PSK')) keyExchanges.push('PSK', 'ECDHE_PSK');
  return {
    provider: options.provider ?? nobleProvider,
    cipherSuites: selectCipherSuites(options.cipherSuites, keyExchanges),
    psk: options.pskCallback ? pskSelector(options.pskCallback) : psk && (() => psk),
    groups: options.groups ?? DEFAULT_GROUPS,
    authenticator: store.authenticator(tag, { role: 'server', serverName, checkServerIdentity: options.checkServerIdentity }),
    certificate,
    serverName,
    signal: options.signal,
    alpn: options.alpn,
    recordSizeLimit: options.recordSizeLimit,
    maxFragmentLength: options.maxFragmentLength,
    resume: resumeState(options.resume),
    tickets: options.tickets,
    now: options.now,
    heartbeat: options.heartbeat,
  };
}

/** The session a client offers, from what the application kept (checked when the options were). */
function resumeState(resume: SessionResumption | Uint8Array | string | undefined): ResumableSession | undefined {
  if (resume === undefined) return undefined;
  return (resume instanceof SessionResumption ? resume : SessionResumption.from(resume)).state;
}

/**
 * The options of every ServerHandshake13 of a server, from the same credentials 1.2 takes:
 * its 1.3 suites, the PSK lookup, the certificates and how client certificates are judged
 * (`clientAuth` as in 1.2). Throws a DtlsError (ECREDENTIALS) when the credentials hold
 * neither a PSK nor a certificate.
 */
export function serverHandshake13Options(options: ServerHandshakeSettings): ServerHandshake13Options {
  const tag = options.tag ?? 0;
  const store = options.credentials;
  const { certificates, clientAuth, clientAuthenticator } = serverHandshakeOptions({ ...options, cipherSuites: undefined, serverNames: undefined });
  if (!store.hasPsk(tag) && certificates?.length === 0) throw new DtlsError('ECREDENTIALS', `DTLS 1.3 needs a pre-shared key or a certificate, and tag ${tag} has neither`);
  return {
    provider: options.provider ?? nobleProvider,
    cipherSuites: selectTls13CipherSuites(options.cipherSuites),
    groups: options.groups ?? DEFAULT_GROUPS,
    pskLookup: store.hasPsk(tag) ? store.serverPskLookup(tag, options.lookups) : undefined,
    certificates,
    clientAuth,
    clientAuthenticator,
  };
}

/**
 * The options of a ClientHandshake13 from the client's credentials, as 1.2 reads them: its
 * PSK, the trust that authenticates the server's certificate (`serverName` checked in an
 * X.509 one), our certificate for a server that asks. Throws ECREDENTIALS with neither a PSK
 * nor trust, EINVAL when a PSK alone meets no SHA-256 suite.
 */
export function clientHandshake13Options(
  options: HandshakeCredentials & { readonly serverName?: string; readonly signal?: AbortSignal; readonly checkServerIdentity?: CheckServerIdentity },
): ClientHandshake13Options {
  const tag = options.tag ?? 0;
  const store = options.credentials;
  const psk = store.clientPsk(tag);
  const authenticator = store.authenticator(tag, { role: 'server', serverName: options.serverName, checkServerIdentity: options.checkServerIdentity });
  if (!psk && !authenticator) throw new DtlsError('ECREDENTIALS', `DTLS 1.3 needs a pre-shared key or trusted server keys or roots, and tag ${tag} has neither`);
  const named = selectTls13CipherSuites(options.cipherSuites);
  const cipherSuites = authenticator ? named : named.filter((s) => s.hash === EXTERNAL_PSK_HASH);
  if (cipherSuites.length === 0) throw new DtlsError('EINVAL', 'an external PSK takes only SHA-256 suites in DTLS 1.3 (RFC 8446 §4.2.11): name one in cipherSuites');
  // As in 1.2: with several certificates under one tag, the raw public key first (RFC 7250).
  const [certificate] = store.localCertificates(tag).sort((a, b) => b.type - a.type);
  return {
    provider: options.provider ?? nobleProvider,
    cipherSuites,
    groups: options.groups ?? DEFAULT_GROUPS,
    ...(psk ? { psk } : {}),
    ...(authenticator ? { authenticator } : {}),
    ...(certificate ? { certificate } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}
