import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { TLS13_CIPHER_SUITES, tls13CipherSuiteByName, type Tls13CipherSuite } from '../../../lib/crypto/tls13-cipher-suites.js';
import { openDatagram13 } from '../../../lib/record/open-datagram13.js';
import type { PlainRecord } from '../../../lib/record/read-epochs.js';
import { ReadEpochs13 } from '../../../lib/record/read-epochs13.js';
import { sealDatagrams13 } from '../../../lib/record/seal-records13.js';
import { splitRecords13 } from '../../../lib/record/split-records13.js';
import { WriteEpochs13 } from '../../../lib/record/write-epochs13.js';
import { ContentType } from '../../../lib/wire/constants.js';
import { mutate } from '../../wire/helpers/mutate.js';
import { Prng } from '../../wire/helpers/prng.js';

/**
 * Fuzzing of the DTLS 1.3 record opener (splitRecords13, ReadEpochs13, openDatagram13):
 * sessions whose read epochs hold real keys, genuine datagrams of those sessions (sealed here
 * for every suite, 8 and 16-bit sequence numbers, with and without a CID, plus wolfSSL's
 * captured records), and inputs made from them: random bytes, byte-level mutations, header
 * surgery on the unified header (each flag, the epoch bits, the masked sequence number, the
 * length), truncated and swapped records, replays, records of other sessions.
 *
 * The contract checked on every input: openDatagram13 never throws; it answers a drop count
 * that is a non-negative integer and, with the records it delivered, accounts for a non-empty
 * datagram; a delivered protected record is one that was really sealed in that session (no
 * forgery gets through), delivered at most once per reader (no replay gets through); an
 * epoch-0 record is an alert, handshake or ACK whose payload lies inside the datagram.
 */
interface Session {
  readonly name: string;
  readonly datagrams: readonly Uint8Array[];
  /** epoch:sequence:type:payload of every protected record really sealed. */
  readonly genuine: ReadonlySet<string>;
  readonly reader: () => ReadEpochs13;
  readonly cidLength: number;
}

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/record13');
const keyOf = (r: PlainRecord): string => `${r.epoch}:${r.sequenceNumber}:${r.contentType}:${bytesToHex(r.payload)}`;
const PLAINTEXT_TYPES = new Set([ContentType.alert, ContentType.handshake, 26]);

function secretFor(suite: Tls13CipherSuite, epoch: number, salt: number): Uint8Array {
  return new Uint8Array(suite.hash === 'sha256' ? 32 : 48).fill((epoch * 31 + salt) & 0xff);
}

/** A session of our own: a writer sealing a varied flight in epochs 0, 2, 3 and 4. */
function ownSession(suite: Tls13CipherSuite, sequenceLength: 1 | 2, cid: Uint8Array | undefined, p: Prng): Session {
  const salt = suite.id + sequenceLength * 7 + (cid?.length ?? 0);
  const write = new WriteEpochs13({ sequenceLength });
  for (const epoch of [2, 3, 4]) write.install(epoch, suite, secretFor(suite, epoch, salt), cid);
  const datagrams: Uint8Array[] = [];
  for (let i = 0; i < 40; i++) {
    const records = p.list(1, 4, () => ({
      epoch: p.pick([0, 2, 3, 3, 4]),
      contentType: p.pick([ContentType.handshake, ContentType.application_data, ContentType.alert, 26]),
      payload: p.blob(0, p.pick([3, 40, 300])),
    })).map((r) => (r.epoch === 0 && r.contentType === ContentType.application_data ? { ...r, contentType: ContentType.handshake } : r));
    datagrams.push(...sealDatagrams13(records, write, 1400));
  }
  const reader = () => {
    const read = new ReadEpochs13({ cidLength: cid?.length ?? 0 });
    for (const epoch of [2, 3, 4]) read.install(epoch, suite, secretFor(suite, epoch, salt), cid);
    return read;
  };
  const name = `${suite.name}/${sequenceLength * 8}-bit${cid ? '/cid' : ''}`;
  return { name, datagrams, genuine: genuineOf(datagrams, reader()), reader, cidLength: cid?.length ?? 0 };
}

