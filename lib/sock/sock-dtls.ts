import { isIP } from 'node:net';
import type { SchedulerLike } from 'rxjs';
import type { CredentialStore } from '../credentials/credential-store.js';
import { DtlsError } from '../dtls-error.js';
import { established, openClientSession } from '../endpoint/client.js';
import { createServer, type DtlsServer, type ServerOptions } from '../endpoint/server.js';
import type { Session } from '../endpoint/session.js';
import { sessionOptions, type SessionOptions } from '../endpoint/session-options.js';
import { checkInteger, checkServerSettings } from '../endpoint/validate-options.js';
import type { DatagramTransport, PeerAddress } from '../transport/datagram.js';
import { AsyncQueue, END } from './async-queue.js';
import { SOCK_DTLS_1_2, SOCK_DTLS_CLIENT, SOCK_DTLS_SERVER, SOCK_NO_TIMEOUT, type SockDtlsRole, type SockDtlsVersion } from './sock-dtls-constants.js';
import { SockDtlsSession } from './sock-dtls-session.js';

/** A sock's credentials, limits and session options. */
export interface SockDtlsOptions
  extends Partial<SessionOptions>,
    Pick<ServerOptions, 'clientAuth' | 'maxSessions' | 'maxHandshakes' | 'idleTimeout' | 'cookieRotation' | 'groups' | 'provider'> {
  /** RIOT's credman: the sock uses the credentials filed under its tag. */
  readonly credentials: CredentialStore;
  /** IANA names of the suites to offer or accept (default: all the credentials allow). */
  readonly cipherSuites?: readonly string[];
  /** Application data records and handshake results held for recv (default 64); more are dropped. */
  readonly queueSize?: number;
}

/** What `recv` yields: a record of application data, or RIOT's -SOCK_DTLS_HANDSHAKE. */
export type SockDtlsRecvResult =
  | {
      /** A record of application data. */
      readonly type: 'data';
      /** The session it came on. */
      readonly session: SockDtlsSession;
      /** Its payload. */
      readonly data: Uint8Array;
    }
  | {
      /** A handshake completed that no send or sessionCreate was waiting for (RIOT: -SOCK_DTLS_HANDSHAKE). */
      readonly type: 'handshake';
      /** The new session. */
      readonly session: SockDtlsSession;
    };

type Queued = SockDtlsRecvResult | { readonly type: 'failure'; readonly error: DtlsError };

/**
 * RIOT's `sock_dtls_create`: a DTLS sock over an existing UDP transport, using
 * the credentials under `tag`, for DTLS `version` (only SOCK_DTLS_1_2) in
 * `role`. Throws EINVAL where RIOT returns -1.
 */
export function sockDtlsCreate(udp: DatagramTransport, tag: number, version: SockDtlsVersion, role: SockDtlsRole, options: SockDtlsOptions): SockDtls {
  if (role !== SOCK_DTLS_CLIENT && role !== SOCK_DTLS_SERVER) throw new DtlsError('EINVAL', `role must be SOCK_DTLS_CLIENT or SOCK_DTLS_SERVER, got ${String(role)}`);
  if (version !== SOCK_DTLS_1_2) throw new DtlsError('EINVAL', `rx-dtls implements DTLS 1.2 only (SOCK_DTLS_1_2), got version ${String(version)}`);
  if (!Number.isInteger(tag) || tag < 0) throw new DtlsError('EINVAL', `a credential tag is a non-negative integer, got ${String(tag)}`);
  checkServerSettings(options as unknown as Readonly<Record<string, unknown>>);
  checkInteger(options as unknown as Readonly<Record<string, unknown>>, 'queueSize', 1, 2 ** 20);
  return new SockDtls(udp, tag, role, options);
}

