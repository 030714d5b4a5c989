import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { nobleProvider, nodeCryptoProvider, type CryptoProvider } from './rx-dtls.js';
import { config, wantsRow } from './config.js';
import { P256, SUITES, TLS13_PSK_SUITES, X25519 } from './fixtures.js';
import { nodeDtlsClient } from './peers/node-dtls-client.js';
import { opensslClient, opensslPresent, opensslServer } from './peers/openssl.js';
import { buildOpensslPair, OPENSSL_PAIR_LABEL, opensslPairHandshakes, opensslPairRecords } from './peers/openssl-pair.js';
import { plainUdpClient, plainUdpServer } from './peers/plain-udp.js';
import { rxClient } from './peers/rx-client.js';
import { rxClient13 } from './peers/rx-client13.js';
import { rxServer } from './peers/rx-server.js';
import { ServerPool } from './peers/server-pool.js';
import { weriftClient } from './peers/werift-client.js';
import { weriftServer } from './peers/werift-server.js';
import { formatSpread } from './stats.js';
import { printTable } from './table.js';
import { measureHandshakes, type HandshakeFigures } from './workloads/handshakes.js';
import { measureRecords, type RecordFigures } from './workloads/records.js';
import { rowLabel, unsupported, type Row } from './workloads/rows.js';

/**
 * rx-dtls benchmarks side by side with OpenSSL's command-line peers, node-dtls-client and
 * werift-dtls, on loopback UDP. `npm run bench`; knobs in bench/config.ts. Prints Markdown
 * tables; asserts nothing. Every server runs in a process of its own.
 */
const rxNoble = rxClient(nobleProvider);
const rxNode = rxClient(nodeCryptoProvider);
/** Connection IDs both ways (RFC 9146): every record carries 4 bytes of CID and its real type inside. */
const rxNodeCid = rxClient(nodeCryptoProvider, { length: 4 });
const sClient = opensslClient();
const [rxNobleServer, rxNodeServer] = [rxServer('noble'), rxServer('node')];
/**
 * DTLS 1.3 (PSK only so far) beside the 1.2 rows: servers accepting 1.2 and 1.3 with x25519,
 * clients offering 1.3 with an x25519 share (psk_dhe_ke) or only a P-256 share the server
 * does not take, so that the server picks psk_ke (RFC 8446 §4.2.9; the client offers both modes).
 */
const [rxNobleServer13, rxNodeServer13] = [rxServer('noble', { groups: [X25519] }), rxServer('node', { groups: [X25519] })];
const dheClient13 = (provider: CryptoProvider, cipherSuite = TLS13_PSK_SUITES[0]) =>
  rxClient13(provider, { cipherSuite, groups: [X25519], keyExchange: 'psk_dhe_ke x25519' });
const pskKeClient13 = (provider: CryptoProvider) => rxClient13(provider, { cipherSuite: TLS13_PSK_SUITES[0], groups: [P256], keyExchange: 'psk_ke' });

const HANDSHAKE_ROWS: readonly Row[] = [
  { client: rxNoble, server: rxNobleServer },
  { client: rxNode, server: rxNodeServer },
  { client: rxNoble, server: opensslServer },
  { client: rxNode, server: opensslServer },
  { client: sClient, server: rxNobleServer },
  { client: sClient, server: rxNodeServer },
  { client: sClient, server: opensslServer },
  { client: nodeDtlsClient, server: rxNodeServer },
  { client: nodeDtlsClient, server: opensslServer },
  { client: weriftClient, server: rxNodeServer },
  {
    client: weriftClient,
    server: opensslServer,
    // werift never sends close_notify; the one the bench sends through werift's record layer
    // is not taken by s_server, which then serves the first client for ever.
    cannot: 's_server never frees itself of a werift session (no close_notify from werift)',
  },
  { client: rxNode, server: weriftServer },
  { client: sClient, server: weriftServer },
  { client: weriftClient, server: weriftServer },
  { client: dheClient13(nobleProvider), server: rxNobleServer13 },
  { client: dheClient13(nodeCryptoProvider), server: rxNodeServer13 },
  { client: pskKeClient13(nobleProvider), server: rxNobleServer13 },
  { client: pskKeClient13(nodeCryptoProvider), server: rxNodeServer13 },
];

