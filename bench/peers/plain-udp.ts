import { createSocket } from 'node:dgram';
import { startHost } from './child-host.js';
import type { ClientPeer, EchoChannel, ServerPeer } from './peer.js';

/**
 * Node's dgram with no DTLS at all, client and echo server: the ceiling of any Node DTLS
 * stack on the records rows, since each record costs at least one sendmsg and one message
 * event per side. It does no handshake, and its "records" are bare datagrams.
 */
const NAME = 'node:dgram, no DTLS';

export const plainUdpServer: ServerPeer = {
  name: NAME,
  supports: () => true,
  oneClientAtATime: false,
  start: () => startHost('./udp-echo-host.ts', []),
};

export const plainUdpClient: ClientPeer = {
  name: NAME,
  inProcess: true,
  supports: () => true,
  handshake: () => Promise.reject(new Error('plain UDP has no handshake')),
  async open(target): Promise<EchoChannel> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.connect(target.port, target.host, resolve));
    return {
      send: (data) => socket.send(data),
      onData: (listener) => void socket.on('message', (msg) => listener(msg.length)),
      close: () => new Promise((resolve) => socket.close(() => resolve())),
    };
  },
};
