import { ExtensionType, type Extension } from './extension-type.js';
import { decode } from './reader.js';
import { fail, type Result } from './result.js';
import { Writer } from './writer.js';

/** RFC 6520 §2 HeartbeatMode: whether the sender of the extension answers HeartbeatRequests. */
export const HeartbeatMode = {
  /** The peer may send us HeartbeatRequests: we answer them. */
  peer_allowed_to_send: 1,
  /** The peer must not send us HeartbeatRequests. */
  peer_not_allowed_to_send: 2,
} as const;
export type HeartbeatMode = (typeof HeartbeatMode)[keyof typeof HeartbeatMode];

/** RFC 6520 §3 HeartbeatMessageType. */
export const HeartbeatMessageType = {
  /** Asks the peer to echo the payload. */
  heartbeat_request: 1,
  /** Echoes the payload of a request. */
  heartbeat_response: 2,
} as const;
export type HeartbeatMessageType = (typeof HeartbeatMessageType)[keyof typeof HeartbeatMessageType];

/** RFC 6520 §4: the padding is at least 16 random bytes. */
export const MIN_HEARTBEAT_PADDING = 16;

/** type(1) + payload_length(2). */
const HEARTBEAT_HEADER_LENGTH = 3;

/** RFC 6520 §2: struct { HeartbeatMode mode; } HeartbeatExtension. */
export function encodeHeartbeatExtension(mode: HeartbeatMode): Extension {
  return { type: ExtensionType.heartbeat, data: new Writer(1).uint8(mode).finish() };
}

/** The mode of a heartbeat extension; an unknown mode is 'invalid' (RFC 6520 §2: answered with illegal_parameter). */
export function decodeHeartbeatExtension(data: Uint8Array): Result<HeartbeatMode> {
  return decode('HeartbeatExtension', data, (r): HeartbeatMode => {
    const mode = r.uint8('mode');
    if (mode !== HeartbeatMode.peer_allowed_to_send && mode !== HeartbeatMode.peer_not_allowed_to_send) r.fail('invalid', 'mode');
    return mode as HeartbeatMode;
  });
}

/** A HeartbeatMessage (RFC 6520 §4) as read: its padding is ignored. */
export interface HeartbeatMessage {
  /** heartbeat_request or heartbeat_response. */
  readonly type: HeartbeatMessageType;
  /** The payload, a view into the record. */
  readonly payload: Uint8Array;
}

/** type, payload_length, payload, then `padding` (at least 16 random bytes, RFC 6520 §4). */
export function encodeHeartbeatMessage(type: HeartbeatMessageType, payload: Uint8Array, padding: Uint8Array): Uint8Array {
  if (padding.length < MIN_HEARTBEAT_PADDING) throw new RangeError(`heartbeat padding must be at least ${MIN_HEARTBEAT_PADDING} bytes`);
  return new Writer(HEARTBEAT_HEADER_LENGTH + payload.length + padding.length).uint8(type).uint16(payload.length).bytes(payload).bytes(padding).finish();
}

/**
 * Reads a whole heartbeat record. RFC 6520 §4: a message whose payload_length does not
 * leave room for the payload and 16 bytes of padding in the record is discarded silently;
 * trusting that length is what Heartbleed (CVE-2014-0160) did, echoing the memory behind
 * the record. So is an unknown type.
 */
export function decodeHeartbeatMessage(record: Uint8Array): Result<HeartbeatMessage> {
  if (record.length < HEARTBEAT_HEADER_LENGTH + MIN_HEARTBEAT_PADDING) return fail('truncated', 'HeartbeatMessage');
  return decode('HeartbeatMessage', record, (r): HeartbeatMessage => {
    const type = r.uint8('type');
    if (type !== HeartbeatMessageType.heartbeat_request && type !== HeartbeatMessageType.heartbeat_response) r.fail('invalid', 'type');
    const length = r.uint16('payload_length');
    if (HEARTBEAT_HEADER_LENGTH + length + MIN_HEARTBEAT_PADDING > record.length) r.fail('invalid', 'payload_length');
    const payload = r.bytes(length, 'payload');
    r.bytes(r.remaining, 'padding');
    return { type: type as HeartbeatMessageType, payload };
  });
}
