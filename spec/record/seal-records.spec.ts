import { describe, expect, it } from 'vitest';
import { ReadEpochs } from '../../lib/record/read-epochs.js';
import { sealDatagrams, sealRecords, type OutgoingRecord } from '../../lib/record/seal-records.js';
import { splitRecords } from '../../lib/record/split-records.js';
import { WriteEpochs } from '../../lib/record/write-epochs.js';
import { ContentType, DTLS_1_2 } from '../../lib/wire/constants.js';
import { SUITE, epochCipher } from '../operators/helpers/epochs.js';

const flight: OutgoingRecord[] = [
  { epoch: 0, contentType: ContentType.handshake, payload: new Uint8Array(40).fill(1) },
  { epoch: 0, contentType: ContentType.change_cipher_spec, payload: Uint8Array.of(1) },
  { epoch: 1, contentType: ContentType.handshake, payload: new Uint8Array(24).fill(5) },
];

function writeEpochs(): WriteEpochs {
  const epochs = new WriteEpochs();
  epochs.install(epochCipher(1), SUITE);
  return epochs;
}

describe('sealRecords', () => {
  it('seals each record in its epoch as DTLS 1.2, and sealing again takes fresh sequence numbers (RFC 6347 §4.2.4)', () => {
    const epochs = writeEpochs();
    const headers = (sealed: Uint8Array[]) => sealed.map((r) => splitRecords(r).records[0].header);
    const first = headers(sealRecords(flight, epochs));
    expect(first.map((h) => [h.contentType, h.epoch, h.version, h.sequenceNumber])).toEqual([
      [ContentType.handshake, 0, DTLS_1_2, 0],
      [ContentType.change_cipher_spec, 0, DTLS_1_2, 1],
      [ContentType.handshake, 1, DTLS_1_2, 0],
    ]);
    expect(headers(sealRecords(flight, epochs)).map((h) => h.sequenceNumber)).toEqual([2, 3, 1]);
  });
});

describe('sealDatagrams', () => {
  it('packs the sealed records into datagrams of at most the given size, in order, each record whole', () => {
    const read = new ReadEpochs();
    read.install(epochCipher(1));
    const datagrams = sealDatagrams(flight, writeEpochs(), 80);
    expect(datagrams.length).toBe(2);
    expect(datagrams.every((d) => d.length <= 80)).toBe(true);
    const opened = datagrams.flatMap((d) => splitRecords(d).records).map((r) => read.open(r));
    expect(opened.map((r) => (r === undefined || r === 'future' ? r : [r.epoch, r.contentType, r.payload]))).toEqual(
      flight.map((r) => [r.epoch, r.contentType, r.payload]),
    );
  });
});
