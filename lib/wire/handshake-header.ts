import { HANDSHAKE_HEADER_LENGTH } from './constants.js';
import { decode, type Reader } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

/**
 * RFC 6347 §4.2.2: one handshake message, or a fragment of one, as carried in a record.
 * `length` is the whole message's body length; `body` holds bytes
 * [fragmentOffset, fragmentOffset + fragmentLength) of it.
 */
export interface HandshakeFragment {
  /** The HandshakeType. */
  msgType: number;
  /** The whole message's body length. */
  length: number;
  /** Its message_seq. */
  messageSeq: number;
  /** Where this fragment starts in the body. */
  fragmentOffset: number;
  /** How many bytes of the body it carries. */
  fragmentLength: number;
  /** The fragment bytes: a view into the record payload, not a copy. */
  body: Uint8Array;
}

/**
 * Splits a handshake record's payload into the fragments it carries: RFC 6347 §4.2.3
 * lets one record hold several messages or fragments back to back, and a record is
 * never split across datagrams, so a fragment running past the payload's end is
 * inconsistent ('invalid'), not merely short. An empty payload is 'truncated': RFC 5246
 * §6.2.1 forbids zero-length handshake records.
 */
export function decodeHandshakeFragments(recordPayload: Uint8Array): Result<HandshakeFragment[]> {
  return decode('HandshakeFragment', recordPayload, (r) => {
    const fragments: HandshakeFragment[] = [];
    do fragments.push(readFragment(r));
    while (!r.atEnd);
    return fragments;
  });
}

function readFragment(r: Reader): HandshakeFragment {
  const msgType = r.uint8('msg_type');
  const length = r.uint24('length');
  const messageSeq = r.uint16('message_seq');
  const fragmentOffset = r.uint24('fragment_offset');
  const fragmentLength = r.uint24('fragment_length');
  if (fragmentOffset + fragmentLength > length) r.fail('invalid', 'fragment_length');
  if (fragmentLength > r.remaining) r.fail('invalid', 'body');
  const body = r.bytes(fragmentLength, 'body');
  return { msgType, length, messageSeq, fragmentOffset, fragmentLength, body };
}

/** Header + fragment bytes; `body.length` must equal `fragmentLength`. */
export function encodeHandshakeFragment(f: HandshakeFragment): Uint8Array {
  if (f.body.length !== f.fragmentLength) {
    throw new RangeError(`fragment body is ${f.body.length} bytes, fragmentLength says ${f.fragmentLength}`);
  }
  if (f.fragmentOffset + f.fragmentLength > f.length) {
    throw new RangeError('fragment extends past the end of its message');
  }
  return new Writer(HANDSHAKE_HEADER_LENGTH + f.body.length)
    .uint8(f.msgType)
    .uint24(f.length)
    .uint16(f.messageSeq)
    .uint24(f.fragmentOffset)
    .uint24(f.fragmentLength)
    .bytes(f.body)
    .finish();
}

/**
 * The 12-byte header of a whole message sent as a single fragment (offset 0,
 * fragment_length = length), the form the transcript hash covers (RFC 6347 §4.2.6).
 */
export function encodeHandshakeMessageHeader(msgType: number, messageSeq: number, bodyLength: number): Uint8Array {
  return new Writer(HANDSHAKE_HEADER_LENGTH)
    .uint8(msgType)
    .uint24(bodyLength)
    .uint16(messageSeq)
    .uint24(0)
    .uint24(bodyLength)
    .finish();
}

/**
 * A whole message as a single fragment (offset 0, fragment_length = length). This is
 * also the form the DTLS 1.2 transcript hash covers (RFC 6347 §4.2.6), whatever
 * fragmentation was used on the wire. DTLS 1.3 travels with the same 12-byte header but
 * hashes TLS 1.3's form instead, msg_type and length before the body, without
 * message_seq and the fragment fields (RFC 9147 §5.2).
 */
export function encodeHandshakeMessage(msgType: number, messageSeq: number, body: Uint8Array): Uint8Array {
  return encodeHandshakeFragment({
    msgType,
    length: body.length,
    messageSeq,
    fragmentOffset: 0,
    fragmentLength: body.length,
    body,
  });
}
