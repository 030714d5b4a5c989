import { Buffer } from 'node:buffer';
import { Socket, type RemoteInfo, type SocketType } from 'node:dgram';
import { isIPv6, type AddressInfo } from 'node:net';
import { DtlsError } from '../dtls-error.js';
import type { PeerAddress, SocketBufferSizes } from '../transport/datagram.js';
import { parseSendArguments, type SendCallback } from './dgram-send-arguments.js';

// @types/node declares no constructor for Socket; node:dgram's takes the socket type.
const DgramSocket = Socket as unknown as new (type: SocketType) => Socket;

/**
 * What the DTLS server and client sockets share: a node:dgram `Socket` whose
 * datagrams are the application data of DTLS sessions.
 *
 * It is a real subclass of `dgram.Socket` (constructed, never bound), because
 * node-coap's Server only replays a cached response to a duplicate request and
 * only sends its error replies when `socket instanceof dgram.Socket`
 * (coap/dist/lib/server.js `_handle`, `_sendError`); any other object silently
 * loses both. Every method with a meaning for DTLS is overridden:
 *
 * - `send(...)` in all node:dgram overloads; the callback (or, without one, an
 *   `'error'` event) reports failures as `DtlsError`, as node:dgram reports
 *   network errors. Sending after `close()` throws, as node:dgram does.
 * - `'message'` events carry one application data record as `(Buffer, rinfo)`.
 *   Handshake records never surface: datagrams flow only on established sessions.
 * - `address()`, `close([callback])` (then `'close'`), `bind`/`connect`/
 *   `disconnect`/`remoteAddress` as each subclass defines them.
 * - Broadcast, multicast and TTL settings throw `EINVAL`: a DTLS session is one
 *   association between two endpoints (RFC 6347 §1); there are no group keys, so
 *   a datagram to a group could not be protected.
 * - `getRecvBufferSize()`/`getSendBufferSize()` report the kernel buffers of the
 *   UDP socket underneath, once bound; they are set when it is bound, with the
 *   `recvBufferSize`/`sendBufferSize` options, so `set…BufferSize` throws `EINVAL`.
 * - `ref()`/`unref()` are node:dgram's own and act on the unbound inner handle,
 *   so they change nothing: the DTLS endpoint's UDP socket and timers keep the
 *   process alive until `close()`.
 */
export abstract class DtlsDgramSocket extends DgramSocket {
  /** 'udp4' or 'udp6', set by node:dgram's constructor (node-coap's Agent copies it). */
  declare readonly type: SocketType;
  private closing = false;

  protected constructor(type: SocketType) {
    super(type);
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.closing;
  }

