import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { HandshakeBudget } from '../../lib/handshake/handshake-budget.js';
import { decrypt } from '../../lib/operators/decrypt.js';
import { ReadEpochs, type PlainRecord } from '../../lib/record/read-epochs.js';
import type { RawRecord } from '../../lib/record/split-records.js';
import { ContentType, DTLS_1_2 } from '../../lib/wire/constants.js';
import { epochCipher, records } from './helpers/epochs.js';
import { plainRecord } from './helpers/records.js';

const sealer = epochCipher(1);
/** An epoch-1 application data record carrying `n`, with sequence number `seq`. */
const protectedRecord = (seq: number, n = seq): RawRecord => records(sealer.protect(ContentType.application_data, DTLS_1_2, seq, Uint8Array.of(n)))[0];
const clearRecord = (seq: number): RawRecord => records(plainRecord(ContentType.handshake, Uint8Array.of(seq), { sequenceNumber: seq }))[0];

function setup(maxHeldRecords = 32, budget?: HandshakeBudget) {
  const epochs = new ReadEpochs(64);
  const keysInstalled = new Subject<void>();
  const input = new Subject<RawRecord>();
  const out: PlainRecord[] = [];
  const dropped: RawRecord[] = [];
  const subscription = input
    .pipe(decrypt({ epochs, keysInstalled$: keysInstalled, maxHeldRecords, budget, onDropped: (r) => dropped.push(r) }))
    .subscribe((r) => out.push(r));
  const install = () => {
    epochs.install(epochCipher(1));
    keysInstalled.next();
  };
  return { input, out, dropped, install, subscription };
}

const payloads = (out: PlainRecord[]) => out.map((r) => r.payload[0]);

describe('decrypt', () => {
  it('passes epoch-0 records through as plaintext', () => {
    const s = setup();
    s.input.next(clearRecord(3));
    expect(s.out).toEqual([{ contentType: ContentType.handshake, epoch: 0, sequenceNumber: 3, payload: Uint8Array.of(3) }]);
  });

  it('opens records of an epoch whose keys are installed', () => {
    const s = setup();
    s.install();
    s.input.next(protectedRecord(0, 42));
    expect(s.out).toEqual([{ contentType: ContentType.application_data, epoch: 1, sequenceNumber: 0, payload: Uint8Array.of(42), newest: true }]);
  });

  it('holds records of the next epoch until its keys are installed, then releases them in arrival order', () => {
    const s = setup();
    s.input.next(protectedRecord(2));
    s.input.next(protectedRecord(0));
    s.input.next(clearRecord(7));
    expect(payloads(s.out)).toEqual([7]);
    s.install();
    expect(payloads(s.out)).toEqual([7, 2, 0]);
    expect(s.dropped).toEqual([]);
  });

  it('holds copies of next-epoch records charged to the handshake budget, drops what it has no room for, and gives the bytes back', () => {
    const size = protectedRecord(0).fragment.length;
    const budget = new HandshakeBudget(2 * size + 1);
    const s = setup(32, budget);
    const datagram = new Uint8Array(1_000);
    const inDatagram = (record: RawRecord): RawRecord => {
      datagram.set(record.fragment, 100);
      return { header: record.header, fragment: datagram.subarray(100, 100 + record.fragment.length) };
    };
    [0, 1, 2].forEach((seq) => s.input.next(inDatagram(protectedRecord(seq))));
    expect(budget.held).toBe(2 * size);
    expect(s.dropped.map((r) => r.header.sequenceNumber)).toEqual([2]);
    s.install();
    expect(payloads(s.out)).toEqual([0, 1]); // copies: the datagram was overwritten since
    expect(budget.held).toBe(0);
  });

  it('holds at most maxHeldRecords and drops the rest, reporting each', () => {
    const s = setup(3);
    for (let seq = 0; seq < 5; seq++) s.input.next(protectedRecord(seq));
    expect(s.dropped.map((r) => r.header.sequenceNumber)).toEqual([3, 4]);
    s.install();
    expect(payloads(s.out)).toEqual([0, 1, 2]);
  });

  it('releases held records only once, even if keys are announced twice', () => {
    const s = setup();
    s.input.next(protectedRecord(0));
    s.install();
    s.install();
    expect(payloads(s.out)).toEqual([0]);
  });

  it('drops a record two epochs ahead instead of holding it', () => {
    const s = setup();
    const record = records(epochCipher(2).protect(ContentType.application_data, DTLS_1_2, 0, Uint8Array.of(1)))[0];
    s.input.next(record);
    expect(s.dropped).toEqual([record]);
    s.install();
    expect(s.out).toEqual([]);
  });

  it('drops a replayed record (RFC 6347 §4.1.2.6) and one that does not authenticate (§4.1.2.7)', () => {
    const s = setup();
    s.install();
    s.input.next(protectedRecord(5));
    s.input.next(protectedRecord(5));
    const forged = protectedRecord(6);
    const bytes = forged.fragment.slice();
    bytes[bytes.length - 1] ^= 1;
    s.input.next({ header: forged.header, fragment: bytes });
    expect(payloads(s.out)).toEqual([5]);
    expect(s.dropped).toHaveLength(2);
  });

  it('drops a held record that turns out not to authenticate once keys arrive', () => {
    const s = setup();
    const good = protectedRecord(1);
    const bad = { header: good.header, fragment: good.fragment.map((b, i) => (i === 3 ? b ^ 0xff : b)) };
    s.input.next(bad);
    s.install();
    expect(s.out).toEqual([]);
    expect(s.dropped).toHaveLength(1);
  });

  it('forgets held records when unsubscribed', () => {
    const s = setup();
    s.input.next(protectedRecord(0));
    s.subscription.unsubscribe();
    s.install();
    expect(s.out).toEqual([]);
  });
});
