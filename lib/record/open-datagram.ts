import type { PlainRecord, ReadEpochs } from './read-epochs.js';
import { splitRecords } from './split-records.js';

/**
 * Opens the records of one datagram (RFC 6347 §4.1.1: it may carry several) against the
 * read epochs, in order, handing each that authenticated to `deliver` for as long as it
 * returns true. Returns how many records were dropped: malformed, replayed, unauthenticated,
 * or of an epoch without keys (RFC 6347 §4.1.2.7: silently). For a connection whose next
 * epoch may still come, the decrypt operator holds such records instead.
 */
export function openDatagram(datagram: Uint8Array, epochs: ReadEpochs, deliver: (record: PlainRecord) => boolean): number {
  const { records, malformed } = splitRecords(datagram, epochs.cidLength);
  let dropped = malformed;
  for (const raw of records) {
    const record = epochs.open(raw);
    if (record === undefined || record === 'future') dropped++;
    else if (!deliver(record)) break;
  }
  return dropped;
}
