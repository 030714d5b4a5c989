import { Observable, asyncScheduler, filter, firstValueFrom, type Subscription } from 'rxjs';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { NamedGroup } from '../crypto/ecdhe.js';
import { nobleProvider, type CryptoProvider } from '../crypto/provider.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import type { CheckServerIdentity } from '../credentials/x509.js';
import { DtlsError } from '../dtls-error.js';
import { ClientHandshake } from '../handshake/client-handshake.js';
import type { DatagramTransport, PeerAddress } from '../transport/datagram.js';
import { keyLogFromEnvironment } from '../transport/key-log-file.js';
import { UdpTransport } from '../transport/udp.js';
import { selectCipherSuites } from './cipher-suite-selection.js';
import { debugLogFor, logSession, type DebugLog } from './debug-log.js';
import { pskSelector, type PskCallback } from './psk-callback.js';
import { Session } from './session.js';
import { sessionOptions, type SessionOptions } from './session-options.js';

/** A DTLS client: the server, the credentials, and the session options. */
export interface ClientOptions extends Partial<SessionOptions> {
  /** The server's host name or address (resolved once). */
  readonly host: string;
  /** The server's UDP port. */
  readonly port: number;
  /** The credentials it may use; it takes those under `tag`. */
  readonly credentials: CredentialStore;
  /** Which credentials of the store to use (RIOT credman tag; default 0). */
  readonly tag?: number;
  /** IANA names to offer, in order of preference (default: all the credentials allow). */
  readonly cipherSuites?: readonly string[];
  /** ECDHE groups to offer, in order of preference (default x25519, secp256r1). */
  readonly groups?: readonly number[];
  /** The name checked in the server's X.509 certificate and sent as server_name (default: host). */
  readonly serverName?: string;
  /** A transport to use instead of a new UDP socket; it is not closed with the session. */
  readonly transport?: DatagramTransport;
  /** The crypto primitives (default nobleProvider). */
  readonly provider?: CryptoProvider;
  /** Debug lines about the session (default: Node's debug log, on with NODE_DEBUG=rx-dtls). */
  readonly log?: DebugLog;
  /** X.509: decides whether the server's certificate is for `serverName`, instead of the built-in RFC 6125 check (the chain is verified first). */
  readonly checkServerIdentity?: CheckServerIdentity;
  /** Chooses the PSK from the server's identity hint, instead of the store's first PSK under `tag`; PSK suites are offered. */
  readonly pskCallback?: PskCallback;
}

/**
 * Opens a client session: the handshake starts on the next turn of the scheduler,
 * so events$ subscribed to at once sees all of it; await `established(session)` for
 * the outcome. A UDP socket made here is closed when the session ends.
 */
export async function openClientSession(options: ClientOptions): Promise<Session> {
  const opts = sessionOptions({ ...options, keyLog: options.keyLog ?? keyLogFromEnvironment() });
  const tag = options.tag ?? 0;
  const store = options.credentials;
  const psk = store.clientPsk(tag);
  const serverName = options.serverName ?? options.host;
  // A client with several certificates under one tag sends its raw public key first (RFC 7250).
  const [certificate] = store.localCertificates(tag).sort((a, b) => b.type - a.type);
  const keyExchanges = store.keyExchanges(tag, 'client');
  if (options.pskCallback && !keyExchanges.includes('PSK')) keyExchanges.push('PSK', 'ECDHE_PSK');
  // Tells an async trust callback when the handshake ends, however it ends.
  let lookupsEnd: AbortController | undefined = new AbortController();
  const handshake = new ClientHandshake({
    provider: options.provider ?? nobleProvider,
    cipherSuites: selectCipherSuites(options.cipherSuites, keyExchanges),
    psk: options.pskCallback ? pskSelector(options.pskCallback) : psk && (() => psk),
    groups: options.groups ?? [NamedGroup.x25519, NamedGroup.secp256r1],
    authenticator: store.authenticator(tag, { role: 'server', serverName, checkServerIdentity: options.checkServerIdentity }),
    certificate,
    serverName,
    signal: lookupsEnd.signal,
  });
  const own = options.transport === undefined;
  // Resolve once, so replies can be matched to the address they come from.
  const family = isIP(options.host);
  const resolved = family ? { address: options.host, family } : await lookup(options.host);
  const peer: PeerAddress = { address: resolved.address, port: options.port };
  const transport = options.transport ?? (await UdpTransport.bind({ host: resolved.family === 6 ? '::' : '0.0.0.0', port: 0, connect: peer }));
  let subscription: Subscription | undefined;
  const session = new Session(handshake, opts, (data) => transport.send(data, peer), {
    role: 'client',
    peer,
    firstReceiveSeq: 0,
    onStateChange: (state) => {
      // Established: no lookup is left running. Closed while handshaking: stop it.
      if (state === 'closed') lookupsEnd?.abort(new DtlsError('ECLOSED', `the handshake with ${options.host}:${options.port} ended`));
      if (state !== 'handshaking') lookupsEnd = undefined;
      if (state !== 'closed') return;
      subscription?.unsubscribe();
      if (own) transport.close();
    },
  });
  const log = debugLogFor(options.log);
  if (log) logSession(log, session);
  subscription = transport.datagrams$.subscribe((d) => {
    if (d.peer.port === peer.port && sameHost(d.peer.address, peer.address)) session.receive(d.data);
  });
  // Start on the next turn of the scheduler, so that whoever receives the session can
  // subscribe to events$ first and see the handshake from its first flight. With the
  // default scheduler that turn is setImmediate: asyncScheduler's zero delay is a timer
  // Node clamps to 1 ms, which cost a third of a loopback handshake.
  const start = () => session.start();
  if (opts.scheduler === asyncScheduler) setImmediate(start);
  else opts.scheduler.schedule(start);
  return session;
}

/** Resolves when the session is established; rejects with the DtlsError that ended it otherwise. */
export function established(session: Session): Promise<Session> {
  return firstValueFrom(session.state$.pipe(filter((s) => s !== 'handshaking')), { defaultValue: 'closed' as const }).then((state) => {
    if (state === 'established') return session;
    throw session.error ?? new DtlsError('ECLOSED', 'the session closed during the handshake');
  });
}

/** Connects and completes the handshake. */
export async function connect(options: ClientOptions): Promise<Session> {
  return established(await openClientSession(options));
}

/**
 * The Observable form of connect: emits the session once established, then
 * completes. Unsubscribing before that abandons the handshake.
 */
export function connect$(options: ClientOptions): Observable<Session> {
  return new Observable<Session>((subscriber) => {
    let session: Session | undefined;
    let done = false;
    openClientSession(options)
      .then((s) => {
        session = s;
        if (subscriber.closed) s.abandon(new DtlsError('ECLOSED', 'unsubscribed'));
        return established(s);
      })
      .then(
        (s) => {
          done = true;
          subscriber.next(s);
          subscriber.complete();
        },
        (err) => subscriber.error(err),
      );
    return () => {
      if (!done) session?.abandon(new DtlsError('ECLOSED', 'unsubscribed before the handshake completed'));
    };
  });
}

/** 127.0.0.1 may come back as ::ffff:127.0.0.1 on a dual-stack socket. */
function sameHost(a: string, b: string): boolean {
  if (a === b) return true;
  const strip = (s: string) => s.replace(/^::ffff:/, '');
  return strip(a) === strip(b);
}
