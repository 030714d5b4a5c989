import { hash, type HashAlgorithm } from '../crypto/hash.js';
import { transcriptBytes, type HandshakeMessage } from './handshake-message.js';

/**
 * The handshake messages both sides hash for the Finished messages and the
 * extended master secret. RFC 6347 §4.2.6: the initial ClientHello and the
 * HelloVerifyRequest are left out; every message is hashed with its DTLS header
 * as if unfragmented.
 */
export class Transcript {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  add(message: HandshakeMessage): void {
    const bytes = transcriptBytes(message);
    this.parts.push(bytes);
    this.length += bytes.length;
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
    return hash(algorithm, this.bytes());
  }
}
