import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { firstRecord, splitRecords } from '../../lib/record/split-records.js';
import { DTLS_1_0, DTLS_1_2, MAX_CIPHERTEXT_LENGTH } from '../../lib/wire/constants.js';
import { encodeRecordHeader } from '../../lib/wire/record-header.js';
import { Prng } from '../wire/helpers/prng.js';

function record(fragment: Uint8Array, fields: { type?: number; version?: number; epoch?: number; seq?: number; length?: number } = {}): Uint8Array {
  const header = encodeRecordHeader({
    contentType: fields.type ?? 22,
    version: fields.version ?? DTLS_1_2,
    epoch: fields.epoch ?? 0,
    sequenceNumber: fields.seq ?? 0,
    length: fields.length ?? fragment.length,
  });
  return concatBytes(header, fragment);
}

const fill = (n: number, byte: number): Uint8Array => new Uint8Array(n).fill(byte);

describe('splitRecords', () => {
  it('returns nothing and counts nothing for an empty datagram', () => {
    expect(splitRecords(new Uint8Array(0))).toEqual({ records: [], malformed: 0 });
  });

  it('decodes a single record written by hand', () => {
    const datagram = hexToBytes('17fefd0001000000000005' + '0003' + 'aabbcc');
    const { records, malformed } = splitRecords(datagram);
    expect(malformed).toBe(0);
    expect(records).toHaveLength(1);
    expect(records[0].header).toEqual({ contentType: 23, version: DTLS_1_2, epoch: 1, sequenceNumber: 5, length: 3 });
    expect(bytesToHex(records[0].fragment)).toBe('aabbcc');
  });

  it('splits several records sharing a datagram, in order, with fragments as views into it', () => {
    const datagram = concatBytes(
      record(fill(5, 1), { type: 22, seq: 1 }),
      record(fill(300, 2), { type: 20, seq: 2 }),
      record(fill(7, 3), { type: 23, epoch: 1, seq: 0 }),
    );
    const { records, malformed } = splitRecords(datagram);
    expect(malformed).toBe(0);
    expect(records.map((r) => [r.header.contentType, r.header.epoch, r.header.sequenceNumber, r.fragment.length])).toEqual([
      [22, 0, 1, 5],
      [20, 0, 2, 300],
      [23, 1, 0, 7],
    ]);
    expect(records.map((r) => r.fragment[0])).toEqual([1, 2, 3]);
    expect(records[1].fragment.buffer).toBe(datagram.buffer);
    expect(records[1].fragment.byteOffset).toBe(13 + 5 + 13);
  });

  it('accepts zero-length records', () => {
    const datagram = concatBytes(record(new Uint8Array(0)), record(new Uint8Array(0), { seq: 1 }), record(fill(1, 9), { seq: 2 }));
    const { records, malformed } = splitRecords(datagram);
    expect(malformed).toBe(0);
    expect(records.map((r) => r.fragment.length)).toEqual([0, 0, 1]);
  });

  it('keeps the records before trailing garbage shorter than a header and counts the garbage once', () => {
    const datagram = concatBytes(record(fill(4, 1)), hexToBytes('16fefd00'));
    const { records, malformed } = splitRecords(datagram);
    expect(records).toHaveLength(1);
    expect(malformed).toBe(1);
  });

  it('stops at a record whose length runs past the end of the datagram', () => {
    const datagram = concatBytes(record(fill(4, 1)), record(fill(10, 2), { length: 11 }));
    const { records, malformed } = splitRecords(datagram);
    expect(records.map((r) => r.fragment[0])).toEqual([1]);
    expect(malformed).toBe(1);
    // a length far beyond the datagram ends the parse before the records after it
    const huge = splitRecords(concatBytes(record(fill(4, 1), { length: 0xffff }), record(fill(4, 2))));
    expect(huge.records).toEqual([]);
    expect(huge.malformed).toBe(1);
    // a last record truncated by one byte
    const truncated = splitRecords(concatBytes(record(fill(4, 1)), record(fill(10, 2)).subarray(0, 22)));
    expect(truncated.records).toHaveLength(1);
    expect(truncated.malformed).toBe(1);
  });

  it('drops and counts records that are not DTLS 1.0 or 1.2, and goes on with the next', () => {
    const datagram = concatBytes(
      record(fill(3, 1), { version: DTLS_1_0 }), // ClientHellos may say 1.0 in the record layer
      record(fill(3, 2), { version: 0x0303 }), // TLS 1.2
      record(fill(3, 3), { version: 0xfefc }), // DTLS 1.3 record version does not exist; reject
      record(fill(3, 4), { version: DTLS_1_2 }),
    );
    const { records, malformed } = splitRecords(datagram);
    expect(records.map((r) => [r.fragment[0], r.header.version])).toEqual([
      [1, DTLS_1_0],
      [4, DTLS_1_2],
    ]);
    expect(malformed).toBe(2);
  });

  it('drops and counts a record longer than 2^14 + 2048 but still finds the next one', () => {
    const tooLong = MAX_CIPHERTEXT_LENGTH + 1;
    const atLimit = MAX_CIPHERTEXT_LENGTH;
    const datagram = concatBytes(record(fill(tooLong, 1)), record(fill(atLimit, 2)), record(fill(1, 3)));
    const { records, malformed } = splitRecords(datagram);
    expect(records.map((r) => [r.fragment[0], r.fragment.length])).toEqual([
      [2, atLimit],
      [3, 1],
    ]);
    expect(malformed).toBe(1);
  });

  it('for every prefix of a 3-record datagram, returns exactly the whole records it contains and counts the partial one', () => {
    const parts = [record(fill(10, 1)), record(fill(0, 2), { seq: 1 }), record(fill(33, 3), { seq: 2 })];
    const datagram = concatBytes(...parts);
    const ends = [parts[0].length, parts[0].length + parts[1].length, datagram.length];
    for (let n = 0; n <= datagram.length; n++) {
      const { records, malformed } = splitRecords(datagram.subarray(0, n));
      const whole = ends.filter((e) => e <= n).length;
      const partial = n > (ends[whole - 1] ?? 0) ? 1 : 0;
      expect(records.length, `prefix ${n}`).toBe(whole);
      expect(malformed, `prefix ${n}`).toBe(partial);
      expect(records.map((r) => r.header.sequenceNumber)).toEqual([0, 1, 2].slice(0, whole));
    }
  });

  it('never throws and never returns a fragment outside the datagram, on seeded random mutations', () => {
    const random = new Prng(20240601);
    const base = concatBytes(
      record(fill(40, 1), { seq: 1 }),
      record(fill(3, 2), { version: DTLS_1_0, seq: 2 }),
      record(fill(100, 3), { epoch: 1, seq: 3 }),
    );
    for (let round = 0; round < 5000; round++) {
      let datagram = base.slice();
      const kind = random.int(4);
      if (kind === 0) {
        for (let i = 0, n = 1 + random.int(8); i < n; i++) datagram[random.int(datagram.length)] = random.int(256);
      } else if (kind === 1) {
        datagram = datagram.subarray(0, random.int(datagram.length + 1));
      } else if (kind === 2) {
        datagram = concatBytes(datagram, Uint8Array.from({ length: random.int(40) }, () => random.int(256)));
      } else {
        datagram = Uint8Array.from({ length: random.int(200) }, () => random.int(256));
      }
      const { records, malformed } = splitRecords(datagram);
      expect(malformed).toBeGreaterThanOrEqual(0);
      let covered = 0;
      for (const r of records) {
        expect(r.fragment.length).toBe(r.header.length);
        expect(r.fragment.buffer).toBe(datagram.buffer);
        expect(r.fragment.byteOffset + r.fragment.length).toBeLessThanOrEqual(datagram.byteOffset + datagram.length);
        expect([DTLS_1_0, DTLS_1_2]).toContain(r.header.version);
        covered += 13 + r.fragment.length;
      }
      expect(covered).toBeLessThanOrEqual(datagram.length);
      // nothing is silently lost: bytes not in an accepted record mean something was counted
      if (covered < datagram.length) expect(malformed).toBeGreaterThan(0);
    }
  });
});

describe('firstRecord', () => {
  it('returns the first record, a view into the datagram, whatever follows it', () => {
    const datagram = concatBytes(record(fill(3, 1), { seq: 7 }), record(fill(2, 2)), fill(5, 0xff));
    const first = firstRecord(datagram);
    expect(first?.header.sequenceNumber).toBe(7);
    expect(first?.fragment).toEqual(fill(3, 1));
    expect(first?.fragment.buffer).toBe(datagram.buffer);
  });

  it('returns nothing when the first record is unusable, even with a good one after it', () => {
    expect(firstRecord(new Uint8Array(0))).toBeUndefined();
    expect(firstRecord(fill(12, 0x16))).toBeUndefined();
    expect(firstRecord(concatBytes(record(fill(3, 1), { version: 0xfefe }), record(fill(3, 1))))).toBeUndefined();
    expect(firstRecord(record(fill(3, 1), { length: 4 }))).toBeUndefined();
  });
});