/**
 * A promise-based facade in the shape of RIOT's `sock_dtls` over the rx-dtls
 * endpoints. Timeouts are milliseconds (RIOT's are microseconds); 0 means do
 * not wait, SOCK_NO_TIMEOUT wait forever. Errors reject as DtlsError with the
 * errno name RIOT returns as `code`.
 *
 * Handshakes run by themselves (there is no need to keep calling recv for them
 * to progress, as RIOT needs); recv reports their completion all the same.
 * `close()` does not close the UDP transport, as `sock_dtls_close` leaves the
 * UDP sock to `sock_udp_close`.
 */
export class SockDtls implements AsyncIterable<SockDtlsRecvResult> {
  private readonly queue: AsyncQueue<Queued>;
  private readonly server?: DtlsServer;
  private readonly sessions = new Map<string, SockDtlsSession>();
  private readonly starting = new Map<SockDtlsSession, Promise<Session>>();
  private readonly scheduler: SchedulerLike;
  /** The UDP transport as the endpoints see it: closing them must not close it. */
  private readonly borrowed: DatagramTransport;
  private closed = false;

  constructor(
    private readonly udp: DatagramTransport,
    /** The credman tag whose credentials the sock uses. */
    readonly tag: number,
    /** SOCK_DTLS_CLIENT or SOCK_DTLS_SERVER. */
    readonly role: SockDtlsRole,
    private readonly options: SockDtlsOptions,
  ) {
    this.scheduler = sessionOptions(options).scheduler;
    this.queue = new AsyncQueue(options.queueSize ?? 64, this.scheduler);
    this.borrowed = { datagrams$: udp.datagrams$, send: (data, peer) => udp.send(data, peer), address: () => udp.address(), close: () => undefined };
    if (role === SOCK_DTLS_SERVER) {
      const { queueSize: _queueSize, ...serverOptions } = options;
      this.server = createServer({ ...serverOptions, tag, transport: this.borrowed });
      this.server.sessions$.subscribe((session) => this.track(this.handleFor(session.peer), session, false));
    }
  }

  /** Records and results dropped because nobody called recv for `queueSize` of them. */
  get dropped(): number {
    return this.queue.dropped;
  }

  /** True once `close()` was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * RIOT's `sock_dtls_session_set_udp_ep`: the handle for `ep`, without
   * starting anything; `send` with a timeout then handshakes on demand.
   */
  sessionFor(ep: PeerAddress): SockDtlsSession {
    this.checkOpen();
    checkEndpoint(ep);
    return this.handleFor(ep);
  }

  /** RIOT's `sock_dtls_get_udp_sock`. */
  getUdpSock(): DatagramTransport {
    return this.udp;
  }

  /**
   * RIOT's `sock_dtls_session_init` (client role): sends a ClientHello to `ep`;
   * recv (or a send with a timeout) sees the handshake through. `started` is
   * false when a session with `ep` exists or is being set up already (RIOT's 0).
   */
  async sessionInit(ep: PeerAddress): Promise<{
    /** The session with ep, new or existing. */
    readonly session: SockDtlsSession;
    /** Whether this call sent the ClientHello. */
    readonly started: boolean;
  }> {
    this.checkOpen();
    if (this.role !== SOCK_DTLS_CLIENT) throw new DtlsError('EINVAL', 'a server sock does not start sessions; its peers do');
    checkEndpoint(ep);
    const session = this.handleFor(ep);
    if (session.state === 'handshaking' || session.state === 'established' || this.starting.has(session)) return { session, started: false };
    await this.startHandshake(session);
    return { session, started: true };
  }

  /**
   * RIOT's `sock_dtls_session_create`: session init, then wait up to `timeout`
   * for the handshake (which recv then does not report). On timeout the
   * handshake is abandoned and this rejects with ETIMEDOUT.
   */
  async sessionCreate(ep: PeerAddress, timeout: number = SOCK_NO_TIMEOUT): Promise<SockDtlsSession> {
    checkTimeout(timeout);
    const { session } = await this.sessionInit(ep);
    if (session.state !== 'established') await this.awaitHandshake(session, timeout);
    return session;
  }

