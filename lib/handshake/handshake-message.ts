import { encodeHandshakeMessage } from '../wire/handshake-header.js';

/** A whole (reassembled or not yet fragmented) handshake message. */
export interface HandshakeMessage {
  readonly msgType: number;
  readonly messageSeq: number;
  readonly body: Uint8Array;
}

/**
 * The message as RFC 6347 §4.2.6 hashes it into the transcript: with the DTLS
 * header as if it had been sent in one fragment (offset 0, fragment_length = length).
 */
export function transcriptBytes(message: HandshakeMessage): Uint8Array {
  return encodeHandshakeMessage(message.msgType, message.messageSeq, message.body);
}
