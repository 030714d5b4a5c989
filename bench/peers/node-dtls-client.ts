import { dtls } from 'node-dtls-client';
import { PSK_HEX, PSK_IDENTITY, type Suite } from '../fixtures.js';
import type { ClientPeer, EchoChannel, Target } from './peer.js';

/** node-dtls-client (npm): a DTLS 1.2 client with PSK suites only, on node:crypto. */
export const nodeDtlsClient: ClientPeer = {
  name: 'node-dtls-client',
  inProcess: true,
  supports: (suite) => suite.id === 'psk',
  async handshake(target, suite) {
    (await connect(target, suite)).close();
  },
  async open(target, suite): Promise<EchoChannel> {
    const socket = await connect(target, suite);
    return {
      send: (data) => socket.send(Buffer.from(data.buffer, data.byteOffset, data.byteLength)),
      onData: (listener) => void socket.on('message', (message: Buffer) => listener(message.length)),
      close: async () => socket.close(),
    };
  },
};

function connect(target: Target, suite: Suite): Promise<dtls.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dtls.createSocket({
      type: 'udp4',
      address: target.host,
      port: target.port,
      psk: { [PSK_IDENTITY]: Buffer.from(PSK_HEX, 'hex').toString('latin1') },
      ciphers: [suite.iana as never],
      timeout: 10_000,
    });
    socket.once('connected', () => resolve(socket));
    socket.once('error', reject);
  });
}
