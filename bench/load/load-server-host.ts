import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { credentials, listen, nodeCryptoProvider, type ListenOptions } from '../rx-dtls.js';
import { CERT_PEM, KEY_PEM, PSK_HEX, PSK_IDENTITY } from '../fixtures.js';

/**
 * The server of the load scenarios, in its own process: an echo server for PSK and
 * ECDHE-ECDSA clients (node:crypto), with the library's defaults unless argv[2] (JSON)
 * sets options (recvBufferSize, maxHandshakes, ...). Prints {"port"} when it listens; on a
 * "stats" line from stdin prints {"stats"} (event-loop delay since the last stats, sessions);
 * exits when stdin closes. Its CPU time and RSS are read from /proc by the parent.
 */
const options = JSON.parse(process.argv[2] ?? '{}') as Partial<ListenOptions>;
const store = credentials()
  .psk({ tag: 0, identity: PSK_IDENTITY, key: Buffer.from(PSK_HEX, 'hex') })
  .x509({ tag: 0, certificate: CERT_PEM, privateKey: KEY_PEM });
const server = await listen({ host: '127.0.0.1', port: 0, credentials: store, provider: nodeCryptoProvider, ...options });
server.sessions$.subscribe((session) => session.data$.subscribe({ next: (data) => session.send(data), error: () => undefined }));

const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
const ms = (ns: number): number => Math.round(ns / 1e5) / 10;
const info = (server as { info?: unknown }).info;
process.stdout.write(`${JSON.stringify({ port: server.address().port, info })}\n`);
createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line !== 'stats') return;
    process.stdout.write(`${JSON.stringify({ stats: { lagP50: ms(lag.percentile(50)), lagP99: ms(lag.percentile(99)), lagMax: ms(lag.max), sessions: server.sessionCount } })}\n`);
    lag.reset();
  })
  .on('close', () => {
    void server.close();
    setTimeout(() => process.exit(0), 100).unref();
  });
