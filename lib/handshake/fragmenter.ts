import { HANDSHAKE_HEADER_LENGTH } from '../wire/constants.js';
import type { HandshakeFragment } from '../wire/handshake-header.js';
import type { HandshakeMessage } from './handshake-message.js';

/**
 * Splits a handshake message into fragments whose encoded size (handshake header
 * included) is at most `maxFragmentSize` (RFC 6347 §4.2.3). Each fragment is sent in
 * its own record; a message that fits is returned as one fragment.
 */
export function fragmentMessage(message: HandshakeMessage, maxFragmentSize: number): HandshakeFragment[] {
  const room = maxFragmentSize - HANDSHAKE_HEADER_LENGTH;
  if (room < 1) throw new RangeError(`maxFragmentSize ${maxFragmentSize} leaves no room for a fragment body`);
  const { msgType, messageSeq, body } = message;
  const fragments: HandshakeFragment[] = [];
  let offset = 0;
  do {
    const fragmentLength = Math.min(room, body.length - offset);
    fragments.push({
      msgType,
      length: body.length,
      messageSeq,
      fragmentOffset: offset,
      fragmentLength,
      body: body.subarray(offset, offset + fragmentLength),
    });
    offset += fragmentLength;
  } while (offset < body.length);
  return fragments;
}
