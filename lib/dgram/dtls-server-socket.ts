import type { Buffer } from 'node:buffer';
import type { RemoteInfo } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { DtlsError } from '../dtls-error.js';
import { listen, type DtlsServer, type ListenOptions } from '../endpoint/server.js';
import type { Session } from '../endpoint/session.js';
import type { PeerAddress, SocketBufferSizes } from '../transport/datagram.js';
import { DtlsDgramSocket, plainAddress } from './dtls-dgram-socket.js';

/** A reply the server socket could not route: no established session with that peer (any more). */
export interface UnroutableDatagram {
  /** Where it was going. */
  readonly peer: PeerAddress;
  /** Its length. */
  readonly bytes: number;
}

/** node:dgram's events, and the socket's own `'session'` and `'unroutable'`. */
export interface DtlsServerSocket {
  /** Application data from a peer, one event per record. */
  on(event: 'message', listener: (msg: Buffer, rinfo: RemoteInfo) => void): this;
  /** As on a node:dgram socket. */
  on(event: 'close' | 'listening', listener: () => void): this;
  /** A failed send that had no callback. */
  on(event: 'error', listener: (error: Error) => void): this;
  /** Each new session (for its events$). */
  on(event: 'session', listener: (session: Session) => void): this;
  /** A reply dropped because its peer had no established session. */
  on(event: 'unroutable', listener: (datagram: UnroutableDatagram) => void): this;
  /** Any other EventEmitter event. */
  on(event: string | symbol, listener: (...args: never[]) => void): this;
}

/**
 * One node:dgram-shaped socket for a whole DTLS server: `'message'` events
 * carry the application data of every established session, with the peer as
 * rinfo; `send(msg, ..., port, address)` encrypts for the session with that
 * peer. So `coap.createServer().listen(socket)` serves coaps.
 *
 * A reply to a peer with no established session is dropped, as a UDP datagram
 * to a host that went away is lost: it calls back with no error and 0 bytes
 * and emits `'unroutable'`. Reporting an error instead would crash a node-coap
 * server whose client closed its session between request and response (its
 * responses re-emit send errors on a stream nobody listens to). A server
 * cannot start a session towards a client, so there is nothing to retry.
 *
 * Also emits `'session'` with each new `Session` (for its `events$`).
 * The socket is bound from the start: `bind()` and `connect()` throw, as they
 * do on a bound node:dgram socket; `close()` closes the DTLS server.
 */
export class DtlsServerSocket extends DtlsDgramSocket {
  /** Replies dropped because their peer had no established session. */
  unroutable = 0;
  private readonly established = new Map<string, Session>();

  /** A socket over this server; its sessions carry the datagrams. */
  constructor(
    /** The DTLS server whose sessions carry the datagrams. */
    readonly server: DtlsServer,
  ) {
    super(isIPv6(server.address().address) ? 'udp6' : 'udp4');
    server.sessions$.subscribe((session) => this.adopt(session));
  }

  /** Established sessions, by peer. */
  get sessions(): readonly Session[] {
    return [...this.established.values()];
  }

  override bind(..._args: unknown[]): this {
    throw new DtlsError('EINVAL', 'the DTLS server socket is already bound (to the DtlsServer it was made from)');
  }

  override connect(..._args: unknown[]): void {
    throw new DtlsError('EINVAL', 'a DTLS server socket serves many peers and cannot connect to one');
  }

  override disconnect(): void {
    throw new DtlsError('EINVAL', 'a DTLS server socket is not connected');
  }

  override remoteAddress(): never {
    throw new DtlsError('ENOTCONN', 'a DTLS server socket is not connected to one peer');
  }

  protected deliver(data: Uint8Array, port: number | undefined, address: string | undefined): number {
    if (port === undefined) throw new DtlsError('EINVAL', 'a DTLS server socket serves many peers: send needs the peer port (and address)');
    // node:dgram sends to loopback when the address is left out (node-coap's _sendError does).
    const peer = { address: address ?? (this.type === 'udp6' ? '::1' : '127.0.0.1'), port };
    const session = this.established.get(routeKey(peer));
    if (!session) {
      this.unroutable++;
      this.emit('unroutable', { peer, bytes: data.length } satisfies UnroutableDatagram);
      return 0;
    }
    session.send(data);
    return data.length;
  }

  protected localAddress(): PeerAddress {
    return this.server.address();
  }

  protected socketBuffers(): SocketBufferSizes | undefined {
    return this.server.info.socketBuffers;
  }

  protected shutdown(): void {
    this.server.close();
  }

  private adopt(session: Session): void {
    // The peer's address now and, after a NAT rebinding (RFC 9146 §6), the one before: an
    // answer to a request that came from there still reaches the session.
    let keys = [routeKey(session.peer)];
    const forget = (): void => keys.forEach((key) => this.established.get(key) === session && this.established.delete(key));
    // A session that fails ends with its closed state too; the error is one client's, not the socket's.
    session.state$.subscribe({
      next: (state) => {
        if (state === 'established') this.established.set(keys[0], session);
        else if (state === 'closed') forget();
      },
      error: () => undefined,
    });
    session.events$.subscribe({
      next: (event) => {
        if (event.type !== 'peer-address-changed') return;
        forget();
        keys = [routeKey(event.to), routeKey(event.from)];
        for (const key of keys) if (!this.established.has(key)) this.established.set(key, session);
      },
      error: () => undefined,
    });
    session.data$.subscribe({ next: (data) => this.receive(data, session.peer), error: () => undefined });
    this.emit('session', session);
  }
}

/** A dgram-shaped socket over an existing DTLS server. */
export function serverDgramSocket(server: DtlsServer): DtlsServerSocket {
  return new DtlsServerSocket(server);
}

/** Binds UDP, serves DTLS on it (see `listen`) and returns the server as a dgram-shaped socket. */
export async function listenDgram(options: ListenOptions): Promise<DtlsServerSocket> {
  return new DtlsServerSocket(await listen(options));
}

function routeKey(peer: PeerAddress): string {
  return `${plainAddress(peer.address)}|${peer.port}`;
}
