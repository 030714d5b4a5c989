// npm run bench:cluster (issue 16, item 3): full handshakes per second and server CPU per
// handshake for a cluster of 1 worker and of N = cores workers, PSK and ECDHE-ECDSA, our
// client as the load (16 at once, node:crypto), next to the libssl pair in the same run.
// The load generator shares the machine with the server, so the rate is what is left to
// the server; the CPU per handshake is the per-core figure, and 1000 / that the projection
// of handshakes per second per core.
import { availableParallelism, loadavg } from 'node:os';
import { config } from '../config.js';
import { SUITES } from '../fixtures.js';
import { buildOpensslPair, opensslPairHandshakes } from '../peers/openssl-pair.js';
import type { ServerPeer } from '../peers/peer.js';
import { rxClient } from '../peers/rx-client.js';
import { rxServer } from '../peers/rx-server.js';
import { startHost } from '../peers/child-host.js';
import { ServerPool } from '../peers/server-pool.js';
import { nodeCryptoProvider } from '../rx-dtls.js';
import { printTable } from '../table.js';
import { measureHandshakes, type HandshakeFigures } from '../workloads/handshakes.js';

const cores = availableParallelism();
const clusterServer = (workers: number): ServerPeer => ({
  name: `rx-dtls listenCluster, ${workers} worker${workers === 1 ? '' : 's'} [node:crypto]`,
  supports: () => true,
  oneClientAtATime: false,
  start: (suite) => startHost('../cluster/cluster-host.ts', [String(workers), suite.id]),
});
const client = rxClient(nodeCryptoProvider);
const pool = new ServerPool();
const opensslPair = buildOpensslPair();

const cells = (f: HandshakeFigures): string[] => [
  `${f.perSecond.median.toFixed(0)} (${f.perSecond.min.toFixed(0)}–${f.perSecond.max.toFixed(0)})`,
  f.serverCpuMs.toFixed(2),
  (1000 / f.serverCpuMs).toFixed(0),
  String(f.errors),
];

const rows: string[][] = [];
const load: number[] = [];
for (const suite of SUITES) {
  // The one-process server first: what the primary's routing adds shows against it.
  const single = rxServer('node');
  rows.push([suite.label, `${single.name}, listen (one thread)`, ...cells(await measureHandshakes({ client, server: single }, suite, config.concurrency, pool))]);
  load.push(loadavg()[0]);
  for (const workers of [...new Set([1, cores])]) {
    const server = clusterServer(workers);
    const figures = await measureHandshakes({ client, server }, suite, config.concurrency, pool);
    rows.push([suite.label, server.name, ...cells(figures)]);
    load.push(loadavg()[0]);
  }
  if (opensslPair.binary === undefined) rows.push([suite.label, `libssl pair: n/a (${opensslPair.why})`, '', '', '', '']);
  else rows.push([suite.label, 'libssl client → libssl server (bench/native)', ...cells(opensslPairHandshakes(opensslPair.binary, suite, config.concurrency))]);
}
await pool.stopAll();

printTable(
  `Full handshakes, ${config.concurrency} clients at once, ${cores} cores shared by load and server; load average (1 min) after each row: ${load.map((l) => l.toFixed(2)).join(', ')}`,
  ['suite', 'server', 'handshakes/s median (min–max)', 'server CPU ms / handshake', 'projected handshakes/s per core', 'errors'],
  rows,
);
