import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { pack } from '../../lib/operators/pack.js';
import { splitRecords } from '../../lib/record/split-records.js';
import { ContentType } from '../../lib/wire/constants.js';
import { plainRecord } from './helpers/records.js';

const record = (n: number, size: number) => plainRecord(ContentType.handshake, new Uint8Array(size).fill(n), { sequenceNumber: n });

function run(batch: Uint8Array[], max: number): Uint8Array[] {
  const input = new Subject<Uint8Array[]>();
  let out: Uint8Array[] = [];
  input.pipe(pack(max)).subscribe((d) => (out = d));
  input.next(batch);
  return out;
}

describe('pack', () => {
  it('puts as many whole records in a datagram as fit, in order', () => {
    const batch = [record(0, 30), record(1, 30), record(2, 30), record(3, 30)]; // 43 bytes each
    const datagrams = run(batch, 100);
    expect(datagrams.map((d) => d.length)).toEqual([86, 86]);
    const sequence = datagrams.flatMap((d) => splitRecords(d).records.map((r) => r.header.sequenceNumber));
    expect(sequence).toEqual([0, 1, 2, 3]);
  });

  it('never splits a record: one larger than the limit travels alone', () => {
    const datagrams = run([record(0, 10), record(1, 200), record(2, 10)], 100);
    expect(datagrams.map((d) => splitRecords(d).records.length)).toEqual([1, 1, 1]);
  });

  it('sends everything in one datagram when it fits', () => {
    expect(run([record(0, 10), record(1, 10), record(2, 10)], 1200)).toHaveLength(1);
  });
});
