import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { established, nodeCryptoProvider, openClientSession, UdpTransport } from '../rx-dtls.js';
import { clientCredentials, P256, SUITES } from '../fixtures.js';
import { cpuMs } from '../proc.js';

/**
 * Issue 16: idle sessions across the worker threads of one listenCluster process, over
 * loopback UDP. The server runs in its own process (idle-cluster-host.ts); this one makes
 * the clients, `--batch` at a time, each from its own loopback address (127.1.0.0 onwards,
 * so no two clients share an address and port however many there are), and drops each
 * batch without a word once established, closing its sockets. Prints the time to establish
 * them all, the server process's CPU per handshake, and its RSS per session (primary and
 * workers together) against the process before the first handshake.
 *
 *   npm run build && node --import tsx bench/memory/cluster-idle-sessions.ts [--sessions 100000] [--workers 2] [--suite psk|ecdsa] [--batch 250]
 */
const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '100000' },
    workers: { type: 'string', default: '2' },
    suite: { type: 'string', default: 'psk' },
    batch: { type: 'string', default: '250' },
  },
});
const n = Number(values.sessions);
const batchSize = Number(values.batch);
const suite = SUITES.find((s) => s.id === values.suite);
if (suite === undefined) throw new Error('--suite psk|ecdsa');

const host = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./idle-cluster-host.ts', import.meta.url)), values.workers, suite.id], { stdio: ['pipe', 'pipe', 'inherit'] });
const replies = createInterface({ input: host.stdout })[Symbol.asyncIterator]();
const next = async <T>(): Promise<T> => {
  const { value, done } = await replies.next();
  if (done) throw new Error('the cluster host exited');
  return JSON.parse(value as string) as T;
};
const { port } = await next<{ port: number }>();
const stats = async () => {
  // The workers' last flights and the sweeps settle first.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  host.stdin.write('stats\n');
  return next<{ rss: number; sessions: number[] }>();
};

const store = clientCredentials(suite);
const before = await stats();
const cpuBefore = cpuMs(host.pid!);
const started = performance.now();
for (let i = 0; i < n; i += batchSize) {
  const batch = await Promise.all(
    Array.from({ length: Math.min(batchSize, n - i) }, async (_, j) => {
      const index = i + j;
      const transport = await UdpTransport.bind({ host: `127.${1 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}`, port: 0, connect: { address: '127.0.0.1', port } });
      const session = await openClientSession({ host: '127.0.0.1', port, transport, credentials: store, cipherSuites: [suite.iana], groups: [P256], provider: nodeCryptoProvider, keyLog: undefined });
      await established(session);
      return { session, transport };
    }),
  );
  for (const { session, transport } of batch) {
    session.abandon(new Error('benchmark') as never);
    void transport.close();
  }
}
const seconds = (performance.now() - started) / 1000;
const serverCpu = cpuMs(host.pid!) - cpuBefore;
const after = await stats();
const sessions = after.sessions.reduce((sum, s) => sum + s, 0);

const result = {
  suite: suite.id,
  workers: Number(values.workers),
  sessions,
  perWorker: after.sessions,
  establishSeconds: seconds,
  handshakesPerSecond: n / seconds,
  serverCpuMsPerHandshake: serverCpu / n,
  rssBytesPerSession: (after.rss - before.rss) / sessions,
  rssMiB: after.rss / 2 ** 20,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
console.log(
  `${sessions} idle ${suite.label} sessions in one listenCluster process, ${values.workers} workers (${after.sessions.join(' + ')}): ` +
    `established in ${seconds.toFixed(1)} s (${result.handshakesPerSecond.toFixed(0)}/s, server ${result.serverCpuMsPerHandshake.toFixed(2)} CPU ms per handshake); ` +
    `RSS ${(result.rssBytesPerSession / 1024).toFixed(2)} KB per session, ${result.rssMiB.toFixed(0)} MiB in all`,
);
host.stdin.end();
await new Promise((resolve) => host.once('exit', resolve));
process.exit(0);
