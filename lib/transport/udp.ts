import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { Subject } from 'rxjs';
import type { Datagram, DatagramTransport, PeerAddress } from './datagram.js';

/** Where a UDP transport binds, and for a client, the one peer it talks to. */
export interface UdpOptions {
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
  private closed = false;
  /** Datagrams handed to the socket but not yet sent: close() waits for them (a last close_notify). */
  private pending = 0;

  private constructor(
    private readonly socket: Socket,
    private readonly connected: boolean,
  ) {
    socket.on('message', (msg, rinfo) => {
      // A view of Node's buffer, not a copy (the core speaks Uint8Array).
      this.incoming.next({ data: new Uint8Array(msg.buffer, msg.byteOffset, msg.length), peer: { address: rinfo.address, port: rinfo.port } });
    });
    // ICMP errors (port unreachable) surface here on some platforms; DTLS treats them as loss.
    socket.on('error', () => undefined);
    socket.on('close', () => this.incoming.complete());
  }

  /** Binds a UDP socket (default 127.0.0.1, a free port); rejects with the socket error (EADDRINUSE...). */
  static bind(options: UdpOptions = {}): Promise<UdpTransport> {
    const host = options.host ?? '127.0.0.1';
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
    const { connect } = options;
    return new Promise((resolve, reject) => {
      socket.once('error', (error) => {
        socket.close();
        reject(error);
      });
      const ready = (): void => {
        socket.removeAllListeners('error');
        resolve(new UdpTransport(socket, connect !== undefined));
      };
      socket.bind(options.port ?? 0, host, () => {
        if (connect === undefined) return ready();
        // Without a callback, a failed connect is an 'error' event, which rejects.
        socket.once('connect', ready);
        socket.connect(connect.port, connect.address);
      });
    });
  }

  /** Sends one datagram; a no-op once closed. */
  send(data: Uint8Array, peer: PeerAddress): void {
    if (this.closed) return;
    this.pending++;
    if (this.connected) this.socket.send(data, this.sent);
    else this.socket.send(data, peer.port, peer.address, this.sent);
  }

  /** One callback for every send: close() waits for the last one. */
  private readonly sent = (): void => {
    this.pending--;
    if (this.closed && this.pending === 0) this.socket.close();
  };

  address(): PeerAddress {
    const { address, port } = this.socket.address();
    return { address, port };
  }

  /** Closes the socket once the datagrams already handed to it are sent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.pending === 0) this.socket.close();
  }
}
