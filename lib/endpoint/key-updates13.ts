import type { DtlsError } from '../dtls-error.js';
import { nextTrafficSecret } from '../crypto/tls13-key-schedule.js';
import type { HandshakeSummary13 } from '../handshake/handshake-step.js';
import { receivedTicket13 } from '../handshake/new-session-ticket13.js';
import type { TicketState13 } from '../handshake/ticket-state13.js';
import { decodeNewSessionTicket13, encodeNewSessionTicket13, type NewSessionTicket13 } from '../wire/new-session-ticket13.js';
import type { PlainRecord } from '../record/read-epochs.js';
import { decodeAck, encodeAck } from '../wire/ack.js';
import { ContentType, HANDSHAKE_HEADER_LENGTH, HandshakeType } from '../wire/constants.js';
import { decodeHandshakeFragments, encodeHandshakeMessage, type HandshakeFragment } from '../wire/handshake-header.js';
import { KeyUpdateRequest, decodeKeyUpdate, encodeKeyUpdate } from '../wire/key-update.js';
import type { PostHandshakeReply } from './connection-ids13.js';
import { PostHandshakeSender13, type PostHandshakeSenderContext } from './post-handshake-sender13.js';

/** What an established 1.3 session's post-handshake part is made with. */
export interface KeyUpdates13Context extends PostHandshakeSenderContext {
  readonly summary: HandshakeSummary13;
  /** A client's: keeps the server's latest NewSessionTicket (RFC 8446 §4.6.1). */
  readonly onTicket?: (ticket: TicketState13) => void;
  /** NewConnectionId and RequestConnectionId (whole), to ConnectionIds13: what to answer. */
  readonly onConnectionIdMessage?: (fragment: HandshakeFragment) => PostHandshakeReply | undefined;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: DtlsError) => void;
}

/**
 * An established DTLS 1.3 session's post-handshake messages (RFC 9147 §5.8.4, §7, §8).
 * Each protected handshake record is acknowledged: the peer retransmits a post-handshake
 * message until it is (a copy of the client's Finished whose ACK was lost is acknowledged
 * again). A client keeps the server's latest NewSessionTicket (RFC 8446 §4.6.1); a server
 * sends one, retransmitted until acknowledged. A KeyUpdate in the epoch we read moves us to the peer's next epoch and traffic
 * secret (RFC 8446 §7.2); one in an older epoch is a copy whose ACK was lost, acknowledged
 * again and not followed twice. One with update_requested is answered by a KeyUpdate of ours.
 *
 * Ours goes out when the user asks (`update`), when the peer asks, or when our key's AEAD
 * usage says 'update-advised' (RFC 9147 §4.5.3; with update_requested when it is the peer's
 * key that saw too many forgeries). It is retransmitted until acknowledged, and we write in
 * our next epoch only then (§8: not before); at most one is outstanding.
 */
export class KeyUpdates13 {
  private readSecret: Uint8Array;
  private writeSecret: Uint8Array;
  private readEpoch = 3;
  private writeEpoch = 3;
  private nextMessageSeq: number;
  private readonly sender: PostHandshakeSender13;
  /** Those waiting for our KeyUpdate, from when it is sent until it is acknowledged; undefined while none is outstanding. */
  private updating?: Waiter[];
  /** The peer's epoch whose forgeries made us ask it to update: asked once per epoch. */
  private askedPeerAt = 0;

  constructor(private readonly context: KeyUpdates13Context) {
    const { summary } = context;
    this.readSecret = summary.applicationSecrets.read;
    this.writeSecret = summary.applicationSecrets.write;
    this.nextMessageSeq = summary.nextMessageSeq;
    this.sender = new PostHandshakeSender13(context);
  }

  /** A handshake record once established; false when it is to be counted as dropped. */
  receive(record: PlainRecord): boolean {
    const fragments = decodeHandshakeFragments(record.payload);
    // Handshake records in the clear are anybody's.
    if (record.epoch < 2 || !fragments.ok) return false;
    this.sendRecord(ContentType.ack, encodeAck([{ epoch: record.epoch, sequenceNumber: record.sequenceNumber }]));
    for (const fragment of fragments.value) {
      // Post-handshake messages are short: one fragment each.
      if (fragment.fragmentLength !== fragment.length) continue;
      if (fragment.msgType === HandshakeType.new_session_ticket) this.onNewSessionTicket(fragment.body);
      if (fragment.msgType === HandshakeType.new_connection_id || fragment.msgType === HandshakeType.request_connection_id) this.onConnectionIdMessage(fragment);
      if (fragment.msgType !== HandshakeType.key_update || record.epoch !== this.readEpoch) continue;
      const request = decodeKeyUpdate(fragment.body);
      if (!request.ok) continue;
      this.followPeer();
      if (request.value === KeyUpdateRequest.update_requested) this.start(false);
    }
    return true;
  }

  /** An ACK once established: one of our post-handshake messages arrived. */
  onAck(record: PlainRecord): void {
    const ack = decodeAck(record.payload);
    if (ack.ok) this.sender.onAck(ack.value);
  }

