import { nextTrafficSecret } from '../crypto/tls13-key-schedule.js';
import type { HandshakeSummary13 } from '../handshake/handshake-step.js';
import type { PlainRecord } from '../record/read-epochs.js';
import { decodeAck, encodeAck, type RecordNumber } from '../wire/ack.js';
import { ContentType, HandshakeType } from '../wire/constants.js';
import { decodeHandshakeFragments, encodeHandshakeMessage, type HandshakeFragment } from '../wire/handshake-header.js';
import { KeyUpdateRequest, decodeKeyUpdate, encodeKeyUpdate } from '../wire/key-update.js';
import type { PostHandshakeReply } from './connection-ids13.js';
import type { RecordLayer13 } from './record-layer13.js';

/**
 * An established DTLS 1.3 session's post-handshake messages (RFC 9147 §5.8.4, §7, §8).
 * Each protected handshake record is acknowledged: the peer retransmits a post-handshake
 * message until it is (a NewSessionTicket is not kept, rx-dtls does not resume 1.3 sessions
 * yet; a copy of the client's Finished whose ACK was lost is acknowledged again). A KeyUpdate
 * in the epoch we read moves us to the peer's next epoch and traffic secret (RFC 8446 §7.2);
 * one with update_requested is answered by a KeyUpdate of ours, and we write in our next
 * epoch once the peer acknowledges it (RFC 9147 §8: not before).
 */
export class KeyUpdates13 {
  private readSecret: Uint8Array;
  private writeSecret: Uint8Array;
  private readEpoch = 3;
  private writeEpoch = 3;
  private nextMessageSeq: number;
  /** Our KeyUpdate waiting for its ACK. */
  private pending?: RecordNumber;

  constructor(
    private readonly records: RecordLayer13,
    private readonly summary: HandshakeSummary13,
    private readonly transmit: (datagram: Uint8Array) => void,
    /** NewConnectionId and RequestConnectionId (whole), to ConnectionIds13: what to answer. */
    private readonly onConnectionIdMessage?: (fragment: HandshakeFragment) => PostHandshakeReply | undefined,
  ) {
    this.readSecret = summary.applicationSecrets.read;
    this.writeSecret = summary.applicationSecrets.write;
    this.nextMessageSeq = summary.nextMessageSeq;
  }

  /** A handshake record once established; false when it is to be counted as dropped. */
  receive(record: PlainRecord): boolean {
    const fragments = decodeHandshakeFragments(record.payload);
    // Handshake records in the clear are anybody's.
    if (record.epoch < 2 || !fragments.ok) return false;
    this.send(ContentType.ack, encodeAckOf(record));
    for (const fragment of fragments.value) {
      if (fragment.msgType === HandshakeType.new_connection_id || fragment.msgType === HandshakeType.request_connection_id) {
        const reply = fragment.fragmentLength === fragment.length ? this.onConnectionIdMessage?.(fragment) : undefined;
        if (reply) this.send(ContentType.handshake, encodeHandshakeMessage(reply.msgType, this.nextMessageSeq++, reply.body));
        continue;
      }
      if (fragment.msgType !== HandshakeType.key_update || record.epoch !== this.readEpoch || fragment.fragmentLength !== fragment.length) continue;
      const request = decodeKeyUpdate(fragment.body);
      if (!request.ok) continue;
      const { hash } = this.summary.cipherSuite;
      this.readSecret = nextTrafficSecret(hash, this.readSecret);
      this.readEpoch++;
      this.records.installRead(this.readEpoch, this.summary.cipherSuite, this.readSecret);
      if (request.value === KeyUpdateRequest.update_requested && this.pending === undefined) {
        const message = encodeHandshakeMessage(HandshakeType.key_update, this.nextMessageSeq++, encodeKeyUpdate(KeyUpdateRequest.update_not_requested));
        this.pending = this.send(ContentType.handshake, message);
      }
    }
    return true;
  }

  /** An ACK once established: the one of our KeyUpdate switches our writing to the next epoch. */
  onAck(record: PlainRecord): void {
    const ack = decodeAck(record.payload);
    const pending = this.pending;
    if (!ack.ok || pending === undefined || !ack.value.some((n) => n.epoch === pending.epoch && n.sequenceNumber === pending.sequenceNumber)) return;
    this.pending = undefined;
    this.writeSecret = nextTrafficSecret(this.summary.cipherSuite.hash, this.writeSecret);
    this.writeEpoch++;
    this.records.installWrite(this.writeEpoch, this.summary.cipherSuite, this.writeSecret);
  }

  private send(contentType: number, payload: Uint8Array): RecordNumber {
    const { record, number } = this.records.seal(this.records.writeEpoch, contentType, payload);
    this.transmit(record);
    return number;
  }
}

function encodeAckOf(record: PlainRecord): Uint8Array {
  return encodeAck([{ epoch: record.epoch, sequenceNumber: record.sequenceNumber }]);
}
