import { map, type OperatorFunction } from 'rxjs';
import { packRecords } from '../record/pack-records.js';

/** Packs protected records into as few datagrams as fit the size limit (RFC 6347 §4.1.1). *
 * @example
 * protected$.pipe(pack(1200)).subscribe((datagrams) => datagrams.forEach((d) => transport.send(d, peer)));
 */
export function pack(maxDatagramSize: number): OperatorFunction<Uint8Array[], Uint8Array[]> {
  return map((records) => packRecords(records, maxDatagramSize));
}
