import { map, type OperatorFunction } from 'rxjs';
import { sealRecords, type OutgoingRecord } from '../record/seal-records.js';
import type { WriteEpochs } from '../record/write-epochs.js';

/**
 * Protects records with the keys of their epoch and the next sequence number of
 * that epoch; a retransmitted flight gets fresh sequence numbers (RFC 6347 §4.2.4).
 *
 * @example
 * const protected$ = records$.pipe(encrypt(writeEpochs)); // OutgoingRecord[] in, protected records out
 */
export function encrypt(epochs: WriteEpochs): OperatorFunction<OutgoingRecord[], Uint8Array[]> {
  return map((records) => sealRecords(records, epochs));
}
