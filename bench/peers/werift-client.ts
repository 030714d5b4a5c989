import { DtlsClient } from 'werift-dtls/lib/dtls/src/index.js';
import { CERT_PEM, KEY_PEM, type Suite } from '../fixtures.js';
import type { ClientPeer, EchoChannel, Target } from './peer.js';
import { sendCloseNotify } from './werift-close.js';
import { PeerTransport } from './werift-transport.js';

/** ECDSA with SHA-256 (TLS SignatureAndHashAlgorithm {sha256(4), ecdsa(3)}). */
export const WERIFT_SIGNATURE = { hash: 4, signature: 3 } as const;

/** werift-dtls (npm), the DTLS of the werift WebRTC stack: ECDHE-ECDSA/RSA with AES-128-GCM only. */
export const weriftClient: ClientPeer = {
  name: 'werift-dtls',
  inProcess: true,
  supports: (suite) => suite.id === 'ecdsa',
  async handshake(target, suite) {
    const { client, transport } = await connect(target, suite);
    await close(client, transport);
  },
  async open(target, suite): Promise<EchoChannel> {
    const { client, transport } = await connect(target, suite);
    return {
      send: (data) => void client.send(Buffer.from(data.buffer, data.byteOffset, data.byteLength)),
      onData: (listener) => void client.onData.subscribe((data: Buffer) => listener(data.length)),
      close: () => close(client, transport),
    };
  },
};

async function connect(target: Target, _suite: Suite): Promise<{ client: DtlsClient; transport: PeerTransport }> {
  const transport = await PeerTransport.client(target);
  const client = new DtlsClient({ transport, cert: CERT_PEM, key: KEY_PEM, signatureHash: WERIFT_SIGNATURE });
  await client.connect();
  return { client, transport };
}

async function close(client: DtlsClient, transport: PeerTransport): Promise<void> {
  await sendCloseNotify(client);
  client.close();
  await transport.close();
}
