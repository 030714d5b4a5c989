import { Observable, Subscription, asyncScheduler, filter, firstValueFrom } from 'rxjs';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { nobleProvider, type CryptoProvider } from '../crypto/provider.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import type { CheckServerIdentity } from '../credentials/x509.js';
import { DtlsError } from '../dtls-error.js';
import { ClientHandshake } from '../handshake/client-handshake.js';
import { ClientHandshake13 } from '../handshake/client-handshake13.js';
import { ClientVersionProbe } from '../handshake/client-version-probe.js';
import type { DtlsVersion } from '../handshake/version-negotiation.js';
import type { DatagramTransport, PeerAddress } from '../transport/datagram.js';
import { keyLogFromEnvironment } from '../transport/key-log-file.js';
import { networkError } from '../transport/network-error.js';
import { UdpTransport, type SocketBufferOptions } from '../transport/udp.js';
import { canceled, throwIfAborted } from './canceled.js';
import { clientHandshake13Options, clientHandshakeOptions } from './handshake-options.js';
import { applyIcmpErrors } from './icmp-errors.js';
import { debugLogFor, logSession, type DebugLog } from './debug-log.js';
import type { KeepaliveOptions } from './keepalive.js';
import type { PskCallback } from './psk-callback.js';
import type { MaxFragmentLength } from '../wire/max-fragment-length-extension.js';
import type { SessionResumption } from './session-resumption.js';
import { Session } from './session.js';
import { sessionOptions, type SessionOptions } from './session-options.js';
import { checkClientOptions } from './validate-options.js';
import { clientConnectionIdPolicy, type ClientConnectionIdOption } from './connection-id-options.js';

/** A DTLS client: the server, the credentials, and the session options. */
export interface ClientOptions extends Partial<SessionOptions>, SocketBufferOptions {
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
  /**
   * The DTLS versions to offer (default ["1.2"]): ["1.3"] speaks RFC 9147 with a pre-shared
   * key or the server's certificate (the same credentials as 1.2); ["1.2", "1.3"] offers both
   * in one ClientHello and gets 1.3 from a server that speaks it, 1.2 from any other, refusing
   * a 1.2 answer that carries the downgrade sentinel of RFC 8446 §4.1.3 (illegal_parameter:
   * someone stripped our 1.3 offer). `session.info.version` says which (absent for 1.2).
   */
  readonly versions?: readonly DtlsVersion[];
  /** The name checked in the server's X.509 certificate and sent as server_name (default: host). */
  readonly serverName?: string;
  /** A transport to use instead of a new UDP socket; it is not closed with the session. */
  readonly transport?: DatagramTransport;
  /** The crypto primitives (default nobleProvider). */
  readonly provider?: CryptoProvider;
  /**
   * Ends the session when it aborts, as node:dgram's `signal` closes a socket: before the
   * handshake completes the peer gets user_canceled and close_notify and the call rejects
   * with ECANCELED; after it, the session closes with close_notify.
   */
  readonly signal?: AbortSignal;
  /**
   * What ICMP errors on the client's own UDP socket do. 'fail' (default): port or host
   * unreachable ends a handshake at once with ECONNREFUSED or EHOSTUNREACH, and an
   * established session after `icmpErrorLimit` of them with no record from the server
   * between. 'ignore': they are only reported on events$ (`network-error`), as on a lossy
   * link where stale ICMP errors arrive.
   */
  readonly icmpErrors?: 'fail' | 'ignore';
  /** ICMP errors in a row that end an established session (default 3). */
  readonly icmpErrorLimit?: number;
  /** Debug lines about the session (default: Node's debug log, on with NODE_DEBUG=rx-dtls). */
  readonly log?: DebugLog;
  /**
   * Connection IDs (RFC 9146): `'offer'` asks the server for one (we take none: a client on
   * its own socket needs none), `'require'` fails the handshake without them, and
   * `{ length }` asks for a CID of our own too. Default false: not offered.
   */
  readonly connectionId?: ClientConnectionIdOption;
  /** X.509: decides whether the server's certificate is for `serverName`, instead of the built-in RFC 6125 check (the chain is verified first). */
  readonly checkServerIdentity?: CheckServerIdentity;
  /** Chooses the PSK from the server's identity hint, instead of the store's first PSK under `tag`; PSK suites are offered. */
  readonly pskCallback?: PskCallback;
  /** Application protocols to offer with ALPN (RFC 7301), most preferred first, e.g. ["coap"]; the server's choice is `session.info.alpn`. */
  readonly alpn?: readonly string[];
  /**
   * The record_size_limit announced to the server (RFC 8449; 64 to 16384, default 16384):
   * the most plaintext per protected record it should send us. The default limits nothing
   * and lets a constrained server answer with its own limit, which `send()` then honours.
   */
  readonly recordSizeLimit?: number;
  /**
   * Asks for max_fragment_length (RFC 6066 §4: 512, 1024, 2048 or 4096) for servers that
   * know only that; it binds both directions, handshake records too. `recordSizeLimit`
   * then defaults to the same value, for servers that know record_size_limit (which wins).
   */
  readonly maxFragmentLength?: MaxFragmentLength;
  /**
   * A session to resume with an abbreviated handshake (RFC 5246 §7.3): an earlier session's
   * `resumption`, or the bytes or base64 it was saved as. A server that no longer knows it
   * answers with a full handshake; `session.info.resumed` says which it was. In DTLS 1.3 it
   * is the server's ticket, offered as a PSK (RFC 8446 §2.2); a session of the other
   * version resumes nothing.
   */
  readonly resume?: SessionResumption | Uint8Array | string;
  /** Whether to ask the server for an RFC 5077 session ticket (default true); without one it may still give a session ID. */
  readonly tickets?: boolean;
  /**
   * Notices a server that went away or restarted, which DTLS alone never does (`send()`
   * succeeds into the void): once established, a session that hears no record from the
   * server for `timeout` ms ends with ETIMEDOUT. The heartbeat extension (RFC 6520) is
   * offered; when the server answers HeartbeatRequests, `interval` ms of silence sends
   * one (resent on the DTLS timer until the timeout), so an idle session stays up. Without
   * heartbeats only the server's own records count: the application must make it answer
   * (a CoAP request, an empty CON) more often than `timeout`. Reconnecting is the
   * application's choice (`retry` over `connect$`).
   */
  readonly keepalive?: KeepaliveOptions;
}

