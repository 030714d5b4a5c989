import { map, type OperatorFunction } from 'rxjs';
import type { Flight } from '../handshake/flight.js';
import { flightRecords, type FragmentOptions } from '../handshake/flight-records.js';
import type { OutgoingRecord } from '../record/seal-records.js';
import type { Transmission } from './retransmit.js';

/**
 * Cuts each transmission of a flight into records whose protected size fits one
 * datagram (RFC 6347 §4.1.1.1, §4.2.3): handshake messages are fragmented, a
 * ChangeCipherSpec is its own record.
 *
 * @example
 * transmissions$.pipe(fragment({ maxDatagramSize: 1200, overhead: (epoch) => writeEpochs.overhead(epoch) }));
 */
export function fragment(options: FragmentOptions): OperatorFunction<Transmission<Flight>, OutgoingRecord[]> {
  return map(({ flight }) => flightRecords(flight, options));
}
