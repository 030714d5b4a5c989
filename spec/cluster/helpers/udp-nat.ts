import { createSocket, type Socket } from 'node:dgram';
import type { PeerAddress } from '../../../lib/transport/datagram.js';

/**
 * A NAT on loopback for one client: the client talks to `inside()`, the NAT forwards to
 * `target` from an outside port of its own, and `rebind()` moves it to a new outside port
 * (the old one closed), as a NAT does when a mapping times out: the server then sees the
 * same client at a new address.
 */
export class UdpNat {
  private outside!: Socket;
  private client?: PeerAddress;

  private constructor(
    private readonly insideSocket: Socket,
    target: PeerAddress,
  ) {
    insideSocket.on('message', (data, from) => {
      this.client = { address: from.address, port: from.port };
      this.outside.send(data, target.port, target.address);
    });
  }

  static async start(target: PeerAddress): Promise<UdpNat> {
    const inside = await bound();
    const nat = new UdpNat(inside, target);
    await nat.rebind();
    return nat;
  }

  /** Where the client sends. */
  inside(): PeerAddress {
    const { address, port } = this.insideSocket.address();
    return { address, port };
  }

  /** The port the server sees the client at now. */
  outsidePort(): number {
    return this.outside.address().port;
  }

  /** A new outside port; the old mapping is gone. */
  async rebind(): Promise<void> {
    const old = this.outside as Socket | undefined;
    this.outside = await bound();
    this.outside.on('message', (data) => {
      if (this.client) this.insideSocket.send(data, this.client.port, this.client.address);
    });
    old?.close();
  }

  close(): void {
    this.outside.close();
    this.insideSocket.close();
  }
}

function bound(): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => resolve(socket));
  });
}