  /** An authenticated record from the peer: it is not silent. */
  heard(): void {
    this.sender.heard();
  }

  /**
   * Sends our KeyUpdate (`requestPeer`: with update_requested, so the peer updates its keys
   * too) unless one is outstanding already; resolves once the peer acknowledged it and we
   * write in our next epoch. Rejects with the session's error if it ends first.
   */
  update(requestPeer: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      this.start(requestPeer);
      this.updating?.push({ resolve, reject });
    });
  }

  /**
   * Checks our key's and the peer's AEAD usage (RFC 9147 §4.5.3): 'update-advised' on ours
   * sends our KeyUpdate, on the peer's (forgeries) asks it for one with update_requested.
   */
  checkLimits(): void {
    if (this.updating) return;
    const { records } = this.context;
    if (records.usage('write') === 'update-advised') this.start(false);
    else if (records.usage('read') === 'update-advised' && this.askedPeerAt !== this.readEpoch) {
      this.askedPeerAt = this.readEpoch;
      this.start(true);
    }
  }

  /**
   * A server's NewSessionTicket (RFC 8446 §4.6.1), retransmitted until acknowledged like our
   * KeyUpdate. Post-handshake messages go whole in one record: a ticket over `maxLength`
   * bytes (the peer's record_size_limit, which in 1.3 binds every protected record, RFC 8449
   * §4, or what fits the MTU) is not sent: that client gets no resumption.
   */
  sendTicket(ticket: NewSessionTicket13, maxLength: number): void {
    const body = encodeNewSessionTicket13(ticket);
    if (body.length + HANDSHAKE_HEADER_LENGTH > maxLength) return;
    const message = encodeHandshakeMessage(HandshakeType.new_session_ticket, this.nextMessageSeq++, body);
    this.sender.send({ name: 'our NewSessionTicket', message, acknowledged: () => undefined });
  }

  /** The session ended: nothing more is sent, and whoever waits for our KeyUpdate learns why. */
  stop(error: DtlsError): void {
    this.sender.stop();
    const waiting = this.updating;
    this.updating = undefined;
    waiting?.forEach((w) => w.reject(error));
  }

  private start(requestPeer: boolean): void {
    if (this.updating) return;
    this.updating = [];
    const request = requestPeer ? KeyUpdateRequest.update_requested : KeyUpdateRequest.update_not_requested;
    const message = encodeHandshakeMessage(HandshakeType.key_update, this.nextMessageSeq++, encodeKeyUpdate(request));
    this.sender.send({ name: 'our KeyUpdate', message, acknowledged: () => this.followOurs() });
  }

  /** A NewConnectionId or RequestConnectionId; our answer (a NewConnectionId) is retransmitted until acknowledged like our KeyUpdate. */
  private onConnectionIdMessage(fragment: HandshakeFragment): void {
    const reply = this.context.onConnectionIdMessage?.(fragment);
    if (!reply) return;
    const message = encodeHandshakeMessage(reply.msgType, this.nextMessageSeq++, reply.body);
    this.sender.send({ name: 'our NewConnectionId', message, acknowledged: () => undefined });
  }

  /** A client keeps the server's latest ticket; a copy whose ACK was lost replaces it with the same. */
  private onNewSessionTicket(body: Uint8Array): void {
    const { onTicket, summary, options } = this.context;
    const decoded = onTicket && decodeNewSessionTicket13(body);
    const ticket = decoded?.ok ? receivedTicket13(decoded.value, summary, options.scheduler.now()) : undefined;
    if (ticket) onTicket?.(ticket);
  }

  /** The peer's KeyUpdate: its next epoch is read with its next traffic secret; the one before the last stays for late records. */
  private followPeer(): void {
    const { records, summary } = this.context;
    this.readSecret = nextTrafficSecret(summary.cipherSuite.hash, this.readSecret);
    this.readEpoch++;
    records.installRead(this.readEpoch, summary.cipherSuite, this.readSecret);
    if (this.readEpoch - 2 >= 3) records.retire('read', this.readEpoch - 2);
  }

  /** Our KeyUpdate was acknowledged: we write in the next epoch, and nothing is left to resend in the last one. */
  private followOurs(): void {
    const { records, summary } = this.context;
    this.writeSecret = nextTrafficSecret(summary.cipherSuite.hash, this.writeSecret);
    this.writeEpoch++;
    records.installWrite(this.writeEpoch, summary.cipherSuite, this.writeSecret);
    records.retire('write', this.writeEpoch - 1);
    const waiting = this.updating ?? [];
    this.updating = undefined;
    waiting.forEach((w) => w.resolve());
  }

  private sendRecord(contentType: number, payload: Uint8Array): void {
    const { records } = this.context;
    // A key at its AEAD limit seals nothing more; the sender ends the session on its next attempt.
    if (records.usage('write') === 'exhausted') return;
    this.context.transmit(records.seal(records.writeEpoch, contentType, payload).record);
  }
}
