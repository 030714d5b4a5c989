import { connect, listen, nobleProvider, nodeCryptoProvider } from '../rx-dtls.js';
import { clientCredentials, P256, serverCredentials, SUITES } from '../fixtures.js';

/**
 * A CPU-profiling workload (not a benchmark): an rx-dtls server and client in this process
 * over loopback UDP, doing full handshakes one after another, so one profile shows both
 * sides. argv: suite (psk | ecdsa), provider (noble | node), count. See docs/performance.md:
 *   node --cpu-prof --cpu-prof-dir=.scratch/profiles --import tsx bench/profile/handshake-loop.ts ecdsa noble 200
 */
const [suiteId = 'psk', providerName = 'node', count = '500'] = process.argv.slice(2);
const suite = SUITES.find((s) => s.id === suiteId)!;
const provider = providerName === 'noble' ? nobleProvider : nodeCryptoProvider;
const server = await listen({ host: '127.0.0.1', port: 0, credentials: serverCredentials(suite), cipherSuites: [suite.iana], groups: [P256], provider });
const store = clientCredentials(suite);
const { port } = server.address();
const start = performance.now();
const cpu0 = process.cpuUsage();
for (let i = 0; i < Number(count); i++) {
  const session = await connect({ host: '127.0.0.1', port, credentials: store, cipherSuites: [suite.iana], groups: [P256], provider });
  session.close();
}
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000 / Number(count);
process.stderr.write(`${count} ${suite.id} handshakes with ${provider.name} in ${seconds.toFixed(2)} s (${(Number(count) / seconds).toFixed(1)}/s, ${cpuMs.toFixed(2)} CPU ms each, both sides in one process)\n`);
server.close();
setTimeout(() => process.exit(0), 200);
