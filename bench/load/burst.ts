// A burst of clients handshaking at once against a server in its own process (PSK,
// node:crypto, the library's defaults): how many complete, how many are turned away and
// with what, and how long each waited for its outcome.
//
//   npx tsx bench/load/burst.ts [clients, default 1000] [server maxHandshakes, default: the library's]
import { connect, nodeCryptoProvider, type DtlsError } from '../rx-dtls.js';
import { clientCredentials, SUITES } from '../fixtures.js';
import { startHost } from '../peers/child-host.js';
import { cpuMs, peakRss } from '../proc.js';

const clients = Number(process.argv[2] ?? 1000);
const maxHandshakes = process.argv[3] ?? 'default';
const suite = SUITES.find((s) => s.id === 'psk')!;
const store = clientCredentials(suite);
const server = await startHost('../load/burst-server-host.ts', [maxHandshakes]);
const [pid] = server.pids;
const cpuBefore = cpuMs(pid);

const started = performance.now();
const outcomes = await Promise.all(
  Array.from({ length: clients }, async () => {
    try {
      const session = await connect({ ...server.target, credentials: store, provider: nodeCryptoProvider });
      const ms = performance.now() - started;
      session.close();
      return { outcome: 'established', ms };
    } catch (error) {
      return { outcome: (error as DtlsError).code ?? String(error), ms: performance.now() - started };
    }
  }),
);
const serverCpu = cpuMs(pid) - cpuBefore;
const serverRss = peakRss(pid);
await server.stop();

const byOutcome = new Map<string, number[]>();
for (const { outcome, ms } of outcomes) byOutcome.set(outcome, [...(byOutcome.get(outcome) ?? []), ms]);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
console.log(`${clients} clients at once, server maxHandshakes ${maxHandshakes}; server CPU ${(serverCpu / 1000).toFixed(1)} s, peak RSS ${(serverRss / 2 ** 20).toFixed(0)} MiB`);
console.log('| outcome | clients | p50 ms | p95 ms | max ms |');
console.log('|---|---:|---:|---:|---:|');
for (const [outcome, times] of [...byOutcome].sort((a, b) => b[1].length - a[1].length)) {
  const sorted = times.sort((a, b) => a - b);
  console.log(`| ${outcome} | ${sorted.length} | ${percentile(sorted, 50).toFixed(0)} | ${percentile(sorted, 95).toFixed(0)} | ${sorted[sorted.length - 1].toFixed(0)} |`);
}
