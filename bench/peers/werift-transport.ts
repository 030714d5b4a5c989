import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { Target } from './peer.js';

type Address = readonly [string, number];

/**
 * werift-dtls runs over a Transport object ({ onData, send, close }); werift's own UdpTransport
 * binds every interface, so the bench gives it this one, on 127.0.0.1, sending to one peer.
 */
export class PeerTransport {
  readonly type = 'udp';
  closed = false;
  onData: (data: Buffer, addr: Address) => void = () => {};

  constructor(
    private readonly socket: Socket,
    private readonly peer: Target,
    private readonly closeSocket: boolean,
  ) {}

  static async client(peer: Target): Promise<PeerTransport> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const transport = new PeerTransport(socket, peer, true);
    socket.on('message', (data, info) => transport.onData(data, [info.address, info.port]));
    return transport;
  }

  get address(): AddressInfo {
    return this.socket.address();
  }

  send = async (data: Buffer): Promise<void> => {
    if (!this.closed) this.socket.send(data, this.peer.port, this.peer.host);
  };

  close = async (): Promise<void> => {
    if (this.closed) return;
    this.closed = true;
    if (this.closeSocket) await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  };
}
