import { createServer, established, nobleProvider, nodeCryptoProvider, openClientSession, type Session } from '../rx-dtls.js';
import { clientCredentials, P256, serverCredentials, SUITES } from '../fixtures.js';
import { MemoryNetwork, type MemoryEndpoint } from './memory-network.js';

/**
 * Heap per established idle session (run with --expose-gc; bench/index.ts starts it):
 * n client/server pairs over an in-memory network, then the clients are dropped without a
 * word (abandon + endpoint gone), leaving the server's n sessions. Measured after full GCs:
 *   server bytes/session = (heap with n server sessions − heap before) / n
 *   client bytes/session = (heap with both − heap with server sessions only) / n
 * "heap" is V8 heapUsed plus ArrayBuffer backing stores (typed arrays over 64 bytes live outside the heap).
 * argv: provider (noble | node), suite id, n. Prints one JSON line.
 */
const [providerName, suiteId, count] = process.argv.slice(2);
const provider = providerName === 'node' ? nodeCryptoProvider : nobleProvider;
const suite = SUITES.find((s) => s.id === suiteId)!;
const n = Number(count);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

function heap(): { heapUsed: number; arrayBuffers: number } {
  for (let i = 0; i < 4; i++) gc!();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return { heapUsed, arrayBuffers };
}

const network = new MemoryNetwork();
const serverAddress = { address: '10.0.0.1', port: 5684 };
const server = createServer({
  transport: network.endpoint(serverAddress),
  credentials: serverCredentials(suite),
  cipherSuites: [suite.iana],
  groups: [P256],
  provider,
  maxSessions: n + 1000,
  maxHandshakes: 1024,
  idleTimeout: 24 * 3600_000,
});
const clientStore = clientCredentials(suite);
const before = heap();

const clients: Array<{ session: Session; end: MemoryEndpoint }> = [];
const started = performance.now();
const BATCH = 200;
for (let i = 0; i < n; i += BATCH) {
  const batch = Array.from({ length: Math.min(BATCH, n - i) }, async (_, j) => {
    const index = i + j;
    const end = network.endpoint({ address: `10.${1 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}`, port: 40000 });
    const session = await openClientSession({
      host: serverAddress.address,
      port: serverAddress.port,
      transport: end,
      credentials: clientStore,
      cipherSuites: [suite.iana],
      groups: [P256],
      provider,
    });
    await established(session);
    clients.push({ session, end });
  });
  await Promise.all(batch);
}
const handshakeSeconds = (performance.now() - started) / 1000;
// Let the last flights' timers and close-out work finish, so the sessions are idle.
await new Promise((resolve) => setTimeout(resolve, 1500));
const both = heap();
const serverSessions = server.sessionCount;

for (const { session, end } of clients) {
  session.abandon(new Error('benchmark') as never);
  end.close();
}
clients.length = 0;
await new Promise((resolve) => setTimeout(resolve, 200));
const serverOnly = heap();
const stillServing = server.sessionCount;

const bytes = (a: { heapUsed: number; arrayBuffers: number }, b: { heapUsed: number; arrayBuffers: number }) => ({
  heap: (a.heapUsed - b.heapUsed) / n,
  arrayBuffers: (a.arrayBuffers - b.arrayBuffers) / n,
});
process.stdout.write(
  `${JSON.stringify({
    provider: provider.name,
    suite: suite.id,
    sessions: n,
    serverSessions,
    stillServing,
    handshakeSeconds,
    server: bytes(serverOnly, before),
    client: bytes(both, serverOnly),
    rss: process.memoryUsage().rss,
  })}\n`,
);
server.close();
process.exit(0);
