import { monitorEventLoopDelay } from 'node:perf_hooks';
import { listen, credentials } from '../rx-dtls.js';
import { PSK_HEX, PSK_IDENTITY } from '../fixtures.js';

/**
 * The server bench/load/restart.ts kills and restarts: a PSK echo server on the port it
 * is given. Prints {"port"} once listening, then every second {"rss","cpuMs","lagP99Ms","lagMaxMs","sessions"}.
 */
const port = Number(process.argv[2]);
const server = await listen({
  host: '127.0.0.1',
  port,
  credentials: credentials().psk({ tag: 0, identity: PSK_IDENTITY, key: new Uint8Array(Buffer.from(PSK_HEX, 'hex')) }),
  cipherSuites: ['TLS_PSK_WITH_AES_128_CCM_8'],
  maxHandshakes: 4096,
  maxSessions: 100_000,
});
server.sessions$.subscribe((session) => session.data$.subscribe({ next: (data) => session.send(data), error: () => undefined }));
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
setInterval(() => {
  const { user, system } = process.cpuUsage();
  const status = { rss: process.memoryUsage.rss(), cpuMs: (user + system) / 1000, lagP99Ms: lag.percentile(99) / 1e6, lagMaxMs: lag.max / 1e6, sessions: server.sessionCount };
  process.stdout.write(`${JSON.stringify(status)}\n`);
  lag.reset();
}, 1000);
