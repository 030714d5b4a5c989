import { RunningHash, type HashAlgorithm } from '../crypto/hash.js';
import { encodeHandshakeMessageHeader } from '../wire/handshake-header.js';
import { Writer } from '../wire/writer.js';
import type { HandshakeMessage } from './handshake-message.js';

/**
 * The handshake messages both sides hash for the Finished messages and the
 * extended master secret. RFC 6347 §4.2.6: the initial ClientHello and the
 * HelloVerifyRequest are left out; every message is hashed with its DTLS header
 * as if unfragmented.
 *
 * The hash runs alongside: from the first hash() on, each message is hashed once, as
 * it is added, and each hash() finishes a copy. The session hash (RFC 7627 §3, up to
 * ClientKeyExchange) and both Finished hashes (RFC 5246 §7.4.9) are prefixes of one
 * message sequence, so none of them rehashes what came before.
 */
export class Transcript {
  /** Every message so far, for a CertificateVerify; one growing buffer rather than an array per message. */
  private readonly all = new Writer(512);
  private running?: { readonly algorithm: HashAlgorithm; readonly hash: RunningHash };

  add(message: HandshakeMessage): void {
    const header = encodeHandshakeMessageHeader(message.msgType, message.messageSeq, message.body.length);
    this.all.bytes(header).bytes(message.body);
    this.running?.hash.update(header).update(message.body);
  }

  /** Everything so far, as a CertificateVerify signs it (RFC 5246 §7.4.8). */
  bytes(): Uint8Array {
    return this.all.finish();
  }

  /** The hash of everything so far; a handshake asks with its suite's PRF hash every time. */
  hash(algorithm: HashAlgorithm): Uint8Array {
    if (this.running?.algorithm !== algorithm) {
      this.running = { algorithm, hash: new RunningHash(algorithm).update(this.all.finish()) };
    }
    return this.running.hash.digest();
  }
}
