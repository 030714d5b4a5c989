import { hashStream, type HashAlgorithm, type HashStream } from '../crypto/hash.js';
import { transcriptBytes, type HandshakeMessage } from './handshake-message.js';

/**
 * The handshake messages both sides hash for the Finished messages and the
 * extended master secret. RFC 6347 §4.2.6: the initial ClientHello and the
 * HelloVerifyRequest are left out; every message is hashed with its DTLS header
 * as if unfragmented.
 *
 * The hash runs alongside: from the first hash() on, each message is hashed once as it
 * is added, and each hash() finishes a copy. The session hash (RFC 7627 §3, up to
 * ClientKeyExchange) and both Finished hashes (RFC 5246 §7.4.9) are prefixes of one
 * message sequence, so none of them rehashes what came before.
 */
export class Transcript {
  private readonly parts: Uint8Array[] = [];
  private length = 0;
  private running?: { readonly algorithm: HashAlgorithm; readonly stream: HashStream };

  add(message: HandshakeMessage): void {
    const bytes = transcriptBytes(message);
    this.parts.push(bytes);
    this.length += bytes.length;
    this.running?.stream.update(bytes);
  }

  /** Everything so far, as a CertificateVerify signs it (RFC 5246 §7.4.8). */
  bytes(): Uint8Array {
    const all = new Uint8Array(this.length);
    let offset = 0;
    for (const part of this.parts) {
      all.set(part, offset);
      offset += part.length;
    }
    return all;
  }

  hash(algorithm: HashAlgorithm): Uint8Array {
    if (this.running?.algorithm !== algorithm) {
      const stream = hashStream(algorithm);
      for (const part of this.parts) stream.update(part);
      this.running = { algorithm, stream };
    }
    return this.running.stream.clone().digest();
  }
}