const RECORD_ROWS: readonly Row[] = [
  { client: rxNoble, server: rxNobleServer },
  { client: rxNode, server: rxNodeServer },
  { client: rxNodeCid, server: rxNodeServer },
  { client: rxNode, server: opensslServer },
  { client: sClient, server: rxNodeServer },
  { client: sClient, server: opensslServer },
  { client: nodeDtlsClient, server: rxNodeServer },
  { client: nodeDtlsClient, server: opensslServer },
  { client: weriftClient, server: rxNodeServer },
  { client: weriftClient, server: opensslServer },
  { client: rxNode, server: weriftServer },
  { client: weriftClient, server: weriftServer },
  // The ceiling for any Node stack: the same echo over bare datagrams.
  { client: plainUdpClient, server: plainUdpServer },
  // DTLS 1.3, one row per suite (the record layer does not depend on the key exchange).
  ...TLS13_PSK_SUITES.map((suite) => ({ client: dheClient13(nodeCryptoProvider, suite), server: rxNodeServer13 })),
  { client: dheClient13(nobleProvider, 'TLS_AES_128_CCM_8_SHA256'), server: rxNobleServer13 },
];

const results: Record<string, unknown> = {};
const started = performance.now();
const opensslVersion = opensslPresent ? spawnSync('openssl', ['version'], { encoding: 'utf8' }).stdout.trim() : 'absent';
console.log('# rx-dtls benchmarks\n');
console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${opensslVersion}`);
console.log(`${config.runs} runs per figure (median (min–max)), handshake runs ${config.handshakeSeconds} s, record runs ${config.recordSeconds} s, warm-up ${config.warmupSeconds} s`);
console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
if (!opensslPresent) console.log('openssl not found: its rows are marked n/a');

const pool = new ServerPool();
const opensslPair = buildOpensslPair();
const wantsOpensslPair = wantsRow(OPENSSL_PAIR_LABEL);
const mb = (bytes: number | undefined): string => (bytes === undefined || Number.isNaN(bytes) ? '—' : (bytes / 2 ** 20).toFixed(0));
const ms = (value: number | undefined): string => (value === undefined || Number.isNaN(value) ? '—' : value.toFixed(2));
const failed = (error: unknown): string => `failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 80);