  /**
   * RIOT's `sock_dtls_recv`: the next record of application data from any
   * session, or the completion of a handshake nobody else waited for. Rejects
   * with ETIMEDOUT after `timeout` ms (EAGAIN at once for 0, as RIOT), ENOBUFS when the record is longer
   * than `maxlen` (the record is dropped, as RIOT drops it), EINVAL when the
   * sock is closed, or the DtlsError of a handshake this sock started that
   * failed while no send waited for it.
   */
  async recv(timeout: number = SOCK_NO_TIMEOUT, maxlen: number = Number.POSITIVE_INFINITY): Promise<SockDtlsRecvResult> {
    checkTimeout(timeout);
    if (!(maxlen >= 0)) throw new DtlsError('EINVAL', `maxlen must be a non-negative number, got ${maxlen}`);
    this.checkOpen();
    const item = await this.queue.take(timeout);
    if (item === END) throw new DtlsError('EINVAL', 'the sock was closed');
    if (item.type === 'failure') throw item.error;
    if (item.type === 'data' && item.data.length > maxlen) {
      throw new DtlsError('ENOBUFS', `a ${item.data.length}-byte record does not fit in ${maxlen} bytes; it was dropped`);
    }
    return item;
  }

  /**
   * RIOT's `sock_dtls_send`: encrypts `data` as one record to the session's
   * peer and resolves with its length. Without an established session: with
   * `timeout` 0 rejects ENOTCONN; otherwise a client starts a handshake (or
   * joins the one under way) and waits up to `timeout` for it (ETIMEDOUT, the
   * handshake abandoned); a server can only wait for a handshake its peer started.
   */
  async send(session: SockDtlsSession, data: Uint8Array | string, timeout = 0): Promise<number> {
    checkTimeout(timeout);
    this.checkOpen();
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    let dtls = session.dtls;
    if (dtls?.state !== 'established') {
      if (timeout === 0) throw new DtlsError('ENOTCONN', `no established DTLS session with ${name(session.ep)}`);
      if (dtls?.state !== 'handshaking' && !this.starting.has(session)) {
        if (this.role === SOCK_DTLS_SERVER) throw new DtlsError('ENOTCONN', `no DTLS session with ${name(session.ep)}, and a server cannot start one`);
        checkEndpoint(session.ep);
        // A destroyed handle used again is this endpoint's handle again.
        if (!this.sessions.has(key(session.ep))) this.sessions.set(key(session.ep), session);
        // awaitHandshake reports a failure to start, and counts this send as waiting before any reply can arrive.
        this.startHandshake(session).catch(() => undefined);
      }
      dtls = await this.awaitHandshake(session, timeout);
    }
    dtls.send(bytes);
    return bytes.length;
  }

  /** RIOT's `sock_dtls_session_destroy`: close_notify to the peer, and the session is forgotten. */
  sessionDestroy(session: SockDtlsSession): void {
    session.dtls?.close();
    if (this.sessions.get(key(session.ep)) === session) this.sessions.delete(key(session.ep));
  }

  /**
   * RIOT's `sock_dtls_close`: ends every session (close_notify to established
   * peers), stops serving, and fails a pending recv with EINVAL. The UDP
   * transport stays open.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.server?.close();
    for (const session of this.sessions.values()) session.dtls?.close();
    this.sessions.clear();
    this.queue.clear();
    this.queue.finish(new DtlsError('EINVAL', 'the sock was closed'));
  }

  /** recv with no timeout, until the sock is closed: `for await (const r of sock)`. */
  async *[Symbol.asyncIterator](): AsyncIterator<SockDtlsRecvResult> {
    while (!this.closed) {
      try {
        yield await this.recv();
      } catch (error) {
        if (this.closed) return;
        throw error;
      }
    }
  }

  private handleFor(ep: PeerAddress): SockDtlsSession {
    let session = this.sessions.get(key(ep));
    if (!session) {
      session = new SockDtlsSession({ address: ep.address, port: ep.port });
      this.sessions.set(key(ep), session);
    }
    return session;
  }