/** A wolfSSL capture (spec/fixtures/record13), read from one side: the records the other side sealed. */
function wolfsslSession(name: string, suiteName: string, toServer: boolean, cid?: Uint8Array): Session {
  const suite = tls13CipherSuiteByName(suiteName)!;
  const lines = readFileSync(join(FIXTURES, `${name}.hex`), 'utf8').trim().split('\n');
  const datagrams = lines.filter((l) => l.startsWith(toServer ? 'c>s' : 's>c')).map((l) => hexToBytes(l.slice(4)));
  const secrets = new Map(
    readFileSync(join(FIXTURES, `${name}.keylog`), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .map(([label, , secret]) => [label, hexToBytes(secret)] as const),
  );
  const sender = toServer ? 'CLIENT' : 'SERVER';
  const reader = () => {
    const read = new ReadEpochs13({ cidLength: cid?.length ?? 0 });
    read.install(2, suite, secrets.get(`${sender}_HANDSHAKE_TRAFFIC_SECRET`)!, cid);
    read.install(3, suite, secrets.get(`${sender}_TRAFFIC_SECRET_0`)!, cid);
    return read;
  };
  return { name: `${name} ${toServer ? 'c>s' : 's>c'}`, datagrams, genuine: genuineOf(datagrams, reader()), reader, cidLength: cid?.length ?? 0 };
}

function genuineOf(datagrams: readonly Uint8Array[], read: ReadEpochs13): Set<string> {
  const genuine = new Set<string>();
  for (const d of datagrams) openDatagram13(d, read, (r) => (r.epoch > 0 && genuine.add(keyOf(r)), true));
  return genuine;
}

export function record13Sessions(seed: number): Session[] {
  const p = new Prng(seed);
  const own = TLS13_CIPHER_SUITES.flatMap((suite) => [ownSession(suite, 2, undefined, p), ownSession(suite, 1, Uint8Array.of(0xc0, 0x1d), p)]);
  const wolf = ['aes128gcm', 'aes256gcm', 'chacha20', 'aes128ccm', 'aes128ccm8'].flatMap((s, i) =>
    [true, false].map((toServer) => wolfsslSession(`wolfssl-${s}`, TLS13_CIPHER_SUITES[i].name, toServer)),
  );
  const ab = new TextEncoder().encode('AB');
  const cd = new TextEncoder().encode('CD');
  wolf.push(wolfsslSession('wolfssl-aes128gcm-cid-keyupdate', 'TLS_AES_128_GCM_SHA256', true, cd));
  wolf.push(wolfsslSession('wolfssl-aes128gcm-cid-keyupdate', 'TLS_AES_128_GCM_SHA256', false, ab));
  return [...own, ...wolf];
}

/** One input for a session: random, mutated, surgically changed, or genuine records recombined. */
function fuzzInput(p: Prng, session: Session, others: readonly Session[]): Uint8Array {
  const genuine = (): Uint8Array => p.pick(session.datagrams);
  switch (p.int(8)) {
    case 0: {
      const bytes = p.blob(0, p.pick([4, 30, 300]));
      if (bytes.length > 0) bytes[0] = p.pick([0x20 | p.int(32), ContentType.handshake, ContentType.alert, 26, p.int(256)]);
      return bytes;
    }
    case 1:
    case 2:
      return mutate(p, genuine());
    case 3:
    case 4:
      return headerSurgery(p, genuine(), session);
    case 5: {
      // Records of several datagrams, this session's or another's, shuffled and concatenated.
      const pool = [genuine(), genuine(), p.pick(p.pick(others).datagrams)].flatMap((d) => recordsOf(d));
      const picked = p.list(1, 4, () => p.pick(pool));
      return concatBytes(...picked);
    }
    case 6:
      return concatBytes(genuine(), p.blob(0, 20));
    default:
      return genuine(); // a replay once the reader saw it
  }
}

/** The byte ranges of a datagram's records (readable ones), split without keys. */
export function recordsOf(datagram: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const r of splitRecords13(datagram, 2).records) {
    if (r.kind === 'ciphertext') out.push(datagram.subarray(r.header.byteOffset - datagram.byteOffset, r.encrypted.byteOffset - datagram.byteOffset + r.encrypted.length));
    else out.push(datagram.subarray(r.fragment.byteOffset - datagram.byteOffset - 13, r.fragment.byteOffset - datagram.byteOffset + r.fragment.length));
  }
  return out;
}

