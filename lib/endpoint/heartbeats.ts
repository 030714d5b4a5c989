import { randomBytes } from '../crypto/random.js';
import { timingSafeEqual } from '../crypto/constant-time.js';
import { HeartbeatMessageType, MIN_HEARTBEAT_PADDING, decodeHeartbeatMessage, encodeHeartbeatMessage } from '../wire/heartbeat.js';

/** Bytes of random payload in our HeartbeatRequests: enough that a forger cannot guess the answer. */
const PROBE_PAYLOAD_LENGTH = 16;

/**
 * RFC 6520 heartbeats of one established session that negotiated them. It answers
 * each HeartbeatRequest with the payload echoed, and keeps the one request of ours in
 * flight (§3: never more than one) so that only its answer counts. Records come here
 * authenticated, in the current epoch: what decrypts is the peer's.
 */
export class Heartbeats {
  /** The payload of our request in flight, until its answer. */
  private inFlight?: Uint8Array;

  constructor(
    /** Seals and sends one heartbeat record in the current epoch. */
    private readonly sendRecord: (message: Uint8Array) => void,
    /** The peer answers our requests: it said peer_allowed_to_send (RFC 6520 §2). */
    readonly peerAnswers: boolean,
  ) {}

  /**
   * One heartbeat record from the peer; false when it is dropped (malformed, a payload_length
   * past the record as in Heartbleed, a response to nothing we asked).
   */
  receive(record: Uint8Array): boolean {
    const decoded = decodeHeartbeatMessage(record);
    if (!decoded.ok) return false;
    const { type, payload } = decoded.value;
    if (type === HeartbeatMessageType.heartbeat_request) {
      // §4: a response carries an exact copy of the request's payload, with padding of our own.
      this.sendRecord(encodeHeartbeatMessage(HeartbeatMessageType.heartbeat_response, payload, randomBytes(MIN_HEARTBEAT_PADDING)));
      return true;
    }
    // §4: a response without the expected payload is discarded silently.
    const expected = this.inFlight;
    if (expected === undefined || !timingSafeEqual(expected, payload)) return false;
    this.inFlight = undefined;
    return true;
  }

  /** Sends our HeartbeatRequest, or sends it again (RFC 6520 §3: retransmitted as DTLS flights are). */
  probe(): void {
    if (!this.peerAnswers) return;
    this.inFlight ??= randomBytes(PROBE_PAYLOAD_LENGTH);
    this.sendRecord(encodeHeartbeatMessage(HeartbeatMessageType.heartbeat_request, this.inFlight, randomBytes(MIN_HEARTBEAT_PADDING)));
  }
}
