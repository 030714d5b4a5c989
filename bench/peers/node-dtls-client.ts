import { PSK_HEX, PSK_IDENTITY, type Suite } from '../fixtures.js';
import type { ClientPeer, EchoChannel, Target } from './peer.js';

/** The part of node-dtls-client's API the benchmark uses. */
interface DtlsSocket {
  send(data: Buffer): void;
  on(event: 'message', listener: (message: Buffer) => void): void;
  once(event: 'connected' | 'error', listener: (arg?: unknown) => void): void;
  close(): void;
}
interface NodeDtlsClientModule {
  dtls: { createSocket(options: object): DtlsSocket };
}

/**
 * node-dtls-client is installed on demand (`npm run bench:peers`, which `npm run
 * bench` runs first), not as a devDependency: its optional native dependency
 * lists platform packages that were never published, which breaks `npm ci`. Loaded
 * by name so the project type-checks without it.
 */
const MODULE = 'node-dtls-client';
const loaded = (await import(MODULE).catch(() => undefined)) as NodeDtlsClientModule | undefined;
if (!loaded) console.warn(`${MODULE} is not installed (npm run bench:peers): its rows are marked as not done`);

/** node-dtls-client (npm): a DTLS 1.2 client with PSK suites only, on node:crypto. */
export const nodeDtlsClient: ClientPeer = {
  name: 'node-dtls-client',
  inProcess: true,
  supports: (suite) => loaded !== undefined && suite.id === 'psk',
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

function connect(target: Target, suite: Suite): Promise<DtlsSocket> {
  return new Promise((resolve, reject) => {
    const socket = loaded!.dtls.createSocket({
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
