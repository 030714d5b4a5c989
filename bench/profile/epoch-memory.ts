import { cipherSuiteByName } from '../../lib/crypto/cipher-suites.js';
import { nobleProvider, type CryptoProvider } from '../../lib/crypto/provider.js';
import { nodeCryptoProvider } from '../../lib/node-crypto/node-crypto-provider.js';
import { ReadEpochs } from '../../lib/record/read-epochs.js';
import { aeadCipher } from '../../lib/record/record-cipher.js';
import { splitRecords } from '../../lib/record/split-records.js';
import { WriteEpochs } from '../../lib/record/write-epochs.js';
import { ContentType, DTLS_1_2 } from '../../lib/wire/constants.js';

/**
 * Memory one established session keeps for record protection: a ReadEpochs and a
 * WriteEpochs with epoch 0 and epoch 1 installed (read and write keys of their own),
 * each having sealed and opened one epoch-1 record, as Finished does. Retained bytes per
 * pair over `count` pairs, after full GCs:
 *   node --expose-gc --import tsx bench/profile/epoch-memory.ts [count=10000] [filter]
 * "heap" is V8 heapUsed, "buffers" ArrayBuffer backing stores outside the heap (typed
 * arrays over 64 bytes), "external" other native memory V8 was told about (KeyObjects).
 */
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const [countArg = '10000', filter = ''] = process.argv.slice(2);
const count = Number(countArg);

interface Usage {
  readonly heap: number;
  readonly buffers: number;
  readonly external: number;
}
function usage(): Usage {
  for (let i = 0; i < 4; i++) gc!();
  const { heapUsed, arrayBuffers, external } = process.memoryUsage();
  return { heap: heapUsed, buffers: arrayBuffers, external: external - arrayBuffers };
}

const SUITES: readonly [string, string][] = [
  ['CCM_8', 'TLS_PSK_WITH_AES_128_CCM_8'],
  ['GCM-128', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
  ['ChaCha20', 'TLS_PSK_WITH_CHACHA20_POLY1305_SHA256'],
];
const PROVIDERS: readonly CryptoProvider[] = [nobleProvider, nodeCryptoProvider];

function established(name: string, provider: CryptoProvider, seed: number): { read: ReadEpochs; write: WriteEpochs } {
  const suite = cipherSuiteByName(name)!;
  const bytes = (n: number, salt: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (seed * 31 + salt * 7 + i) & 0xff);
  const create = provider.createAead.bind(provider);
  const key = bytes(suite.keyLength, 1);
  const iv = bytes(suite.fixedIvLength, 2);
  const write = new WriteEpochs(seed & 0xff);
  const read = new ReadEpochs();
  write.install(aeadCipher(1, suite, key, iv, create), suite);
  // the peer's keys: here the same ones, so the record we seal is one we can open
  read.install(aeadCipher(1, suite, key, iv, create));
  read.expectNoNextEpoch();
  const record = write.seal(1, ContentType.handshake, DTLS_1_2, bytes(12, 3));
  if (read.open(splitRecords(record).records[0]) === undefined) throw new Error('record did not open');
  return { read, write };
}

process.stdout.write(`bytes retained per ReadEpochs + WriteEpochs pair (epochs 0 and 1), ${count} pairs\n`);
for (const [label, name] of SUITES) {
  for (const provider of PROVIDERS) {
    if (!`${label} ${provider.name}`.includes(filter)) continue;
    established(name, provider, 0); // load and compile everything before the baseline
    const before = usage();
    const kept: unknown[] = [];
    for (let i = 0; i < count; i++) kept.push(established(name, provider, i));
    const after = usage();
    const per = (k: keyof Usage): string => ((after[k] - before[k]) / count).toFixed(0).padStart(6);
    process.stdout.write(
      `${label.padEnd(9)} ${provider.name.padEnd(12)} heap ${per('heap')} B  buffers ${per('buffers')} B  external ${per('external')} B  (${kept.length})\n`,
    );
    kept.length = 0;
  }
}
