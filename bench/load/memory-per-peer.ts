import { createServer, established, nodeCryptoProvider, openClientSession, type DatagramTransport, type PeerAddress } from '../rx-dtls.js';
import { clientCredentials, P256, serverCredentials, SUITES } from '../fixtures.js';
import { MemoryNetwork } from '../memory/memory-network.js';

/**
 * What a server holds per peer, the figure the maxHandshakes and maxSessions defaults are
 * sized from (run with --expose-gc): n clients over an in-memory network, either left in
 * the middle of their handshakes (each client's flight 5 is lost, so the server holds a
 * handshake in progress with its flight 4 sent) or established; then the clients are
 * dropped without a word and the server's heap is measured against the heap before, after
 * full collections. "Heap" is V8 heapUsed plus ArrayBuffer backing stores.
 *
 *   node --expose-gc --import tsx bench/load/memory-per-peer.ts handshaking|established psk|ecdsa [n, default 2000]
 */
const [mode, suiteId, count] = process.argv.slice(2);
const suite = SUITES.find((s) => s.id === suiteId)!;
const n = Number(count ?? 2000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined || suite === undefined || (mode !== 'handshaking' && mode !== 'established')) {
  throw new Error('usage: node --expose-gc --import tsx bench/load/memory-per-peer.ts handshaking|established psk|ecdsa [n]');
}

const heap = async (): Promise<number> => {
  for (let i = 0; i < 4; i++) gc();
  await new Promise((resolve) => setTimeout(resolve, 200));
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};

const network = new MemoryNetwork();
const serverAddress = { address: '10.0.0.1', port: 5684 };
const server = createServer({
  transport: network.endpoint(serverAddress),
  credentials: serverCredentials(suite),
  groups: [P256],
  provider: nodeCryptoProvider,
  maxSessions: n + 1,
  maxHandshakes: n + 1,
  maxHandshakeBytesTotal: 2 ** 30,
  handshakeTimeout: 3_600_000,
  idleTimeout: 3_600_000,
});
server.sessions$.subscribe((session) => session.data$.subscribe({ next: (data) => session.send(data), error: () => undefined }));
const store = clientCredentials(suite);
const before = await heap();

/** Where a datagram's first handshake message type is: after the 13-byte record header. */
const FIRST_MESSAGE_TYPE = 13;
const CLIENT_KEY_EXCHANGE = 16;

/** A client endpoint that, in handshaking mode, loses its flight 5 (it starts with the ClientKeyExchange). */
function clientTransport(index: number): DatagramTransport & { close(): void } {
  const address: PeerAddress = { address: `10.${1 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}`, port: 40000 };
  const end = network.endpoint(address);
  return {
    datagrams$: end.datagrams$,
    address: () => address,
    send: (data, peer) => {
      if (mode === 'established' || data[FIRST_MESSAGE_TYPE] !== CLIENT_KEY_EXCHANGE) end.send(data, peer);
    },
    close: () => end.close(),
  };
}

const clients: Array<{ abandon: () => void }> = [];
const BATCH = 200;
for (let i = 0; i < n; i += BATCH) {
  await Promise.all(
    Array.from({ length: Math.min(BATCH, n - i) }, async (_, j) => {
      const transport = clientTransport(i + j);
      const session = await openClientSession({ host: serverAddress.address, port: serverAddress.port, transport, credentials: store, serverName: 'localhost', groups: [P256], provider: nodeCryptoProvider, handshakeTimeout: 3_600_000 });
      session.events$.subscribe({ error: () => undefined });
      clients.push({ abandon: () => (session.abandon(new Error('bench') as never), transport.close()) });
      if (mode === 'established') await established(session);
    }),
  );
  // Handshaking: wait (up to 20 s) until the server holds this batch's handshakes (flight 4 sent).
  for (let waited = 0; server.sessionCount < Math.min(i + BATCH, n) && waited < 20_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
}
// Let the last flights' timers and the sends settle.
await new Promise((resolve) => setTimeout(resolve, 1500));
for (const client of clients) client.abandon();
clients.length = 0;
const after = await heap();
const sessions = server.sessionCount;
process.stdout.write(`${JSON.stringify({ mode, suite: suite.id, peers: n, serverSessions: sessions, bytesPerPeer: Math.round((after - before) / sessions), rss: process.memoryUsage().rss })}\n`);
await server.close();
process.exit(0);
