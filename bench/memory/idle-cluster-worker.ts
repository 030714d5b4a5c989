// A worker of bench/memory/idle-cluster-host.ts: a server that keeps idle sessions for a
// day (the default idleTimeout would sweep the first ones before the last are made).
import { workerData } from 'node:worker_threads';
import { nodeCryptoProvider, serveClusterWorker } from '../rx-dtls.js';
import { P256, SUITES, serverCredentials } from '../fixtures.js';

const suite = SUITES.find((s) => s.id === (workerData as { options: { suite: string } }).options.suite)!;
serveClusterWorker({
  credentials: serverCredentials(suite),
  cipherSuites: [suite.iana],
  groups: [P256],
  provider: nodeCryptoProvider,
  maxHandshakes: 4096,
  maxSessions: 1_000_000,
  idleTimeout: 24 * 3_600_000,
});
