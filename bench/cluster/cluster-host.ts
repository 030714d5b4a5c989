import { fileURLToPath } from 'node:url';
import { listenCluster } from '../rx-dtls.js';
import { announce } from '../peers/child-host.js';

// argv: workers and suite id. One process, its primary thread on the socket and `workers`
// worker threads serving, so the process's CPU time is the whole cluster's.
const [workers, suite] = process.argv.slice(2);
const cluster = await listenCluster({
  host: '127.0.0.1',
  port: 0,
  workers: Number(workers),
  // Node 20 gives a worker thread no tsx loader of its own: the specs' bootstrap registers it.
  worker: fileURLToPath(new URL('../../spec/cluster/helpers/ts-worker.mjs', import.meta.url)),
  workerOptions: { module: fileURLToPath(new URL('./handshake-worker.ts', import.meta.url)), suite },
});
announce(cluster.address().port, () => void cluster.close());