/**
 * Opens a client session: the handshake starts on the next turn of the scheduler,
 * so events$ subscribed to at once sees all of it; await `established(session)` for
 * the outcome. A UDP socket made here is closed when the session ends. Rejects with
 * a DtlsError: EINVAL for an option it cannot use, ENOTFOUND for a host that does
 * not resolve, EADDRINUSE and the like when the socket cannot be bound, ECANCELED
 * when `signal` aborted.
 */
export async function openClientSession(options: ClientOptions): Promise<Session> {
  checkClientOptions(options as unknown as Readonly<Record<string, unknown>>);
  const { signal } = options;
  throwIfAborted(signal);
  // Resolve once, so replies can be matched to the address they come from.
  const family = isIP(options.host);
  const resolved = family ? { address: options.host, family } : await lookup(options.host).catch((error: unknown) => Promise.reject(networkError(error, `cannot resolve ${options.host}`)));
  throwIfAborted(signal);
  const peer: PeerAddress = { address: resolved.address, port: options.port };
  const transport =
    options.transport ??
    (await UdpTransport.bind({
      host: resolved.family === 6 ? '::' : '0.0.0.0',
      port: 0,
      connect: peer,
      recvBufferSize: options.recvBufferSize,
      sendBufferSize: options.sendBufferSize,
    }));
  const own = options.transport === undefined;
  if (signal?.aborted) {
    if (own) await transport.close();
    throwIfAborted(signal);
  }
  return startClientSession(options, peer, transport, own);
}

/**
 * Opens a client session on a transport the caller owns, to `options.host` given as an
 * IP address: nothing to resolve or bind, so the session comes back at once. This is
 * what lets a handshake run inside `TestScheduler.run()`, where no promise settles.
 * Throws a DtlsError: EINVAL for an option it cannot use, ECANCELED when `signal` aborted.
 */
export function clientSessionOn(transport: DatagramTransport, options: Omit<ClientOptions, 'transport'>): Session {
  checkClientOptions(options as unknown as Readonly<Record<string, unknown>>);
  if (!isIP(options.host)) throw new DtlsError('EINVAL', `host must be an IP address here, got ${options.host}`);
  throwIfAborted(options.signal);
  return startClientSession(options, { address: options.host, port: options.port }, transport, false);
}

