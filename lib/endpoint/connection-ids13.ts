import type { NegotiatedConnectionIds } from '../handshake/connection-id-negotiation.js';
import type { HandshakeFailure } from '../handshake/handshake-step.js';
import { AlertDescription } from '../wire/alert.js';
import { ConnectionIdUsage, decodeNewConnectionId, decodeRequestConnectionId, encodeNewConnectionId } from '../wire/connection-id-messages.js';
import { HandshakeType } from '../wire/constants.js';
import type { HandshakeFragment } from '../wire/handshake-header.js';
import type { RecordLayer13 } from './record-layer13.js';

/** A handshake message to send in answer. */
export interface PostHandshakeReply {
  readonly msgType: number;
  readonly body: Uint8Array;
}

/** CIDs of ours we give a peer over a session's life at most, beside the first: what each costs us is an entry in the server's CID table. */
const MAX_ISSUED_CIDS = 8;

/**
 * An established DTLS 1.3 session's Connection ID messages (RFC 9147 §9), once the hellos
 * negotiated connection_id. A NewConnectionId gives us CIDs to write: cid_immediate makes the
 * first one the CID of our records from now on; spares are for an endpoint that moves to a new
 * path, which we never do on our own, so none is kept. A
 * RequestConnectionId asks for spares of ours: we answer with a NewConnectionId(cid_spare)
 * of fresh CIDs, each one the peer may use at once (the server finds the session by it), up
 * to MAX_ISSUED_CIDS over the session (§9 lets an endpoint send fewer, or none).
 * §9 forbids a NewConnectionId to an endpoint that receives an empty CID, and a
 * RequestConnectionId from one that sends an empty CID: either is unexpected_message. A
 * message retransmitted because our ACK was lost is recognised by its message_seq.
 */
export class ConnectionIds13 {
  private issued = 0;
  /** The message_seq of the last CID message taken. */
  private lastSeq = -1;

  constructor(
    private readonly records: RecordLayer13,
    /** What the hellos agreed; undefined: no CIDs. */
    private readonly ids: NegotiatedConnectionIds | undefined,
    /** A fresh CID of ours, registered where our records are routed, or undefined when there is none to give. */
    private readonly newConnectionId?: () => Uint8Array | undefined,
  ) {}

  /** A NewConnectionId or RequestConnectionId (whole, in an epoch we read): a reply to send, a failure, or nothing. */
  receive(fragment: HandshakeFragment): { readonly reply?: PostHandshakeReply; readonly failure?: HandshakeFailure } {
    if (fragment.messageSeq <= this.lastSeq) return {};
    this.lastSeq = fragment.messageSeq;
    if (fragment.msgType === HandshakeType.new_connection_id) return this.onNewConnectionId(fragment.body);
    return this.onRequestConnectionId(fragment.body);
  }

  private onNewConnectionId(body: Uint8Array): { readonly failure?: HandshakeFailure } {
    if (!this.ids || this.ids.write.length === 0) return unexpected('NewConnectionId from a peer that receives no CID');
    const decoded = decodeNewConnectionId(body);
    if (!decoded.ok) return { failure: { alert: AlertDescription.decode_error, reason: 'malformed NewConnectionId' } };
    if (decoded.value.usage !== ConnectionIdUsage.cid_immediate) return {};
    // An empty CID cannot replace a non-empty one: nothing would route the peer's records.
    const next = decoded.value.cids.find((c) => c.length > 0);
    if (next === undefined) return { failure: { alert: AlertDescription.illegal_parameter, reason: 'NewConnectionId cid_immediate without a CID' } };
    this.records.writeConnectionId(next.slice());
    return {};
  }

  private onRequestConnectionId(body: Uint8Array): { readonly reply?: PostHandshakeReply; readonly failure?: HandshakeFailure } {
    if (!this.ids || this.ids.read.length === 0) return unexpected('RequestConnectionId from a peer that sends no CID');
    const decoded = decodeRequestConnectionId(body);
    if (!decoded.ok) return { failure: { alert: AlertDescription.decode_error, reason: 'malformed RequestConnectionId' } };
    const cids: Uint8Array[] = [];
    while (cids.length < decoded.value.numCids && this.issued < MAX_ISSUED_CIDS) {
      const cid = this.newConnectionId?.();
      if (cid === undefined) break;
      this.issued++;
      this.records.acceptConnectionId(cid);
      cids.push(cid);
    }
    if (cids.length === 0) return {};
    return { reply: { msgType: HandshakeType.new_connection_id, body: encodeNewConnectionId({ cids, usage: ConnectionIdUsage.cid_spare }) } };
  }

}

function unexpected(reason: string): { readonly failure: HandshakeFailure } {
  return { failure: { alert: AlertDescription.unexpected_message, reason: `${reason} (RFC 9147 §9)` } };
}
