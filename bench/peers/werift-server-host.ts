import { createSocket } from 'node:dgram';
import { DtlsServer } from 'werift-dtls/lib/dtls/src/index.js';
import { CERT_PEM, KEY_PEM } from '../fixtures.js';
import { announce } from './child-host.js';
import { WERIFT_SIGNATURE } from './werift-client.js';
import { PeerTransport } from './werift-transport.js';

/**
 * werift's DtlsServer serves one peer over one transport (WebRTC has one per peer), so
 * this host demultiplexes one UDP socket by peer address into a DtlsServer each, and
 * echoes. werift's server always answers a ClientHello with a HelloVerifyRequest.
 */
const socket = createSocket('udp4');
await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
const peers = new Map<string, PeerTransport>();
socket.on('message', (data, info) => {
  const key = `${info.address}:${info.port}`;
  let transport = peers.get(key);
  if (transport === undefined) {
    const created = new PeerTransport(socket, { host: info.address, port: info.port }, false);
    const server = new DtlsServer({ transport: created, cert: CERT_PEM, key: KEY_PEM, signatureHash: WERIFT_SIGNATURE, certificateRequest: false });
    server.onData.subscribe((echo: Buffer) => void server.send(echo));
    // An alert (close_notify) ends the peer; forget it so a later client on the same port starts afresh.
    server.onClose.subscribe(() => {
      peers.delete(key);
      void created.close();
    });
    peers.set(key, created);
    transport = created;
  }
  transport.onData(data, [info.address, info.port]);
});
announce(socket.address().port, () => socket.close());
