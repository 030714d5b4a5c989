import { DTLS_1_2 } from '../wire/constants.js';
import { packRecords } from './pack-records.js';
import type { WriteEpochs } from './write-epochs.js';

/** A record to be protected and sent. */
export interface OutgoingRecord {
  /** The epoch whose keys protect it (0 is unprotected). */
  readonly epoch: number;
  /** The record's ContentType (RFC 5246 §6.2.1). */
  readonly contentType: number;
  /** The plaintext fragment, before protection. */
  readonly payload: Uint8Array;
}

/**
 * Protects each record with the keys of its epoch and that epoch's next sequence
 * number, so a retransmitted flight gets fresh sequence numbers (RFC 6347 §4.2.4).
 */
export function sealRecords(records: readonly OutgoingRecord[], epochs: WriteEpochs): Uint8Array[] {
  return records.map((r) => epochs.seal(r.epoch, r.contentType, DTLS_1_2, r.payload));
}

/** Protects records and packs them into as few datagrams as fit `maxDatagramSize` (RFC 6347 §4.1.1). */
export function sealDatagrams(records: readonly OutgoingRecord[], epochs: WriteEpochs, maxDatagramSize: number): Uint8Array[] {
  return packRecords(sealRecords(records, epochs), maxDatagramSize);
}
