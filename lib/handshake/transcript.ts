import { RunningHash, type HashAlgorithm } from '../crypto/hash.js';
import { encodeHandshakeMessageHeader } from '../wire/handshake-header.js';
import { Writer } from '../wire/writer.js';
import type { HandshakeMessage } from './handshake-message.js';

/**
 * The handshake messages both sides hash for the Finished messages and the
 * extended master secret, with the negotiated suite's PRF hash. RFC 6347 §4.2.6:
 * the initial ClientHello and the HelloVerifyRequest are left out; every message
 * is hashed with its DTLS header as if unfragmented.
 *
 * The hash runs alongside: each message is hashed once, as it is added, and each
 * hash() finishes a copy. The session hash (RFC 7627 §3, up to ClientKeyExchange)
 * and both Finished hashes (RFC 5246 §7.4.9) are prefixes of one message sequence,
 * so none of them rehashes what came before.
 */
export class Transcript {
  private readonly running: RunningHash;
  /** Every message so far, for a CertificateVerify; one growing buffer rather than an array per message. */
  private readonly all = new Writer(512);

  constructor(algorithm: HashAlgorithm) {
    this.running = new RunningHash(algorithm);
  }

  add(message: HandshakeMessage): void {
    const header = encodeHandshakeMessageHeader(message.msgType, message.messageSeq, message.body.length);
    this.running.update(header).update(message.body);
    this.all.bytes(header).bytes(message.body);
  }

  /** Everything so far, as a CertificateVerify signs it (RFC 5246 §7.4.8). */
  bytes(): Uint8Array {
    return this.all.finish();
  }

  hash(): Uint8Array {
    return this.running.digest();
  }
}
