import { Observable, asyncScheduler, defaultIfEmpty, filter, firstValueFrom, map, take, type Subscription } from 'rxjs';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { CryptoProvider } from '../crypto/provider.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import { DtlsError } from '../dtls-error.js';
import { ClientHandshake } from '../handshake/client-handshake.js';
import type { DatagramTransport, PeerAddress } from '../transport/datagram.js';
import { keyLogFromEnvironment } from '../transport/key-log-file.js';
import { UdpTransport } from '../transport/udp.js';
import { clientHandshakeOptions } from './handshake-options.js';
import { Session } from './session.js';
import { sessionOptions, type SessionOptions } from './session-options.js';

export interface ClientOptions extends Partial<SessionOptions> {
  readonly host: string;
  readonly port: number;
  readonly credentials: CredentialStore;
  /** Which credentials of the store to use (RIOT credman tag; default 0). */
  readonly tag?: number;
  /** IANA names to offer, in order of preference (default: all the credentials allow). */
  readonly cipherSuites?: readonly string[];
  readonly groups?: readonly number[];
  /** The name checked in the server's X.509 certificate and sent as server_name (default: host). */
  readonly serverName?: string;
  /** A transport to use instead of a new UDP socket; it is not closed with the session. */
  readonly transport?: DatagramTransport;
  readonly provider?: CryptoProvider;
}

/**
 * Opens a client session: the handshake starts on the next turn of the scheduler,
 * so events$ subscribed to at once sees all of it; await `established(session)` for
 * the outcome. A UDP socket made here is closed when the session ends.
 */
export async function openClientSession(options: ClientOptions): Promise<Session> {
  // Resolve once, so replies can be matched to the address they come from.
  const family = isIP(options.host);
  const resolved = family ? { address: options.host, family } : await lookup(options.host);
  const peer: PeerAddress = { address: resolved.address, port: options.port };
  const transport = options.transport ?? (await UdpTransport.bind({ host: resolved.family === 6 ? '::' : '0.0.0.0', port: 0, connect: peer }));
  return startClientSession(options, peer, transport, options.transport === undefined);
}

/**
 * Opens a client session on a transport the caller owns, to `options.host` given as an
 * IP address: nothing to resolve or bind, so the session comes back at once. This is
 * what lets a handshake run inside `TestScheduler.run()`, where no promise settles.
 */
export function clientSessionOn(transport: DatagramTransport, options: Omit<ClientOptions, 'transport'>): Session {
  if (!isIP(options.host)) throw new DtlsError('EINVAL', `host must be an IP address here, got ${options.host}`);
  return startClientSession(options, { address: options.host, port: options.port }, transport, false);
}

function startClientSession(options: Omit<ClientOptions, 'transport'>, peer: PeerAddress, transport: DatagramTransport, own: boolean): Session {
  const opts = sessionOptions({ ...options, keyLog: options.keyLog ?? keyLogFromEnvironment() });
  // Tells an async trust callback when the handshake ends, however it ends.
  let lookupsEnd: AbortController | undefined = new AbortController();
  const handshake = new ClientHandshake(clientHandshakeOptions({ ...options, serverName: options.serverName ?? options.host, signal: lookupsEnd.signal }));
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

/** Emits the session once established and completes; errors with the DtlsError that ended it otherwise. */
function outcome$(session: Session): Observable<Session> {
  return session.state$.pipe(
    filter((s) => s !== 'handshaking'),
    take(1),
    // A session already closed has a completed state$, which emits nothing.
    defaultIfEmpty('closed' as const),
    map((state) => {
      if (state === 'established') return session;
      throw session.error ?? new DtlsError('ECLOSED', 'the session closed during the handshake');
    }),
  );
}

/** Resolves when the session is established; rejects with the DtlsError that ended it otherwise. */
export function established(session: Session): Promise<Session> {
  return firstValueFrom(outcome$(session));
}

/** Connects and completes the handshake. */
export async function connect(options: ClientOptions): Promise<Session> {
  return established(await openClientSession(options));
}

/**
 * The Observable form of connect: emits the session once established, then
 * completes. Unsubscribing before that abandons the handshake. Given a `transport`
 * and an IP address as `host`, it opens the session on subscription, without a
 * promise in between, so it runs inside `TestScheduler.run()`.
 */
export function connect$(options: ClientOptions): Observable<Session> {
  return new Observable<Session>((subscriber) => {
    let session: Session | undefined;
    let done = false;
    const follow = (s: Session): void => {
      session = s;
      if (subscriber.closed) {
        s.abandon(new DtlsError('ECLOSED', 'unsubscribed'));
        return;
      }
      subscriber.add(
        outcome$(s).subscribe({
          next: (established) => {
            done = true;
            subscriber.next(established);
          },
          error: (err) => subscriber.error(err),
          complete: () => subscriber.complete(),
        }),
      );
    };
    if (options.transport !== undefined && isIP(options.host)) follow(clientSessionOn(options.transport, options));
    else openClientSession(options).then(follow, (err) => subscriber.error(err));
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
