import { FlightAcknowledgements, ReceivedRecords } from '../../../lib/handshake/acknowledgements13.js';

/** What the DTLS 1.3 ACKs (RFC 9147 §7) did while a probe was on. */
export interface AckCounts {
  /** ACKs sent by either side: each names the handshake records received since the last one. */
  readonly sent: number;
  /** Records carried by retransmissions, summed over every retransmission of a flight. */
  readonly recordsResent: number;
  /** What those retransmissions would have carried without ACKs: every record of the flight each time. */
  readonly recordsInResentFlights: number;
}

/**
 * Counts the ACKs sent and the records retransmitted while `during` runs (synchronously, as a
 * virtual-time trial does), by wrapping `ReceivedRecords.take` (called to fill an ACK) and
 * `FlightAcknowledgements.pending` (called once per retransmission of a flight). Test
 * instrumentation only: lib is unchanged, and the prototypes are restored before it returns.
 */
export function countAcks<T>(during: () => T): { readonly result: T; readonly acks: AckCounts } {
  const originalTake = ReceivedRecords.prototype.take;
  const originalPending = FlightAcknowledgements.prototype.pending;
  let sent = 0;
  let recordsResent = 0;
  let recordsInResentFlights = 0;
  ReceivedRecords.prototype.take = function (this: ReceivedRecords) {
    const numbers = originalTake.call(this);
    if (numbers.length > 0) sent++;
    return numbers;
  };
  FlightAcknowledgements.prototype.pending = function (this: FlightAcknowledgements) {
    const indexes = originalPending.call(this);
    recordsResent += indexes.length;
    recordsInResentFlights += (this as unknown as { readonly acknowledged: readonly boolean[] }).acknowledged.length;
    return indexes;
  };
  try {
    const result = during();
    return { result, acks: { sent, recordsResent, recordsInResentFlights } };
  } finally {
    ReceivedRecords.prototype.take = originalTake;
    FlightAcknowledgements.prototype.pending = originalPending;
  }
}
