// A worker of the bench's cluster: the echo server every server row of the bench is, on
// node:crypto, with the suite given by the primary (workerData.options.suite).
import { workerData } from 'node:worker_threads';
import { nodeCryptoProvider, serveClusterWorker } from '../rx-dtls.js';
import { P256, SUITES, serverCredentials } from '../fixtures.js';

const suite = SUITES.find((s) => s.id === (workerData as { options: { suite: string } }).options.suite)!;
const server = serveClusterWorker({
  credentials: serverCredentials(suite),
  cipherSuites: [suite.iana],
  groups: [P256],
  provider: nodeCryptoProvider,
  maxHandshakes: 1024,
  maxSessions: 100_000,
});
server.sessions$.subscribe((session) => session.data$.subscribe({ next: (data) => session.send(data), error: () => undefined }));