/** Changes one thing in one unified header of a genuine datagram: a flag, the epoch bits, a sequence byte, the length, the CID. */
export function headerSurgery(p: Prng, datagram: Uint8Array, session: Pick<Session, 'cidLength'>): Uint8Array {
  const out = datagram.slice();
  const headers = splitRecords13(out, session.cidLength).records.filter((r) => r.kind === 'ciphertext');
  if (headers.length === 0) return mutate(p, out);
  const h = p.pick(headers);
  const at = h.header.byteOffset - out.byteOffset;
  const headerLength = h.header.length;
  switch (p.int(6)) {
    case 0:
      out[at] ^= p.pick([0x10, 0x08, 0x04]); // C, S or L
      break;
    case 1:
      out[at] = (out[at] & ~0x03) | p.int(4); // another epoch's bits
      break;
    case 2:
      out[at + headerLength - (out[at] & 0x04 ? 3 : 1)] ^= 1 << p.int(8); // the (low) masked sequence byte
      break;
    case 3:
      if (out[at] & 0x04) {
        const n = p.pick([0, 1, 15, 16, 0xffff, h.encrypted.length - 1, h.encrypted.length + 1]);
        out[at + headerLength - 2] = n >> 8;
        out[at + headerLength - 1] = n & 0xff;
      }
      break;
    case 4:
      if (h.cid !== undefined) out[at + 1] ^= 0x01;
      break;
    default:
      return out.subarray(0, at + headerLength + p.int(h.encrypted.length)); // truncated inside the record
  }
  return out;
}

export interface Record13FuzzResult {
  readonly inputs: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly problems: string[];
}

/** `count` seeded inputs over the sessions, each reader renewed every 300 inputs so that replays of genuine records reach it fresh too. */
export function fuzzRecordOpener13(sessions: readonly Session[], seed: number, count: number): Record13FuzzResult {
  const p = new Prng(seed);
  const problems: string[] = [];
  let delivered = 0;
  let dropped = 0;
  const readers = new Map<Session, { read: ReadEpochs13; seen: Set<string> }>();
  for (let i = 0; i < count; i++) {
    const session = sessions[i % sessions.length];
    if (i % (300 * sessions.length) < sessions.length) readers.set(session, { read: session.reader(), seen: new Set() });
    const { read, seen } = readers.get(session)!;
    const input = fuzzInput(p, session, sessions);
    // Foreign bytes around the input: a view outside it would show.
    const host = new Uint8Array(input.length + 32).fill(0xa5);
    host.set(input, 16);
    const datagram = host.subarray(16, 16 + input.length);
    let count13 = 0;
    let problem: string | undefined;
    try {
      const d = openDatagram13(datagram, read, (r) => {
        count13++;
        if (r.epoch === 0) {
          const inside = r.payload.buffer === datagram.buffer && r.payload.byteOffset >= datagram.byteOffset && r.payload.byteOffset + r.payload.length <= datagram.byteOffset + datagram.length;
          if (!PLAINTEXT_TYPES.has(r.contentType) || !inside) problem ??= `epoch-0 record of type ${r.contentType} or outside the datagram`;
        } else {
          const key = keyOf(r);
          if (!session.genuine.has(key)) problem ??= `delivered a record never sealed: ${key.slice(0, 80)}`;
          const number = `${r.epoch}:${r.sequenceNumber}`;
          if (seen.has(number)) problem ??= `delivered ${number} twice`;
          seen.add(number);
        }
        return true;
      });
      if (!Number.isInteger(d) || d < 0) problem ??= `drop count ${d}`;
      else if (datagram.length > 0 && d + count13 === 0) problem ??= 'a non-empty datagram neither delivered nor dropped anything';
      dropped += d;
    } catch (error) {
      problem = `threw ${error instanceof Error ? error.message : String(error)}`;
    }
    delivered += count13;
    if (problem !== undefined && problems.length < 20) problems.push(`${session.name}: ${problem} (input ${bytesToHex(datagram).slice(0, 120)})`);
  }
  return { inputs: count, delivered, dropped, problems };
}
