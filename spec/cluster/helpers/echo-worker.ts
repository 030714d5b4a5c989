// A cluster worker for the specs: echoes every record, prefixed with its worker index, so a
// client can tell which worker serves it; "crash" makes the worker throw an uncaught error,
// "stall" busies its thread for five seconds, taking no datagram meanwhile.
import { workerData } from 'node:worker_threads';
import { serveClusterWorker } from '../../../lib/cluster/cluster-worker.js';
import { credentials, utf8 } from '../../../lib/credentials/credential-store.js';
import type { ClusterWorkerData } from '../../../lib/cluster/cluster-messages.js';

const index = (workerData as ClusterWorkerData).rxDtlsClusterWorker.index;
const server = serveClusterWorker({ credentials: credentials().psk({ tag: 0, identity: 'Client_identity', key: 'secretPSK' }), versions: ['1.2', '1.3'] });
server.sessions$.subscribe((session) => {
  session.data$.subscribe({
    next: (bytes) => {
      const text = new TextDecoder().decode(bytes);
      if (text === 'crash') {
        setTimeout(() => {
          throw new Error(`worker ${index} crashed on request`);
        });
      }
      session.send(utf8(`${index}:${text}`));
      if (text === 'stall') {
        setTimeout(() => {
          const until = Date.now() + 5_000;
          while (Date.now() < until);
        });
      }
    },
    error: () => undefined,
  });
});
