import { packRecords } from './pack-records.js';
import type { OutgoingRecord } from './seal-records.js';
import type { WriteEpochs13 } from './write-epochs13.js';

/**
 * Protects each record with the keys of its epoch and that epoch's next sequence number, so a
 * retransmission gets fresh record numbers (RFC 9147 §4.2.1, §7: ACKs name record numbers).
 * The same OutgoingRecord as DTLS 1.2's: epoch 0 goes out as DTLSPlaintext, others as DTLSCiphertext.
 */
export function sealRecords13(records: readonly OutgoingRecord[], epochs: WriteEpochs13): Uint8Array[] {
  return records.map((r) => epochs.seal(r.epoch, r.contentType, r.payload));
}

/** Protects records and packs them into as few datagrams as fit `maxDatagramSize` (RFC 9147 §4.3: records never span datagrams). */
export function sealDatagrams13(records: readonly OutgoingRecord[], epochs: WriteEpochs13, maxDatagramSize: number): Uint8Array[] {
  return packRecords(sealRecords13(records, epochs), maxDatagramSize);
}
