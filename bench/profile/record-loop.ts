import { connect, listen, nobleProvider, nodeCryptoProvider } from '../rx-dtls.js';
import { clientCredentials, P256, serverCredentials, SUITES } from '../fixtures.js';

/**
 * A CPU-profiling workload: one established rx-dtls session in this process over loopback
 * UDP, echoing records with `inFlight` outstanding. argv: suite, provider, record size,
 * in flight, seconds.
 *   node --cpu-prof --cpu-prof-dir=.scratch/profiles --import tsx bench/profile/record-loop.ts psk node 1024 16 5
 */
const [suiteId = 'psk', providerName = 'node', size = '1024', inFlightArg = '16', secondsArg = '5'] = process.argv.slice(2);
const suite = SUITES.find((s) => s.id === suiteId)!;
const provider = providerName === 'noble' ? nobleProvider : nodeCryptoProvider;
const server = await listen({ host: '127.0.0.1', port: 0, credentials: serverCredentials(suite), cipherSuites: [suite.iana], groups: [P256], provider });
server.sessions$.subscribe((s) => s.data$.subscribe({ next: (d) => s.send(d), error: () => undefined }));
const session = await connect({ host: '127.0.0.1', port: server.address().port, credentials: clientCredentials(suite), cipherSuites: [suite.iana], groups: [P256], provider });
const payload = new Uint8Array(Number(size)).fill(0x61);
const inFlight = Number(inFlightArg);
let outstanding = 0;
let echoed = 0;
let running = true;
const pump = (): void => {
  while (running && outstanding < inFlight) {
    session.send(payload);
    outstanding++;
  }
};
session.data$.subscribe({
  next: () => {
    outstanding--;
    echoed++;
    pump();
  },
  error: (error: unknown) => process.stderr.write(`the session failed: ${String(error)}\n`),
});
const start = performance.now();
const cpu0 = process.cpuUsage();
pump();
await new Promise((resolve) => setTimeout(resolve, Number(secondsArg) * 1000));
running = false;
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuUs = ((cpu.user + cpu.system) / echoed).toFixed(1);
process.stderr.write(`${echoed} echoes of ${size} B, ${inFlight} in flight, ${suite.id}/${provider.name}: ${(echoed / seconds).toFixed(0)}/s, ${cpuUs} CPU µs per echo, both sides in one process\n`);
session.close();
server.close();
setTimeout(() => process.exit(0), 200);
