import type { OutgoingRecord } from '../record/seal-records.js';
import { encodeChangeCipherSpec } from '../wire/change-cipher-spec.js';
import { ContentType, HANDSHAKE_HEADER_LENGTH, HandshakeType, MAX_PLAINTEXT_LENGTH, RECORD_HEADER_LENGTH } from '../wire/constants.js';
import { encodeHandshakeFragment } from '../wire/handshake-header.js';
import type { Flight } from './flight.js';
import { fragmentMessage } from './fragmenter.js';

/** How a flight is cut into records: the datagram size limit and each epoch's protection overhead. */
export interface FragmentOptions {
  /** Largest UDP payload to send (the path MTU less IP and UDP headers). */
  readonly maxDatagramSize: number;
  /** Bytes protection adds to a record of this epoch (explicit nonce + tag). */
  readonly overhead: (epoch: number) => number;
  /** The most plaintext the peer takes in one record of this epoch (record_size_limit, max_fragment_length); 2^14 when omitted. */
  readonly maxPlaintext?: (epoch: number) => number;
}

/**
 * Cuts a flight into records whose protected size fits one datagram (RFC 6347
 * §4.1.1.1, §4.2.3): handshake messages are fragmented, a ChangeCipherSpec is its
 * own record.
 */
export function flightRecords(flight: Flight, { maxDatagramSize, overhead, maxPlaintext }: FragmentOptions): OutgoingRecord[] {
  const records: OutgoingRecord[] = [];
  for (const entry of flight.entries) {
    if (entry.kind === 'change_cipher_spec') {
      records.push({ epoch: entry.epoch, contentType: ContentType.change_cipher_spec, payload: encodeChangeCipherSpec() });
      continue;
    }
    let room = Math.min(maxDatagramSize - RECORD_HEADER_LENGTH - overhead(entry.epoch), maxPlaintext?.(entry.epoch) ?? MAX_PLAINTEXT_LENGTH);
    // A server verifies cookies statelessly (RFC 6347 §4.2.1), so it cannot reassemble a
    // fragmented ClientHello: send it whole, whatever the MTU (it is a few hundred bytes).
    if (entry.message.msgType === HandshakeType.client_hello) room = Math.max(room, HANDSHAKE_HEADER_LENGTH + entry.message.body.length);
    for (const piece of fragmentMessage(entry.message, room)) {
      records.push({ epoch: entry.epoch, contentType: ContentType.handshake, payload: encodeHandshakeFragment(piece) });
    }
  }
  return records;
}
