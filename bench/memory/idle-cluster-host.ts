import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { listenCluster } from '../rx-dtls.js';

/**
 * The server process of `many-idle-sessions.ts --workers N`: listenCluster with N worker
 * threads on a free loopback port (argv: workers, suite id). Prints {"port"} once every
 * worker is ready, then answers each line on stdin with {"rss","sessions"}: the process's
 * RSS (primary and workers together) and the sessions of each worker. Exits when stdin closes.
 */
const [workers, suite] = process.argv.slice(2);
const cluster = await listenCluster({
  host: '127.0.0.1',
  port: 0,
  workers: Number(workers),
  recvBufferSize: 8 * 2 ** 20,
  // Node 20 gives a worker thread no tsx loader of its own: the specs' bootstrap registers it.
  worker: fileURLToPath(new URL('../../spec/cluster/helpers/ts-worker.mjs', import.meta.url)),
  workerOptions: { module: fileURLToPath(new URL('./idle-cluster-worker.ts', import.meta.url)), suite },
});
process.stdout.write(`${JSON.stringify({ port: cluster.address().port })}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', () => process.stdout.write(`${JSON.stringify({ rss: process.memoryUsage.rss(), sessions: cluster.stats.sessions })}\n`));
lines.on('close', () => void cluster.close().then(() => process.exit(0)));
