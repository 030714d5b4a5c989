import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { Subject } from 'rxjs';
import type { DtlsError } from '../dtls-error.js';
import type { Datagram, DatagramTransport, PeerAddress, SocketBufferSizes } from './datagram.js';
import { networkError } from './network-error.js';

/** The kernel buffers to ask for on a UDP socket; left out, the kernel's defaults (net.core.rmem_default, wmem_default). */
export interface SocketBufferOptions {
  /**
   * SO_RCVBUF to ask for, in bytes: room for the datagrams that arrive while the process is
   * busy (a burst of handshakes, a pause); beyond it the kernel drops them. Linux caps it
   * at net.core.rmem_max for an unprivileged process and reports twice what it granted;
   * `info` shows what the socket got.
   */
  readonly recvBufferSize?: number;
  /** SO_SNDBUF to ask for, in bytes (capped at net.core.wmem_max the same way). */
  readonly sendBufferSize?: number;
}

/** Where a UDP transport binds, and for a client, the one peer it talks to. */
export interface UdpOptions extends SocketBufferOptions {
  /** Address to bind (default 127.0.0.1; "::1" or "::" for IPv6). */
  readonly host?: string;
  /** Port to bind; 0 picks a free one. */
  readonly port?: number;
  /**
   * Talk to this peer only (a client's socket): the socket is connected to it, so the
   * kernel drops datagrams from anyone else and a send skips dgram's per-datagram address
   * lookup. Every datagram then goes to this peer, whatever `send` is given.
   */
  readonly connect?: PeerAddress;
}

/** A Node UDP socket as a DatagramTransport: the only place rx-dtls touches node:dgram. */
export class UdpTransport implements DatagramTransport {
  private readonly incoming = new Subject<Datagram>();
  /** Datagrams as they arrive; completes when the socket closes. */
  readonly datagrams$ = this.incoming.asObservable();
  private readonly failures = new Subject<DtlsError>();
  /**
   * What the socket reports after it is bound: on a connected socket, the ICMP errors
   * for its peer (Linux reports port unreachable as ECONNREFUSED on the next receive).
   * Nothing here throws: the endpoint decides what an error means.
   */
  readonly errors$ = this.failures.asObservable();
  private closed = false;
  /** Datagrams handed to the socket but not yet sent: close() waits for them (a last close_notify). */
  private pending = 0;
  private readonly released: Promise<void>;

  private constructor(
    private readonly socket: Socket,
    private readonly connected: boolean,
    /** Read once bound: a closed socket has none to read. */
    private readonly granted: SocketBufferSizes,
  ) {
    socket.on('message', (msg, rinfo) => {
      // A view of Node's buffer, not a copy (the core speaks Uint8Array).
      this.incoming.next({ data: new Uint8Array(msg.buffer, msg.byteOffset, msg.length), peer: { address: rinfo.address, port: rinfo.port } });
    });
    socket.on('error', (error) => this.failures.next(networkError(error, this.connected ? 'the server is unreachable' : 'UDP socket error')));
    this.released = new Promise((resolve) =>
      socket.on('close', () => {
        this.incoming.complete();
        this.failures.complete();
        resolve();
      }),
    );
  }

  /** Binds (and connects) a UDP socket (default 127.0.0.1, a free port); rejects with a DtlsError (EADDRINUSE, EACCES, EADDRNOTAVAIL, EINVAL, ...). */
  static bind(options: UdpOptions = {}): Promise<UdpTransport> {
    const host = options.host ?? '127.0.0.1';
    const { connect } = options;
    return new Promise((resolve, reject) => {
      const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
      const fail = (error: unknown, doing: string): void => {
        socket.removeAllListeners();
        // A socket that never bound has nothing to close, and says so by throwing.
        try {
          socket.close();
        } catch {
          // already closed
        }
        reject(networkError(error, doing));
      };
      const where = `${host}:${options.port ?? 0}`;
      socket.once('error', (error) => fail(error, connect ? `cannot bind ${where} or connect to ${connect.address}:${connect.port}` : `cannot bind ${where}`));
      const ready = (): void => {
        socket.removeAllListeners('error');
        const granted = { recvBufferSize: socket.getRecvBufferSize(), sendBufferSize: socket.getSendBufferSize() };
        resolve(new UdpTransport(socket, connect !== undefined, granted));
      };
      try {
        socket.bind(options.port ?? 0, host, () => {
          // Only a bound socket has buffers to size; a failure throws (ERR_SOCKET_BUFFER_SIZE).
          try {
            if (options.recvBufferSize !== undefined) socket.setRecvBufferSize(options.recvBufferSize);
            if (options.sendBufferSize !== undefined) socket.setSendBufferSize(options.sendBufferSize);
          } catch (error) {
            return fail(error, `cannot size the buffers of the socket bound to ${where}`);
          }
          if (connect === undefined) return ready();
          // Without a callback, a failed connect is an 'error' event, which rejects; a bad argument throws.
          socket.once('connect', ready);
          try {
            socket.connect(connect.port, connect.address);
          } catch (error) {
            fail(error, `cannot connect to ${connect.address}:${connect.port}`);
          }
        });
      } catch (error) {
        fail(error, `cannot bind ${where}`);
      }
    });
  }

  /** Sends one datagram; a no-op once closed. */
  send(data: Uint8Array, peer: PeerAddress): void {
    if (this.closed) return;
    this.pending++;
    try {
      if (this.connected) this.socket.send(data, this.sent);
      else this.socket.send(data, peer.port, peer.address, this.sent);
    } catch (error) {
      // A bad destination throws before anything is sent: it is reported, as a failed send is.
      this.sent(error as Error);
    }
  }

  /** One callback for every send: close() waits for the last one; a failed send is reported, never thrown. */
  private readonly sent = (error: Error | null): void => {
    this.pending--;
    if (error) this.failures.next(networkError(error, 'cannot send'));
    if (this.closed && this.pending === 0) this.socket.close();
  };

  address(): PeerAddress {
    const { address, port } = this.socket.address();
    return { address, port };
  }

  /** The buffer sizes the kernel granted (twice what was asked on Linux, within rmem_max / wmem_max). */
  bufferSizes(): SocketBufferSizes {
    return this.granted;
  }

  /** Closes the socket once the datagrams handed to it are sent; resolves when it is closed. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      if (this.pending === 0) this.socket.close();
    }
    return this.released;
  }
}
