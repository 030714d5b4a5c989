import { concatBytes } from '@noble/hashes/utils.js';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { decodeRecords } from '../../lib/operators/decode-records.js';
import type { RawRecord } from '../../lib/record/split-records.js';
import { ContentType } from '../../lib/wire/constants.js';
import { plainRecord } from './helpers/records.js';

function run(datagrams: Uint8Array[]) {
  const input = new Subject<Uint8Array>();
  const out: RawRecord[] = [];
  const malformed: number[] = [];
  let error: unknown;
  input.pipe(decodeRecords((n) => malformed.push(n))).subscribe({ next: (r) => out.push(r), error: (e) => (error = e) });
  datagrams.forEach((d) => input.next(d));
  return { out, malformed, error };
}

describe('decodeRecords', () => {
  it('emits each record of a datagram in order (RFC 6347 §4.1.1: several records per datagram)', () => {
    const datagram = concatBytes(
      plainRecord(ContentType.handshake, Uint8Array.of(1, 2, 3), { sequenceNumber: 5 }),
      plainRecord(ContentType.change_cipher_spec, Uint8Array.of(1), { sequenceNumber: 6 }),
      plainRecord(ContentType.alert, Uint8Array.of(1, 0), { epoch: 1, sequenceNumber: 0 }),
    );
    const { out, malformed } = run([datagram]);
    expect(out.map((r) => [r.header.contentType, r.header.epoch, r.header.sequenceNumber])).toEqual([
      [ContentType.handshake, 0, 5],
      [ContentType.change_cipher_spec, 0, 6],
      [ContentType.alert, 1, 0],
    ]);
    expect(Array.from(out[0].fragment)).toEqual([1, 2, 3]);
    expect(malformed).toEqual([]);
  });

  it('keeps the good records before a malformed tail and reports the tail', () => {
    const good = plainRecord(ContentType.handshake, Uint8Array.of(9, 9));
    const { out, malformed } = run([concatBytes(good, Uint8Array.of(22, 0xfe, 0xfd, 0, 0))]);
    expect(out).toHaveLength(1);
    expect(malformed).toEqual([1]);
  });

  it('never errors, whatever the bytes', () => {
    const junk = Array.from({ length: 200 }, (_, n) => Uint8Array.from({ length: n % 40 }, (_, i) => (i * 131 + n * 17) & 0xff));
    const { error, malformed } = run(junk);
    expect(error).toBeUndefined();
    expect(malformed.length).toBeGreaterThan(0);
  });

  it('emits nothing and reports nothing for an empty datagram', () => {
    const { out, malformed } = run([new Uint8Array(0)]);
    expect(out).toEqual([]);
    expect(malformed).toEqual([]);
  });
});
