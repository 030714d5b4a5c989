import { cipherSuiteByName, type CipherSuite } from '../../lib/crypto/cipher-suites.js';
import { nobleProvider, type CryptoProvider } from '../../lib/crypto/provider.js';
import { nodeCryptoProvider } from '../../lib/node-crypto/node-crypto-provider.js';
import { ReadEpochs } from '../../lib/record/read-epochs.js';
import { aeadCipher } from '../../lib/record/record-cipher.js';
import { splitRecords, type RawRecord } from '../../lib/record/split-records.js';
import { WriteEpochs } from '../../lib/record/write-epochs.js';
import { ContentType, DTLS_1_2 } from '../../lib/wire/constants.js';
import { spread } from '../stats.js';

/**
 * CPU per record of record protection alone, no sockets, no RxJS: WriteEpochs.seal and
 * ReadEpochs.open (replay window included) of application-data records, one established
 * epoch per suite and provider. Each figure is the median over `runs` runs of
 * process.cpuUsage() (so GC threads count) divided by the records in the run.
 *   npx tsx bench/profile/record-protection.ts [runs=7] [ms per run=100] [filter]
 * filter: a substring of "<suite> <provider> <size>", e.g. "GCM noble" or "CCM_8".
 */
const [runsArg = '7', msArg = '100', filter = ''] = process.argv.slice(2);
const runs = Number(runsArg);
const targetUs = Number(msArg) * 1000;

const SUITES: readonly [string, string][] = [
  ['CCM_8', 'TLS_PSK_WITH_AES_128_CCM_8'],
  ['CCM', 'TLS_PSK_WITH_AES_128_CCM'],
  ['GCM-128', 'TLS_PSK_WITH_AES_128_GCM_SHA256'],
  ['GCM-256', 'TLS_PSK_WITH_AES_256_GCM_SHA384'],
  ['ChaCha20', 'TLS_PSK_WITH_CHACHA20_POLY1305_SHA256'],
];
const PROVIDERS: readonly CryptoProvider[] = [nobleProvider, nodeCryptoProvider];
const SIZES = [64, 1024];

const cpuUs = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

function epochPair(suite: CipherSuite, provider: CryptoProvider): { write: WriteEpochs; read: ReadEpochs } {
  const key = Uint8Array.from({ length: suite.keyLength }, (_, i) => i * 7 + 1);
  const iv = Uint8Array.from({ length: suite.fixedIvLength }, (_, i) => 0xa0 + i);
  const create = provider.createAead.bind(provider);
  const write = new WriteEpochs();
  write.install(aeadCipher(1, suite, key, iv, create), suite);
  const read = new ReadEpochs();
  read.install(aeadCipher(1, suite, key, iv, create));
  read.expectNoNextEpoch();
  return { write, read };
}

const BATCH = 256;

/**
 * Seals and opens `n` records in batches (so records die young, as they do in a session);
 * returns CPU µs per record for each half.
 */
function round(write: WriteEpochs, read: ReadEpochs, payload: Uint8Array, n: number): { seal: number; open: number } {
  const sealed: Uint8Array[] = new Array(BATCH);
  let sealUs = 0;
  let openUs = 0;
  let opened = 0;
  for (let done = 0; done < n; done += BATCH) {
    const m = Math.min(BATCH, n - done);
    let t = cpuUs();
    for (let i = 0; i < m; i++) sealed[i] = write.seal(1, ContentType.application_data, DTLS_1_2, payload);
    sealUs += cpuUs() - t;
    const raw: RawRecord[] = sealed.slice(0, m).map((r) => splitRecords(r).records[0]);
    t = cpuUs();
    for (let i = 0; i < m; i++) if (read.open(raw[i]) !== undefined) opened++;
    openUs += cpuUs() - t;
  }
  if (opened !== n) throw new Error(`only ${opened} of ${n} records opened`);
  return { seal: sealUs / n, open: openUs / n };
}

const f = (n: number): string => n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2);
process.stdout.write(`CPU µs per record, median of ${runs} runs (min–max)\n`);
process.stdout.write(`${'suite'.padEnd(9)} ${'provider'.padEnd(12)} ${'size'.padStart(5)}  ${'seal'.padStart(18)}  ${'open'.padStart(18)}\n`);
for (const [label, name] of SUITES) {
  const suite = cipherSuiteByName(name)!;
  for (const provider of PROVIDERS) {
    for (const size of SIZES) {
      if (!`${label} ${provider.name} ${size}`.includes(filter)) continue;
      const { write, read } = epochPair(suite, provider);
      const payload = Uint8Array.from({ length: size }, (_, i) => i & 0xff);
      // warm-up, and a first estimate of the cost to size the runs
      round(write, read, payload, 2000);
      const estimate = round(write, read, payload, 2000);
      const n = Math.max(200, Math.round(targetUs / Math.max(0.05, estimate.seal + estimate.open)));
      const seals: number[] = [];
      const opens: number[] = [];
      for (let r = 0; r < runs; r++) {
        const { seal, open } = round(write, read, payload, n);
        seals.push(seal);
        opens.push(open);
      }
      const s = spread(seals);
      const o = spread(opens);
      const cell = (x: typeof s): string => `${f(x.median)} (${f(x.min)}–${f(x.max)})`;
      process.stdout.write(
        `${label.padEnd(9)} ${provider.name.padEnd(12)} ${String(size).padStart(5)}  ${cell(s).padStart(18)}  ${cell(o).padStart(18)}\n`,
      );
    }
  }
}
