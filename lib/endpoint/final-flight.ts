import type { Flight } from '../handshake/flight.js';
import { flightMessageNames } from '../handshake/message-names.js';
import { flightRecords } from '../handshake/flight-records.js';
import { sealDatagrams } from '../record/seal-records.js';
import type { WriteEpochs } from '../record/write-epochs.js';
import type { SessionEvent } from './session-event.js';

/**
 * A server's last flight (ChangeCipherSpec and Finished), kept after the handshake
 * machinery is gone. RFC 6347 §4.2.4: the side that sent the last flight answers a
 * retransmission of the peer's last flight by sending its own again, until the peer
 * shows it arrived (its first application data). Kept as plaintext messages, not as
 * sealed datagrams: every resend takes fresh record sequence numbers.
 */
export class FinalFlight {
  private attempts = 0;

  constructor(
    private readonly flight: Flight,
    private readonly writeEpochs: WriteEpochs,
    private readonly mtu: number,
  ) {}

  /** Seals the flight again; returns its datagrams and the event that reports the resend. */
  resend(): { datagrams: Uint8Array[]; event: SessionEvent } {
    const { flight, writeEpochs, mtu } = this;
    const records = flightRecords(flight, { maxDatagramSize: mtu, overhead: (epoch) => writeEpochs.overhead(epoch) });
    const event: SessionEvent = {
      type: 'retransmit',
      flight: this.flight.number,
      messages: flightMessageNames(this.flight),
      attempt: ++this.attempts,
      reason: 'peer',
    };
    return { datagrams: sealDatagrams(records, writeEpochs, mtu), event };
  }
}
