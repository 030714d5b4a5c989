import type { Buffer } from 'node:buffer';
import type { BindOptions, RemoteInfo } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP, isIPv6, type AddressInfo } from 'node:net';
import { DtlsError } from '../dtls-error.js';
import { established, openClientSession, type ClientOptions } from '../endpoint/client.js';
import type { Session } from '../endpoint/session.js';
import { checkClientOptions } from '../endpoint/validate-options.js';
import type { DatagramTransport, PeerAddress, SocketBufferSizes } from '../transport/datagram.js';
import { addressInfo, DtlsDgramSocket, plainAddress } from './dtls-dgram-socket.js';
import { UdpTransport } from '../transport/udp.js';

/** A client socket's session options: those of connect, with a transport of its own or one given. */
export interface DtlsClientSocketOptions extends Omit<ClientOptions, 'transport'> {
  /** Carry the sessions on this transport instead of a UDP socket of our own; it is not closed with the socket. */
  readonly transport?: DatagramTransport;
}

/** node:dgram's events, and the socket's own `'session'`. */
export interface DtlsClientSocket {
  /** Application data from the server, one event per record. */
  on(event: 'message', listener: (msg: Buffer, rinfo: RemoteInfo) => void): this;
  /** As on a node:dgram socket. */
  on(event: 'close' | 'listening' | 'connect', listener: () => void): this;
  /** A failed send that had no callback. */
  on(event: 'error', listener: (error: Error) => void): this;
  /** Each new session (for its events$). */
  on(event: 'session', listener: (session: Session) => void): this;
  /** Any other EventEmitter event. */
  on(event: string | symbol, listener: (...args: never[]) => void): this;
}

/**
 * A node:dgram-shaped socket over a DTLS client session with one server, so
 * `new coap.Agent({ socket })` speaks coaps.
 *
 * Lazy by default: the first `send` binds a UDP socket (as node:dgram binds
 * implicitly, to the wildcard address and a free port, unless `bind` came
 * first) and starts the handshake; sends wait for it and then go out in order.
 * `connect()` starts it eagerly and emits `'connect'` once established.
 * When the session ends (the server closed it, or it failed), the next send
 * starts a new one from the same local port. A failed handshake fails the sends
 * that waited for it, through their callbacks (or `'error'`), as `DtlsError`.
 *
 * `send` accepts a destination only if it is the server's (node-coap passes the
 * URL's host and port); any other is refused with `EINVAL`. Also emits
 * `'session'` with each new `Session`.
 */
export class DtlsClientSocket extends DtlsDgramSocket {
  private transport?: DatagramTransport;
  private binding?: Promise<DatagramTransport>;
  private ownsTransport = false;
  private current?: Session;
  private opening?: Promise<Session>;
  private resolved?: Promise<PeerAddress>;

  /** Throws DtlsError EINVAL for an option it cannot use. */
  constructor(private readonly options: DtlsClientSocketOptions) {
    checkClientOptions(options as unknown as Readonly<Record<string, unknown>>);
    super(isIPv6(options.host) ? 'udp6' : 'udp4');
    this.transport = options.transport;
  }

  /** The current session: handshaking, established, or the last one that closed. */
  get session(): Session | undefined {
    return this.current;
  }

  /**
   * Binds the local UDP socket the sessions use: `bind([port][, address][, callback])`
   * or `bind(options[, callback])`, then `'listening'`. Only before anything is bound.
   */
  override bind(port?: number, address?: string, callback?: () => void): this;
  override bind(port?: number, callback?: () => void): this;
  override bind(callback?: () => void): this;
  override bind(options: BindOptions, callback?: () => void): this;
  override bind(...args: unknown[]): this {
    if (this.closed) throw new DtlsError('ECLOSED', 'bind on a closed DTLS socket');
    if (this.transport || this.binding) throw new DtlsError('EINVAL', 'the DTLS client socket is already bound');
    const callback = args.find((a): a is () => void => typeof a === 'function');
    const [first, second] = args;
    const options: BindOptions = typeof first === 'object' && first !== null ? (first as BindOptions) : { port: typeof first === 'number' ? first : 0, address: typeof second === 'string' ? second : undefined };
    const host = options.address ?? (this.type === 'udp6' ? '::' : '0.0.0.0');
    this.bindTransport(host, options.port ?? 0).then(
      () => {
        this.emit('listening');
        callback?.();
      },
      (error: unknown) => this.emit('error', error),
    );
    return this;
  }

