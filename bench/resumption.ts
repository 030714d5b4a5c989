/**
 * Session resumption (RFC 5246 §7.3, RFC 5077), in one run:
 *  - handshakes per second, full and abbreviated, PSK and ECDHE-ECDSA: rx-dtls client and
 *    server in this process over loopback UDP (node:crypto provider), one handshake after
 *    another; libssl's own pair (bench/native, `handshakes` and `resumptions`: a client and a
 *    server process, tickets on) beside it;
 *  - what the server keeps per session cached by ID, and the size of a ticket.
 * `npm run build && node --expose-gc --import tsx bench/resumption.ts [seconds]` (default 5).
 */
import { execFileSync } from 'node:child_process';
import { ServerResumption } from '../dist/handshake/server-resumption.js';
import { CERT_PATH, CERT_PEM, clientCredentials, KEY_PATH, P256, serverCredentials, SUITES, type Suite } from './fixtures.js';
import { buildOpensslPair } from './peers/openssl-pair.js';
import { connect, listen, nodeCryptoProvider, type SessionResumption } from './rx-dtls.js';
import { printTable } from './table.js';

const seconds = Number(process.argv[2] ?? 5);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

/** rx-dtls handshakes per second for `seconds`; resuming, every one must have been abbreviated. */
async function rxHandshakes(suite: Suite, resume: boolean): Promise<number> {
  const options = { cipherSuites: [suite.iana], groups: [P256], provider: nodeCryptoProvider };
  const server = await listen({ ...options, host: '127.0.0.1', port: 0, credentials: serverCredentials(suite) });
  const client = { ...options, host: '127.0.0.1', port: server.address().port, credentials: clientCredentials(suite), serverName: 'localhost' };
  try {
    let resumption: SessionResumption | undefined;
    if (resume) {
      const first = await connect(client);
      resumption = first.resumption;
      await first.close();
    }
    let count = 0;
    const end = performance.now() + seconds * 1000;
    const start = performance.now();
    while (performance.now() < end) {
      const session = await connect({ ...client, ...(resumption ? { resume: resumption } : {}) });
      if (session.info?.resumed !== resume) throw new Error(`expected resumed=${resume}`);
      // Not awaited, as bench/peers/rx-client does not: the socket closes in the background.
      void session.close();
      count++;
    }
    return count / ((performance.now() - start) / 1000);
  } finally {
    await server.close();
  }
}

function libsslHandshakes(binary: string, suite: Suite, mode: 'handshakes' | 'resumptions'): number {
  const out = execFileSync(binary, [mode, suite.id, '1', String(seconds), CERT_PATH, KEY_PATH], { encoding: 'utf8', timeout: 60_000 + seconds * 1000 });
  const result = JSON.parse(out.trim().split('\n').pop()!) as { count: number; failed: number; seconds: number };
  if (result.failed > 0) throw new Error(`libssl ${mode}: ${result.failed} failed`);
  return result.count / result.seconds;
}

/** Heap and ArrayBuffer bytes per session in a ServerResumption's cache by ID, after full GCs. */
function bytesPerCachedSession(peer: 'psk' | 'x509', n: number): number {
  const heap = () => {
    for (let i = 0; i < 4; i++) gc!();
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers;
  };
  const certificate = new TextEncoder().encode(CERT_PEM).subarray(0, 420);
  const resumption = new ServerResumption({ provider: nodeCryptoProvider, now: () => 0, lifetime: 7_200_000, cacheSize: n, tickets: false });
  const before = heap();
  for (let i = 0; i < n; i++) {
    resumption.remember({
      masterSecret: nodeCryptoProvider.randomBytes(48),
      cipherSuite: 0xc0a8,
      extendedMasterSecret: true,
      // What a handshake leaves: the PSK identity as the ClientKeyExchange named it, or the client's chain.
      peer: peer === 'psk' ? { kind: 'psk', identity: new TextEncoder().encode(`device-${i}`) } : { kind: 'x509', subject: 'CN=device', chain: [certificate.slice()] },
      sessionId: resumption.newSessionId(),
    });
  }
  const per = (heap() - before) / n;
  if (resumption.cachedSessions !== n) throw new Error('the cache dropped sessions');
  return per;
}

async function main(): Promise<void> {
  const pair = buildOpensslPair();
  const rows: string[][] = [];
  for (const suite of SUITES) {
    const full = await rxHandshakes(suite, false);
    const abbreviated = await rxHandshakes(suite, true);
    const libFull = pair.binary ? libsslHandshakes(pair.binary, suite, 'handshakes') : Number.NaN;
    const libResumed = pair.binary ? libsslHandshakes(pair.binary, suite, 'resumptions') : Number.NaN;
    const f = (x: number) => (Number.isNaN(x) ? `n/a (${pair.why})` : x.toFixed(0));
    rows.push([suite.label, f(full), f(abbreviated), `${(abbreviated / full).toFixed(1)}×`, f(libFull), f(libResumed), `${(libResumed / libFull).toFixed(1)}×`]);
  }
  printTable(`Handshakes per second, one after another, ${seconds} s each`, ['suite', 'rx-dtls full', 'rx-dtls resumed', 'ratio', 'libssl full', 'libssl resumed', 'ratio'], rows);
  const n = 10_000;
  printTable(`Server memory per session cached by session ID (${n} cached)`, ['peer identity kept', 'bytes per cached session'], [
    ['PSK identity (10 bytes)', bytesPerCachedSession('psk', n).toFixed(0)],
    ['X.509 chain (one 420-byte certificate)', bytesPerCachedSession('x509', n).toFixed(0)],
  ]);
}

await main();