try {
  if (config.sections.includes('handshakes')) await handshakes();
  if (config.sections.includes('records')) await records();
} finally {
  await pool.stopAll();
}
if (config.sections.includes('memory')) await memory();
console.log(`\nload average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
if (config.json) writeFileSync(config.json, JSON.stringify(results, null, 2));

async function handshakes(): Promise<void> {
  for (const suite of SUITES) {
    const rows: string[][] = [];
    for (const row of HANDSHAKE_ROWS.filter((r) => wantsRow(rowLabel(r)))) {
      const why = unsupported(row, suite);
      if (why !== undefined) {
        rows.push([rowLabel(row), why, '', '', '', '', '']);
        continue;
      }
      const cells: (HandshakeFigures | string)[] = [];
      for (const concurrency of [1, config.concurrency]) {
        cells.push(await measureHandshakes(row, suite, concurrency, pool).catch(failed));
      }
      results[`handshakes/${suite.id}/${rowLabel(row)}`] = cells;
      const [seq, conc] = cells;
      rows.push(handshakeRow(rowLabel(row), seq, conc));
    }
    if (wantsOpensslPair) {
      if (opensslPair.binary === undefined) rows.push([OPENSSL_PAIR_LABEL, `n/a: ${opensslPair.why}`, '', '', '', '', '']);
      else {
        const cells = [1, config.concurrency].map((clients) => opensslPairHandshakes(opensslPair.binary!, suite, clients));
        results[`handshakes/${suite.id}/${OPENSSL_PAIR_LABEL}`] = cells;
        rows.push(handshakeRow(OPENSSL_PAIR_LABEL, cells[0], cells[1]));
      }
    }
    printTable(
      `Full handshakes per second, with cookie exchange — ${suite.label} (${suite.iana})`,
      ['client → server', 'sequential', `${config.concurrency} concurrent`, 'server CPU ms/hs (seq / conc)', 'client CPU ms/hs (seq / conc)', 'server peak RSS MB', 'client peak RSS MB'],
      rows,
    );
  }
}

function handshakeRow(label: string, seq: HandshakeFigures | string, conc: HandshakeFigures | string): string[] {
  const rate = (c: HandshakeFigures | string): string => (typeof c === 'string' ? c : formatSpread(c.perSecond) + (c.errors ? ` ⚠${c.errors} failed` : ''));
  const s = typeof seq === 'string' ? undefined : seq;
  const c = typeof conc === 'string' ? undefined : conc;
  return [
    label,
    rate(seq),
    rate(conc),
    `${ms(s?.serverCpuMs)} / ${ms(c?.serverCpuMs)}`,
    `${ms(s?.clientCpuMs)} / ${ms(c?.clientCpuMs)}`,
    mb(Math.max(s?.serverPeakRss ?? 0, c?.serverPeakRss ?? 0) || undefined),
    mb(Math.max(s?.clientPeakRss ?? 0, c?.clientPeakRss ?? 0) || undefined),
  ];
}

function recordCell(f: RecordFigures): string {
  return `${formatSpread(f.recordsPerSecond)} · ${f.megabytesPerSecond.median.toFixed(2)} MB/s${f.losses ? ` ⚠${f.losses} stalls` : ''}`;
}

async function records(): Promise<void> {
  const modes = [
    [64, 1],
    [64, config.concurrency],
    [1024, 1],
    [1024, config.concurrency],
  ] as const;
  for (const suite of SUITES) {
    const rows: string[][] = [];
    for (const row of RECORD_ROWS.filter((r) => wantsRow(rowLabel(r)))) {
      const why = unsupported(row, suite);
      if (why !== undefined) {
        rows.push([rowLabel(row), why, '', '', '']);
        continue;
      }
      const cells: string[] = [];
      for (const size of [64, 1024]) {
        try {
          const figures = await measureRecords(row, suite, size, [1, config.concurrency], pool);
          for (const inFlight of [1, config.concurrency]) {
            const f = figures.get(inFlight)!;
            results[`records/${suite.id}/${size}/${inFlight}/${rowLabel(row)}`] = f;
            cells.push(recordCell(f));
          }
        } catch (error) {
          cells.push(failed(error), failed(error));
        }
      }
      rows.push([rowLabel(row), ...cells]);
    }
    if (wantsOpensslPair) {
      if (opensslPair.binary === undefined) rows.push([OPENSSL_PAIR_LABEL, `n/a: ${opensslPair.why}`, '', '', '']);
      else {
        const cells = modes.map(([size, inFlight]) => {
          const f = opensslPairRecords(opensslPair.binary!, suite, size, inFlight);
          results[`records/${suite.id}/${size}/${inFlight}/${OPENSSL_PAIR_LABEL}`] = f;
          return recordCell(f);
        });
        rows.push([OPENSSL_PAIR_LABEL, ...cells]);
      }
    }
    printTable(
      `Echoed records per second · payload MB/s one way — ${suite.label}`,
      ['client → server', ...modes.map(([size, inFlight]) => `${size} B, ${inFlight} in flight`)],
      rows,
    );
  }
}

async function memory(): Promise<void> {
  // The same count for both: compiled code and other fixed costs spread over fewer sessions read as more bytes each.
  const runs = [
    { provider: 'node', sessions: config.sessions },
    { provider: 'noble', sessions: config.sessions },
  ];
  // Heap figures do not depend on timing, so the two children run side by side.
  const outputs = await Promise.all(runs.map((r) => idleSessions(r.provider, 'psk', r.sessions).catch(failed)));
  const rows = outputs.map((out, i) => {
    if (typeof out === 'string') return [runs[i].provider, out, '', '', '', '', ''];
    const o = out as { provider: string; sessions: number; stillServing: number; handshakeSeconds: number; server: { heap: number; arrayBuffers: number }; client: { heap: number; arrayBuffers: number } };
    results[`memory/${o.provider}`] = o;
    return [
      o.provider,
      `${o.sessions} (${o.stillServing} left on the server)`,
      o.server.heap.toFixed(0),
      o.server.arrayBuffers.toFixed(0),
      o.client.heap.toFixed(0),
      o.client.arrayBuffers.toFixed(0),
      (o.sessions / o.handshakeSeconds).toFixed(0),
    ];
  });
  printTable(
    'Memory per established idle session — PSK AES-128-CCM-8, in-process over an in-memory network',
    ['provider', 'sessions', 'server heap B/session', 'server ArrayBuffer B/session', 'client heap B/session', 'client ArrayBuffer B/session', 'handshakes/s (pairs, one process)'],
    rows,
  );
}

function idleSessions(provider: string, suite: string, sessions: number): Promise<unknown> {
  const script = fileURLToPath(new URL('./memory/idle-sessions.ts', import.meta.url));
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script, provider, suite, String(sessions)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`idle-sessions exited ${code}`)))),
  );
}
