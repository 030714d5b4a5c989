import type { OperatorFunction } from 'rxjs';
import { splitRecords, type RawRecord } from '../record/split-records.js';
import { operate } from './operate.js';

/**
 * Datagrams in, records out (RFC 6347 §4.1.1). Malformed parts of a datagram are
 * dropped and reported through `onMalformed`; the stream never errors on input.
 * `cidLength` is that of our Connection ID (RFC 9146 §4), 0 for none.
 *
 * @example
 * datagrams$.pipe(decodeRecords((count) => (malformed += count))).subscribe((record) => console.log(record.header.epoch));
 */
export function decodeRecords(onMalformed?: (count: number) => void, cidLength = 0): OperatorFunction<Uint8Array, RawRecord> {
  return operate((subscriber) => ({
    next(datagram) {
      const { records, malformed } = splitRecords(datagram, cidLength);
      if (malformed > 0) onMalformed?.(malformed);
      for (const record of records) subscriber.next(record);
    },
  }));
}