  /**
   * Starts the handshake now instead of on the first send; `'connect'` (and the
   * callback) follow once it is established, `'error'` if it fails. The port
   * and address, if given, must be the server's.
   */
  override connect(port?: number, address?: string | (() => void), callback?: () => void): void {
    if (this.closed) throw new DtlsError('ECLOSED', 'connect on a closed DTLS socket');
    const done = typeof address === 'function' ? address : callback;
    this.checkDestination(port, typeof address === 'string' ? address : undefined)
      .then(() => this.open())
      .then(
        () => {
          this.emit('connect');
          done?.();
        },
        (error: unknown) => this.emit('error', error),
      );
  }

  /** Ends the current session with close_notify; the next send starts a new one. */
  override disconnect(): void {
    this.current?.close();
  }

  override remoteAddress(): AddressInfo {
    if (this.current?.state !== 'established') throw new DtlsError('ENOTCONN', `no established DTLS session with ${this.options.host}:${this.options.port}`);
    return addressInfo(this.current.peer);
  }

  /** Resolves with an established session: the current one, or a new handshake. */
  open(): Promise<Session> {
    if (this.closed) return Promise.reject(new DtlsError('ECLOSED', 'the DTLS socket is closed'));
    if (this.current?.state === 'established') return Promise.resolve(this.current);
    this.opening ??= this.handshake().finally(() => (this.opening = undefined));
    return this.opening;
  }

  protected async deliver(data: Uint8Array, port: number | undefined, address: string | undefined): Promise<number> {
    await this.checkDestination(port, address);
    const session = await this.open();
    session.send(data);
    return data.length;
  }

  protected localAddress(): PeerAddress {
    if (!this.transport) throw new DtlsError('EINVAL', 'the DTLS client socket is not bound yet (bind, connect or send first)');
    return this.transport.address();
  }

  protected socketBuffers(): SocketBufferSizes | undefined {
    return this.transport?.bufferSizes?.();
  }

  protected shutdown(): void {
    this.current?.close();
    if (this.ownsTransport) this.transport?.close();
  }

  private async handshake(): Promise<Session> {
    const server = await this.serverAddress();
    const transport = await this.bound(server);
    const session = await openClientSession({
      ...this.options,
      host: server.address,
      serverName: this.options.serverName ?? this.options.host,
      transport,
    });
    if (this.closed) {
      session.abandon(new DtlsError('ECLOSED', 'the DTLS socket was closed during the handshake'));
      throw session.error;
    }
    this.current = session;
    // A failed session fails the sends waiting for it; the next send starts a new one.
    session.data$.subscribe({ next: (data) => this.receive(data, session.peer), error: () => undefined });
    this.emit('session', session);
    return established(session);
  }

  /** The transport to use: given, bound by `bind()`, or bound now to the wildcard address of the server's family. */
  private bound(server: PeerAddress): Promise<DatagramTransport> {
    if (this.transport) return Promise.resolve(this.transport);
    return this.binding ?? this.bindTransport(isIPv6(server.address) ? '::' : '0.0.0.0', 0);
  }

  private bindTransport(host: string, port: number): Promise<DatagramTransport> {
    const { recvBufferSize, sendBufferSize } = this.options;
    this.binding = UdpTransport.bind({ host, port, recvBufferSize, sendBufferSize }).then((transport) => {
      this.ownsTransport = true;
      // Closed while binding: release the socket at once.
      if (this.closed) transport.close();
      else this.transport = transport;
      return transport;
    });
    return this.binding;
  }

  /** The server's address, resolved once (replies are matched to it). */
  private serverAddress(): Promise<PeerAddress> {
    const { host, port } = this.options;
    this.resolved ??= isIP(host) !== 0 ? Promise.resolve({ address: host, port }) : lookup(host).then(({ address }) => ({ address, port }));
    return this.resolved;
  }

  /** node-coap names the destination on every send: it must be this socket's server. */
  private async checkDestination(port: number | undefined, address: string | undefined): Promise<void> {
    if (port === undefined && address === undefined) return;
    const server = await this.serverAddress();
    const portOk = port === undefined || port === server.port;
    const addressOk = address === undefined || address === this.options.host || plainAddress(address) === plainAddress(server.address);
    if (!portOk || !addressOk) {
      throw new DtlsError('EINVAL', `this DTLS socket talks to ${this.options.host}:${this.options.port} only, not ${address ?? this.options.host}:${port ?? this.options.port}`);
    }
  }
}

/** A dgram-shaped socket over DTLS client sessions with one server (see DtlsClientSocket). */
export function clientDgramSocket(options: DtlsClientSocketOptions): DtlsClientSocket {
  return new DtlsClientSocket(options);
}
