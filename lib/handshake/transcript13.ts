import { hash, hashLength, type HashAlgorithm } from '../crypto/hash.js';
import { HandshakeType } from '../wire/constants.js';
import { Writer } from '../wire/writer.js';
import type { HandshakeMessage } from './handshake-message.js';

/**
 * The DTLS 1.3 transcript (RFC 9147 §5.2): unlike DTLS 1.2's, each message is hashed as
 * TLS 1.3 frames it, msg_type and a 24-bit length before the body, without message_seq
 * or the fragment fields. The hash is the suite's, known only once the ServerHello is, so
 * the framed messages are kept (a handshake's few kilobytes) and hashed when asked.
 */
export class Transcript13 {
  private readonly all = new Writer(1024);

  add(message: Pick<HandshakeMessage, 'msgType' | 'body'>): void {
    this.all.bytes(frame(message.msgType, message.body, message.body.length));
  }

  /** Transcript-Hash of everything so far (RFC 8446 §4.4.1). */
  hash(algorithm: HashAlgorithm): Uint8Array {
    return hash(algorithm, this.all.finish());
  }

  /**
   * The hash a PSK binder covers (RFC 8446 §4.2.11.2): everything so far and then `message`
   * cut `cut` bytes short (the binders list), its length field still saying the whole.
   */
  partialHash(algorithm: HashAlgorithm, message: Pick<HandshakeMessage, 'msgType' | 'body'>, cut: number): Uint8Array {
    const partial = frame(message.msgType, message.body.subarray(0, message.body.length - cut), message.body.length);
    return hash(algorithm, new Writer().bytes(this.all.finish()).bytes(partial).finish());
  }

  /**
   * A transcript that begins after a HelloRetryRequest (RFC 8446 §4.4.1): ClientHello1 is
   * replaced by a message_hash message holding Hash(ClientHello1). A stateless server gets
   * that hash back from its cookie; the client computes it with {@link messageHash}.
   */
  static afterRetry(algorithm: HashAlgorithm, clientHello1Hash: Uint8Array): Transcript13 {
    if (clientHello1Hash.length !== hashLength(algorithm)) throw new RangeError('ClientHello1 hash of the wrong length');
    const transcript = new Transcript13();
    transcript.add({ msgType: HandshakeType.message_hash, body: clientHello1Hash });
    return transcript;
  }
}

/** The hash of one message framed as the transcript frames it: Hash(ClientHello1) for a cookie or a message_hash. */
export function messageHash(algorithm: HashAlgorithm, message: Pick<HandshakeMessage, 'msgType' | 'body'>): Uint8Array {
  return hash(algorithm, frame(message.msgType, message.body, message.body.length));
}

function frame(msgType: number, body: Uint8Array, length: number): Uint8Array {
  return new Writer(4 + body.length).uint8(msgType).uint24(length).bytes(body).finish();
}
