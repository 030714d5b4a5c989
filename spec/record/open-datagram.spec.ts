import { concatBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { openDatagram } from '../../lib/record/open-datagram.js';
import { ReadEpochs, type PlainRecord } from '../../lib/record/read-epochs.js';
import { sealDatagrams } from '../../lib/record/seal-records.js';
import { WriteEpochs } from '../../lib/record/write-epochs.js';
import { ContentType } from '../../lib/wire/constants.js';
import { SUITE, epochCipher } from '../operators/helpers/epochs.js';

const data = (byte: number) => ({ epoch: 1, contentType: ContentType.application_data, payload: Uint8Array.of(byte) });

function epochs(): { write: WriteEpochs; read: ReadEpochs } {
  const write = new WriteEpochs();
  write.install(epochCipher(1), SUITE);
  const read = new ReadEpochs();
  read.install(epochCipher(1));
  read.expectNoNextEpoch();
  return { write, read };
}

describe('openDatagram', () => {
  it('delivers each record that authenticates, in order, and counts the ones it drops (replayed, forged, malformed)', () => {
    const { write, read } = epochs();
    const [datagram] = sealDatagrams([data(1), data(2), data(3)], write, 1200);
    const delivered: PlainRecord[] = [];
    expect(openDatagram(datagram, read, (r) => delivered.push(r) > 0)).toBe(0);
    expect(delivered.map((r) => r.payload[0])).toEqual([1, 2, 3]);

    const forged = datagram.slice();
    forged[forged.length - 1] ^= 1;
    const [fresh] = sealDatagrams([data(4)], write, 1200);
    const truncated = Uint8Array.of(ContentType.application_data, 0xfe);
    const again: number[] = [];
    // A replay of the three, one fresh record, and trailing bytes that are no record.
    expect(openDatagram(concatBytes(datagram, fresh, truncated), read, (r) => again.push(r.payload[0]) > 0)).toBe(4);
    expect(again).toEqual([4]);
    expect(openDatagram(forged, read, () => true)).toBe(3);
  });

  it('drops a record of an epoch without keys instead of holding it', () => {
    const { read } = epochs();
    const later = new WriteEpochs();
    later.install(epochCipher(2), SUITE);
    const [datagram] = sealDatagrams([{ ...data(1), epoch: 2 }], later, 1200);
    expect(openDatagram(datagram, read, () => true)).toBe(1);
  });

  it('stops at the first record whose delivery says to stop, leaving the rest unopened', () => {
    const { write, read } = epochs();
    const [datagram] = sealDatagrams([data(1), data(2)], write, 1200);
    const delivered: number[] = [];
    expect(openDatagram(datagram, read, (r) => (delivered.push(r.payload[0]), false))).toBe(0);
    expect(delivered).toEqual([1]);
    // The second record was never opened, so its sequence number is still fresh.
    const rest: number[] = [];
    openDatagram(datagram, read, (r) => rest.push(r.payload[0]) > 0);
    expect(rest).toEqual([2]);
  });
});
