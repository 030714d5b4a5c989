import type { OperatorFunction } from 'rxjs';
import { splitRecords, type RawRecord } from '../record/split-records.js';
import { operate } from './operate.js';

/**
 * Datagrams in, records out (RFC 6347 §4.1.1). Malformed parts of a datagram are
 * dropped and reported through `onMalformed`; the stream never errors on input.
 *
 * @example
 * datagrams$.pipe(decodeRecords((count) => (malformed += count))).subscribe((record) => console.log(record.header.epoch));
 */
export function decodeRecords(onMalformed?: (count: number) => void): OperatorFunction<Uint8Array, RawRecord> {
  return operate((subscriber) => ({
    next(datagram) {
      const { records, malformed } = splitRecords(datagram);
      if (malformed > 0) onMalformed?.(malformed);
      for (const record of records) subscriber.next(record);
    },
  }));
}
