import { parseArgs } from 'node:util';
import { createServer, established, nobleProvider, nodeCryptoProvider, openClientSession } from '../rx-dtls.js';
import { clientCredentials, P256, serverCredentials, SUITES } from '../fixtures.js';
import { MemoryNetwork } from './memory-network.js';

/**
 * Issue 16: what one server process holds for a fleet of idle devices. `--sessions` clients
 * (default 100,000) handshake with one server over an in-memory datagram network, `--batch`
 * at a time; each batch's clients are dropped without a word once established, so at the
 * end the process holds the server's sessions and nothing of the clients. Prints the time
 * to establish them all (client and server share this process and its one thread: a
 * server alone does about half the work), then heap (V8 heapUsed + ArrayBuffer backing
 * stores, after full GCs) and RSS per session, against the process before the first handshake.
 *
 *   npm run bench:sessions -- [--sessions 100000] [--provider node|noble] [--suite psk|ecdsa] [--batch 500]
 */
const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '100000' },
    provider: { type: 'string', default: 'node' },
    suite: { type: 'string', default: 'psk' },
    batch: { type: 'string', default: '500' },
  },
});
const n = Number(values.sessions);
const batchSize = Number(values.batch);
const provider = values.provider === 'noble' ? nobleProvider : nodeCryptoProvider;
const suite = SUITES.find((s) => s.id === values.suite);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined || suite === undefined) throw new Error('usage: node --expose-gc --import tsx bench/memory/many-idle-sessions.ts [--sessions N] [--provider node|noble] [--suite psk|ecdsa]');

/** Heap and RSS after full collections, once pending finalizers had a turn. */
async function measure(): Promise<{ heap: number; rss: number }> {
  for (let i = 0; i < 4; i++) gc!();
  await new Promise((resolve) => setTimeout(resolve, 200));
  gc!();
  const { heapUsed, arrayBuffers, rss } = process.memoryUsage();
  return { heap: heapUsed + arrayBuffers, rss };
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
  maxHandshakes: 2 * batchSize,
  idleTimeout: 24 * 3_600_000,
});
const clientStore = clientCredentials(suite);
const before = await measure();

const started = performance.now();
let cpu = process.cpuUsage();
for (let i = 0; i < n; i += batchSize) {
  const batch = await Promise.all(
    Array.from({ length: Math.min(batchSize, n - i) }, async (_, j) => {
      const index = i + j;
      const end = network.endpoint({ address: `10.${1 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}`, port: 40000 });
      const session = await openClientSession({ host: serverAddress.address, port: serverAddress.port, transport: end, credentials: clientStore, cipherSuites: [suite.iana], groups: [P256], provider });
      await established(session);
      return { session, end };
    }),
  );
  // The device side is not what is measured: gone without a word, as a device that sleeps.
  for (const { session, end } of batch) {
    session.abandon(new Error('benchmark') as never);
    end.close();
  }
}
const seconds = (performance.now() - started) / 1000;
cpu = process.cpuUsage(cpu);
// The last flights' timers and close-out work end, so every session is idle.
await new Promise((resolve) => setTimeout(resolve, 1500));
const after = await measure();

const result = {
  provider: provider.name,
  suite: suite.id,
  sessions: server.sessionCount,
  establishSeconds: seconds,
  handshakesPerSecond: n / seconds,
  cpuMsPerHandshakePair: (cpu.user + cpu.system) / 1000 / n,
  heapBytesPerSession: (after.heap - before.heap) / n,
  rssBytesPerSession: (after.rss - before.rss) / n,
  rssMiB: after.rss / 2 ** 20,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
const kb = (bytes: number) => (bytes / 1024).toFixed(2);
console.log(
  `${result.sessions} idle ${suite.label} sessions in one server process (${provider.name}): established in ${seconds.toFixed(1)} s ` +
    `(${result.handshakesPerSecond.toFixed(0)}/s, ${result.cpuMsPerHandshakePair.toFixed(2)} CPU ms per client+server pair); ` +
    `heap ${kb(result.heapBytesPerSession)} KB and RSS ${kb(result.rssBytesPerSession)} KB per session, RSS ${result.rssMiB.toFixed(0)} MiB in all`,
);
await server.close();
process.exit(0);
