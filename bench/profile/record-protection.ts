import { cipherSuiteByName, type CipherSuite } from '../../lib/crypto/cipher-suites.js';
import { nobleProvider, type CryptoProvider } from '../../lib/crypto/provider.js';
import { nodeCryptoProvider } from '../../lib/node-crypto/node-crypto-provider.js';
import { tls13CipherSuiteByName } from '../../lib/crypto/tls13-cipher-suites.js';
import { ReadEpochs } from '../../lib/record/read-epochs.js';
import { ReadEpochs13 } from '../../lib/record/read-epochs13.js';
import { splitRecords13, type RawRecord13 } from '../../lib/record/split-records13.js';
import { WriteEpochs13 } from '../../lib/record/write-epochs13.js';
import { aeadCipher } from '../../lib/record/record-cipher.js';
import { splitRecords, type RawRecord } from '../../lib/record/split-records.js';
import { WriteEpochs } from '../../lib/record/write-epochs.js';
import { ContentType, DTLS_1_2 } from '../../lib/wire/constants.js';
import { spread } from '../stats.js';

/**
 * CPU per record of record protection alone, no sockets, no RxJS: WriteEpochs.seal and
 * ReadEpochs.open (replay window included) of application-data records, one established
 * epoch per suite and provider; for DTLS 1.3 the same with WriteEpochs13.seal and
 * ReadEpochs13.open (record number encryption, sequence number reconstruction and the
 * DTLSInnerPlaintext included), the 1.3 suite of each AEAD on the row under the 1.2 one.
 * Each figure is the median over `runs` runs of process.cpuUsage() (so GC threads count)
 * divided by the records in the run; records/s is 10^6 / (seal + open), one core.
 *   npx tsx bench/profile/record-protection.ts [runs=7] [ms per run=100] [filter]
 * filter: a substring of "<suite> <version> <provider> <size>", e.g. "GCM 1.3 noble" or "CCM_8".
 */
const [runsArg = '7', msArg = '100', filter = ''] = process.argv.slice(2);
const runs = Number(runsArg);
const targetUs = Number(msArg) * 1000;

/** Each AEAD: its DTLS 1.2 PSK suite and its DTLS 1.3 suite. */
const SUITES: readonly [string, string, string][] = [
  ['CCM_8', 'TLS_PSK_WITH_AES_128_CCM_8', 'TLS_AES_128_CCM_8_SHA256'],
  ['CCM', 'TLS_PSK_WITH_AES_128_CCM', 'TLS_AES_128_CCM_SHA256'],
  ['GCM-128', 'TLS_PSK_WITH_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256'],
  ['GCM-256', 'TLS_PSK_WITH_AES_256_GCM_SHA384', 'TLS_AES_256_GCM_SHA384'],
  ['ChaCha20', 'TLS_PSK_WITH_CHACHA20_POLY1305_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'],
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

/** Sealing and opening one kind of record: DTLS 1.2's or 1.3's epochs behind the same three calls. */
interface Protection<R> {
  seal(payload: Uint8Array): Uint8Array;
  split(record: Uint8Array): R;
  open(raw: R): boolean;
}

function protection12(suite: CipherSuite, provider: CryptoProvider): Protection<RawRecord> {
  const { write, read } = epochPair(suite, provider);
  return {
    seal: (payload) => write.seal(1, ContentType.application_data, DTLS_1_2, payload),
    split: (record) => splitRecords(record).records[0],
    open: (raw) => read.open(raw) !== undefined,
  };
}

function protection13(name: string, provider: CryptoProvider): Protection<RawRecord13> {
  const suite = tls13CipherSuiteByName(name)!;
  const secret = Uint8Array.from({ length: suite.hash === 'sha256' ? 32 : 48 }, (_, i) => i * 7 + 1);
  const createAead = provider.createAead.bind(provider);
  const write = new WriteEpochs13({ createAead });
  write.install(3, suite, secret);
  const read = new ReadEpochs13({ createAead });
  read.install(3, suite, secret);
  return {
    seal: (payload) => write.seal(3, ContentType.application_data, payload),
    split: (record) => splitRecords13(record).records[0],
    open: (raw) => {
      const opened = read.open(raw);
      return opened !== undefined && opened !== 'future';
    },
  };
}

/**
 * Seals and opens `n` records in batches (so records die young, as they do in a session);
 * returns CPU µs per record for each half.
 */
function round<R>({ seal, split, open }: Protection<R>, payload: Uint8Array, n: number): { seal: number; open: number } {
  const sealed: Uint8Array[] = new Array(BATCH);
  let sealUs = 0;
  let openUs = 0;
  let opened = 0;
  for (let done = 0; done < n; done += BATCH) {
    const m = Math.min(BATCH, n - done);
    let t = cpuUs();
    for (let i = 0; i < m; i++) sealed[i] = seal(payload);
    sealUs += cpuUs() - t;
    const raw = sealed.slice(0, m).map(split);
    t = cpuUs();
    for (let i = 0; i < m; i++) if (open(raw[i])) opened++;
    openUs += cpuUs() - t;
  }
  if (opened !== n) throw new Error(`only ${opened} of ${n} records opened`);
  return { seal: sealUs / n, open: openUs / n };
}

const f = (n: number): string => n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2);
process.stdout.write(`CPU µs per record, median of ${runs} runs (min–max); records/s sealed and opened on one core\n`);
process.stdout.write(`${'suite'.padEnd(9)} ${'dtls'.padEnd(4)} ${'provider'.padEnd(12)} ${'size'.padStart(5)}  ${'seal'.padStart(18)}  ${'open'.padStart(18)}  ${'records/s'.padStart(9)}\n`);
for (const [label, name12, name13] of SUITES) {
  for (const provider of PROVIDERS) {
    for (const size of SIZES) {
      for (const version of ['1.2', '1.3'] as const) {
        if (!`${label} ${version} ${provider.name} ${size}`.includes(filter)) continue;
        const protection: Protection<unknown> =
          version === '1.2' ? (protection12(cipherSuiteByName(name12)!, provider) as Protection<unknown>) : (protection13(name13, provider) as Protection<unknown>);
        const payload = Uint8Array.from({ length: size }, (_, i) => i & 0xff);
        // warm-up, and a first estimate of the cost to size the runs
        round(protection, payload, 2000);
        const estimate = round(protection, payload, 2000);
        const n = Math.max(200, Math.round(targetUs / Math.max(0.05, estimate.seal + estimate.open)));
        const seals: number[] = [];
        const opens: number[] = [];
        for (let r = 0; r < runs; r++) {
          const { seal, open } = round(protection, payload, n);
          seals.push(seal);
          opens.push(open);
        }
        const s = spread(seals);
        const o = spread(opens);
        const cell = (x: typeof s): string => `${f(x.median)} (${f(x.min)}–${f(x.max)})`;
        const perSecond = Math.round(1e6 / (s.median + o.median));
        process.stdout.write(
          `${label.padEnd(9)} ${version.padEnd(4)} ${provider.name.padEnd(12)} ${String(size).padStart(5)}  ${cell(s).padStart(18)}  ${cell(o).padStart(18)}  ${String(perSecond).padStart(9)}\n`,
        );
      }
    }
  }
}
