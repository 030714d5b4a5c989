import type { Observable } from 'rxjs';
import type { DtlsError } from '../dtls-error.js';

/** Where a datagram came from or goes to. */
export interface PeerAddress {
  /** An IPv4 or IPv6 address. */
  readonly address: string;
  /** The UDP port. */
  readonly port: number;
}

/** One datagram and where it came from (received) or goes (sent). */
export interface Datagram {
  /** The payload. */
  readonly data: Uint8Array;
  /** The other end. */
  readonly peer: PeerAddress;
}

/**
 * What the endpoints need from a datagram network: the Node UDP adaptor, an
 * in-memory pair for specs, or any other link that carries datagrams.
 */
export interface DatagramTransport {
  /** Datagrams as they arrive; completes when the transport closes. */
  readonly datagrams$: Observable<Datagram>;
  /** Sends one datagram; never throws (a lost datagram is what DTLS expects). */
  send(data: Uint8Array, peer: PeerAddress): void;
  /** The local address, once bound. */
  address(): PeerAddress;
  /**
   * Errors the network reported for this transport: on a UDP socket connected to one
   * peer, the ICMP errors (port or host unreachable) the kernel reports for it. Optional:
   * a transport without them is a network that never says.
   */
  readonly errors$?: Observable<DtlsError>;
  /** Releases the transport; the promise, if any, settles once it is released. */
  close(): void | Promise<void>;
  /** The kernel's socket buffer sizes, for a transport over a socket (see SocketBufferSizes). */
  bufferSizes?(): SocketBufferSizes;
}

/**
 * A UDP socket's buffers as the kernel granted them (`getRecvBufferSize()`,
 * `getSendBufferSize()`): Linux doubles the size asked for (the extra is its bookkeeping)
 * and caps the request at net.core.rmem_max / wmem_max for an unprivileged process.
 */
export interface SocketBufferSizes {
  /** SO_RCVBUF in bytes: datagrams that arrive while the process is busy wait here, and beyond it are lost. */
  readonly recvBufferSize: number;
  /** SO_SNDBUF in bytes. */
  readonly sendBufferSize: number;
}

/** A stable key for a peer's address and port, used to demultiplex sessions. */
export function peerKey(peer: PeerAddress): string {
  return `${peer.address}|${peer.port}`;
}
