import type { PlainRecord } from '../record/read-epochs.js';
import { encodeAck } from '../wire/ack.js';
import { ContentType } from '../wire/constants.js';
import { decodeHandshakeFragments } from '../wire/handshake-header.js';
import type { RecordLayer13 } from './record-layer13.js';

/**
 * A DTLS 1.3 session's handshake records once it is established (RFC 9147 §5.8.4, §7): each
 * protected one is acknowledged, since the peer retransmits a post-handshake message until
 * it is. A NewSessionTicket is not kept (rx-dtls does not resume 1.3 sessions yet); a copy
 * of the client's Finished, whose ACK was lost, gets its ACK again. Handshake records in
 * the clear are anybody's, and dropped.
 */
export function acknowledgePostHandshake13(record: PlainRecord, records: RecordLayer13, transmit: (datagram: Uint8Array) => void): boolean {
  if (record.epoch < 2 || !decodeHandshakeFragments(record.payload).ok) return false;
  const ack = encodeAck([{ epoch: record.epoch, sequenceNumber: record.sequenceNumber }]);
  transmit(records.seal(records.writeEpoch, ContentType.ack, ack).record);
  return true;
}