function startClientSession(options: Omit<ClientOptions, 'transport'>, peer: PeerAddress, transport: DatagramTransport, own: boolean): Session {
  const opts = sessionOptions({ ...options, keyLog: options.keyLog ?? keyLogFromEnvironment() });
  const { signal } = options;
  // Tells an async trust callback when the handshake ends, however it ends.
  let lookupsEnd: AbortController | undefined = new AbortController();
  const connectionId = clientConnectionIdPolicy(options.connectionId, options.provider ?? nobleProvider);
  const options12 = () => ({
    ...clientHandshakeOptions({ ...options, serverName: options.serverName ?? options.host, signal: lookupsEnd?.signal, now: () => opts.scheduler.now(), heartbeat: options.keepalive !== undefined }),
    connectionId,
  });
  const options13 = () =>
    clientHandshake13Options({ ...options, serverName: options.serverName ?? options.host, signal: lookupsEnd?.signal, connectionId, now: opts.scheduler.now() });
  const versions = options.versions ?? ['1.2'];
  const handshake = !versions.includes('1.3')
    ? new ClientHandshake(options12())
    : versions.includes('1.2')
      ? ClientVersionProbe.offering(options12(), options13())
      : new ClientHandshake13(options13());
  const subscriptions = new Subscription();
  const onAbort = (): void => void session.cancel(canceled(signal!));
  const session = new Session(handshake, opts, (data) => transport.send(data, peer), {
    role: 'client',
    peer,
    firstReceiveSeq: 0,
    cidLength: connectionId?.own.length,
    newConnectionId: connectionId && connectionId.own.length > 0 ? () => (options.provider ?? nobleProvider).randomBytes(connectionId.own.length) : undefined,
    onStateChange: (state) => {
      // Established: no lookup is left running. Closed while handshaking: stop it.
      if (state === 'closed') lookupsEnd?.abort(new DtlsError('ECLOSED', `the handshake with ${options.host}:${options.port} ended`));
      if (state !== 'handshaking') lookupsEnd = undefined;
      if (state !== 'closed') return;
      subscriptions.unsubscribe();
      signal?.removeEventListener('abort', onAbort);
    },
    release: own ? () => transport.close() : undefined,
    socketBuffers: transport.bufferSizes?.(),
    keepalive: options.keepalive,
  });
  const log = debugLogFor(options.log);
  if (log) logSession(log, session);
  subscriptions.add(
    transport.datagrams$.subscribe((d) => {
      if (d.peer.port === peer.port && sameHost(d.peer.address, peer.address)) session.receive(d.data);
    }),
  );
  if (transport.errors$) {
    const peerName = `${options.host}:${options.port}`;
    subscriptions.add(applyIcmpErrors(transport.errors$, session, peerName, { icmpErrors: options.icmpErrors ?? 'fail', limit: options.icmpErrorLimit ?? 3 }));
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  // Start on the next turn of the scheduler, so that whoever receives the session can
  // subscribe to events$ first and see the handshake from its first flight. With the
  // default scheduler that turn is setImmediate: asyncScheduler's zero delay is a timer
  // Node clamps to 1 ms, which cost a third of a loopback handshake.
  const start = () => session.start();
  if (opts.scheduler === asyncScheduler) setImmediate(start);
  else opts.scheduler.schedule(start);
  return session;
}

/**
 * Resolves when the session is established; rejects with the DtlsError that ended it
 * otherwise. When `signal` aborts first, the handshake is canceled (user_canceled,
 * close_notify) and this rejects with ECANCELED.
 */
export function established(session: Session, options: { readonly signal?: AbortSignal } = {}): Promise<Session> {
  const { signal } = options;
  const onAbort = (): void => void session.cancel(canceled(signal!));
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return firstValueFrom(session.state$.pipe(filter((s) => s !== 'handshaking')), { defaultValue: 'closed' as const })
    .then((state) => {
      if (state === 'established') return session;
      throw session.error ?? new DtlsError('ECLOSED', 'the session closed during the handshake');
    })
    .finally(() => signal?.removeEventListener('abort', onAbort));
}

/** Connects and completes the handshake (see openClientSession for `signal` and the errors). */
export async function connect(options: ClientOptions): Promise<Session> {
  return established(await openClientSession(options));
}

/**
 * The Observable form of connect, in the manner of RxJS's `using`: the session lives as
 * long as the subscription. It emits the session once established; completes when the
 * session ends cleanly (close_notify from either side); errors with the DtlsError that
 * failed the handshake or ended the session. Unsubscribing closes the session:
 * close_notify once established, user_canceled and close_notify during the handshake
 * (RFC 5246 §7.2.2), and the UDP socket it opened. So
 * `connect$(o).pipe(switchMap((s) => s.data$), retry())` reconnects after a failure,
 * and `firstValueFrom(connect$(o))` would close the session it returns: use `connect`.
 * Given a `transport` and an IP address as `host`, it opens the session on subscription,
 * without a promise in between, so it runs inside `TestScheduler.run()`.
 */
export function connect$(options: ClientOptions): Observable<Session> {
  return new Observable<Session>((subscriber) => {
    try {
      checkClientOptions(options as unknown as Readonly<Record<string, unknown>>);
    } catch (error) {
      return subscriber.error(error);
    }
    const opening = new AbortController();
    const forward = (): void => opening.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', forward, { once: true });
    let session: Session | undefined;
    const follow = (s: Session): void => {
      session = s;
      if (subscriber.closed) return void s.close();
      s.state$.subscribe({
        next: (state) => {
          if (state === 'established') subscriber.next(s);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    };
    // Given a transport and an IP address there is nothing to wait for: the session opens
    // on subscription, without a promise in between, so it runs inside TestScheduler.run().
    const { transport } = options;
    if (transport !== undefined && isIP(options.host)) follow(clientSessionOn(transport, { ...options, signal: opening.signal }));
    else openClientSession({ ...options, signal: opening.signal }).then(follow, (error: unknown) => subscriber.error(error));
    return () => {
      options.signal?.removeEventListener('abort', forward);
      if (session) void session.close();
      else opening.abort(new DtlsError('ECANCELED', 'unsubscribed before the session opened'));
    };
  });
}

/** 127.0.0.1 may come back as ::ffff:127.0.0.1 on a dual-stack socket. */
function sameHost(a: string, b: string): boolean {
  if (a === b) return true;
  const strip = (s: string) => s.replace(/^::ffff:/, '');
  return strip(a) === strip(b);
}
