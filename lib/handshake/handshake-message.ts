/** A whole (reassembled or not yet fragmented) handshake message. */
export interface HandshakeMessage {
  /** The HandshakeType. */
  readonly msgType: number;
  /** Its message_seq (RFC 6347 §4.2.2). */
  readonly messageSeq: number;
  /** The message body, without the handshake header. */
  readonly body: Uint8Array;
}