  private async startHandshake(session: SockDtlsSession): Promise<Session> {
    const { queueSize: _queueSize, clientAuth: _clientAuth, maxSessions: _maxSessions, maxHandshakes: _maxHandshakes, idleTimeout: _idle, cookieRotation: _rotation, ...clientOptions } = this.options;
    const opening = openClientSession({ ...clientOptions, tag: this.tag, host: session.ep.address, port: session.ep.port, transport: this.borrowed });
    this.starting.set(session, opening);
    try {
      const dtls = await opening;
      if (this.closed) {
        dtls.abandon(new DtlsError('ECLOSED', 'the sock was closed'));
        throw new DtlsError('EINVAL', 'the sock was closed');
      }
      this.track(session, dtls, true);
      return dtls;
    } finally {
      this.starting.delete(session);
    }
  }

  /** Reports a session's handshake, data and failure to recv, unless a send or sessionCreate waits for the handshake. */
  private track(session: SockDtlsSession, dtls: Session, initiated: boolean): void {
    session.attach(dtls);
    let completed = false;
    // A failure arrives as the closed event, then as the error ending both streams: reported once, from the event.
    dtls.events$.subscribe({
      next: (event) => {
        if (event.type === 'handshake-complete') {
          completed = true;
          if (session.waiting === 0) this.queue.push({ type: 'handshake', session });
        } else if (event.type === 'closed') {
          // A peer whose handshake fails is the peer's business (RIOT reports nothing either); ours is the caller's.
          if (initiated && !completed && event.error && session.waiting === 0 && !this.closed) this.queue.push({ type: 'failure', error: event.error });
          if (!initiated && this.sessions.get(key(session.ep)) === session && session.dtls === dtls) this.sessions.delete(key(session.ep));
        }
      },
      error: () => undefined,
    });
    dtls.data$.subscribe({ next: (data) => this.queue.push({ type: 'data', session, data }), error: () => undefined });
  }

  /** Waits for the session's handshake; on timeout a client abandons it (RIOT resets the peer), a server leaves its peer's alone. */
  private async awaitHandshake(session: SockDtlsSession, timeout: number): Promise<Session> {
    session.waiting++;
    try {
      const dtls = session.dtls?.state === 'handshaking' ? session.dtls : await this.starting.get(session);
      if (!dtls) throw new DtlsError('ENOTCONN', `no DTLS session with ${name(session.ep)}`);
      if (!Number.isFinite(timeout)) return await established(dtls);
      return await new Promise<Session>((resolve, reject) => {
        const timer = this.scheduler.schedule(() => {
          const error = new DtlsError('ETIMEDOUT', `the handshake with ${name(session.ep)} did not complete within ${timeout} ms`);
          if (this.role === SOCK_DTLS_CLIENT) dtls.abandon(error);
          reject(error);
        }, timeout);
        established(dtls)
          .then(resolve, reject)
          .finally(() => timer.unsubscribe());
      });
    } finally {
      session.waiting--;
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new DtlsError('EINVAL', 'the sock is closed');
  }
}

function checkTimeout(timeout: number): void {
  if (!(timeout >= 0)) throw new DtlsError('EINVAL', `a timeout is a non-negative number of milliseconds (or SOCK_NO_TIMEOUT), got ${timeout}`);
}

function checkEndpoint(ep: PeerAddress): void {
  if (isIP(ep.address) === 0) throw new DtlsError('EINVAL', `not an IP address: ${JSON.stringify(ep.address)}`);
  if (!Number.isInteger(ep.port) || ep.port <= 0 || ep.port > 65535) throw new DtlsError('EINVAL', `port must be 1 to 65535, got ${ep.port}`);
}

function key(ep: PeerAddress): string {
  return `${ep.address.replace(/^::ffff:/i, '').toLowerCase()}|${ep.port}`;
}

function name(ep: PeerAddress): string {
  return `${ep.address}:${ep.port}`;
}