  /** Sends one record of application data to an established peer, in any of node:dgram's argument forms; `callback(error, bytes)` as node:dgram calls it. */
  override send(msg: string | NodeJS.ArrayBufferView | readonly unknown[], port?: number, address?: string, callback?: SendCallback): void;
  override send(msg: string | NodeJS.ArrayBufferView | readonly unknown[], port?: number, callback?: SendCallback): void;
  override send(msg: string | NodeJS.ArrayBufferView | readonly unknown[], callback?: SendCallback): void;
  override send(msg: string | NodeJS.ArrayBufferView, offset: number, length: number, port?: number, address?: string, callback?: SendCallback): void;
  override send(msg: string | NodeJS.ArrayBufferView, offset: number, length: number, port?: number, callback?: SendCallback): void;
  override send(msg: string | NodeJS.ArrayBufferView, offset: number, length: number, callback?: SendCallback): void;
  override send(...args: unknown[]): void {
    if (this.closing) throw new DtlsError('ECLOSED', 'send on a closed DTLS socket');
    const { data, port, address, callback } = parseSendArguments(args);
    let outcome: number | Promise<number>;
    try {
      outcome = this.deliver(data, port, address);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    // node:dgram never calls back synchronously.
    Promise.resolve(outcome).then(
      (bytes) => callback?.(null, bytes),
      (error: unknown) => {
        const failure = error instanceof Error ? error : new DtlsError('EINVAL', String(error));
        if (callback) callback(failure, 0);
        else this.emit('error', failure);
      },
    );
  }

  override address(): AddressInfo {
    return addressInfo(this.localAddress());
  }

  override close(callback?: () => void): this {
    if (this.closing) throw new DtlsError('ECLOSED', 'the DTLS socket is already closed');
    this.closing = true;
    this.shutdown();
    // node:dgram's close releases the inner handle and emits 'close' on the next tick.
    return super.close(callback);
  }

  override setBroadcast(..._args: unknown[]): void {
    throw unicastOnly('setBroadcast');
  }

  override setMulticastTTL(..._args: unknown[]): number {
    throw unicastOnly('setMulticastTTL');
  }

  override setMulticastLoopback(..._args: unknown[]): boolean {
    throw unicastOnly('setMulticastLoopback');
  }

  override setMulticastInterface(..._args: unknown[]): void {
    throw unicastOnly('setMulticastInterface');
  }

  override addMembership(..._args: unknown[]): void {
    throw unicastOnly('addMembership');
  }

  override dropMembership(..._args: unknown[]): void {
    throw unicastOnly('dropMembership');
  }

  override addSourceSpecificMembership(..._args: unknown[]): void {
    throw unicastOnly('addSourceSpecificMembership');
  }

  override dropSourceSpecificMembership(..._args: unknown[]): void {
    throw unicastOnly('dropSourceSpecificMembership');
  }

  override setTTL(..._args: unknown[]): number {
    throw notOnDtls('setTTL');
  }

  override setRecvBufferSize(..._args: unknown[]): void {
    throw sizedWhenBound('setRecvBufferSize', 'recvBufferSize');
  }

  override setSendBufferSize(..._args: unknown[]): void {
    throw sizedWhenBound('setSendBufferSize', 'sendBufferSize');
  }

  /** SO_RCVBUF of the UDP socket underneath, as the kernel granted it. */
  override getRecvBufferSize(): number {
    return this.grantedBuffers('getRecvBufferSize').recvBufferSize;
  }

  /** SO_SNDBUF of the UDP socket underneath, as the kernel granted it. */
  override getSendBufferSize(): number {
    return this.grantedBuffers('getSendBufferSize').sendBufferSize;
  }

  private grantedBuffers(method: string): SocketBufferSizes {
    const sizes = this.socketBuffers();
    if (sizes === undefined) throw new DtlsError('EINVAL', `${method}: the DTLS socket has no UDP socket of its own yet (bind, connect or send first), or runs on another transport`);
    return sizes;
  }

  /** Emits one record of application data as node:dgram emits a datagram. */
  protected receive(data: Uint8Array, peer: PeerAddress): void {
    if (this.closing) return;
    const rinfo: RemoteInfo = { ...addressInfo(peer), size: data.length };
    this.emit('message', Buffer.from(data.buffer, data.byteOffset, data.byteLength), rinfo);
  }

  /** Sends one record; returns (or resolves to) the bytes sent. `port` is absent for the connected forms. */
  protected abstract deliver(data: Uint8Array, port: number | undefined, address: string | undefined): number | Promise<number>;

  protected abstract localAddress(): PeerAddress;

  /** The kernel buffers of the UDP socket underneath, when there is one. */
  protected abstract socketBuffers(): SocketBufferSizes | undefined;

  /** Ends the sessions (close_notify) and releases what the socket owns. */
  protected abstract shutdown(): void;
}

export function addressInfo(peer: PeerAddress): AddressInfo & { family: 'IPv4' | 'IPv6' } {
  return { address: peer.address, port: peer.port, family: isIPv6(peer.address) ? 'IPv6' : 'IPv4' };
}

/** 127.0.0.1 may come back as ::ffff:127.0.0.1 on a dual-stack socket; both name one peer. */
export function plainAddress(address: string): string {
  return address.replace(/^::ffff:/i, '').toLowerCase();
}

function unicastOnly(method: string): DtlsError {
  return new DtlsError('EINVAL', `${method}: a DTLS socket is unicast only (a session protects one pair of endpoints, RFC 6347 §1)`);
}

function notOnDtls(method: string): DtlsError {
  return new DtlsError('EINVAL', `${method}: not available on a DTLS socket; set it on the UDP socket of the DTLS endpoint`);
}

function sizedWhenBound(method: string, option: string): DtlsError {
  return new DtlsError('EINVAL', `${method}: a DTLS socket's buffers are sized when its UDP socket is bound: pass the ${option} option`);
}
