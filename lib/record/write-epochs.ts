import type { CipherSuite } from '../crypto/cipher-suites.js';
import { nullCipher, type RecordCipher } from './record-cipher.js';
import { WriteEpoch } from './write-epoch.js';

/**
 * The write side of a connection's epochs. Older epochs stay usable so that a
 * retransmitted flight goes out in the epochs it was first sent in (RFC 6347 §4.2.4).
 */
export class WriteEpochs {
  /**
   * Epoch 0, the newest installed epoch, and the others, which a connection that never
   * renegotiates does not have: fields, and a Map only when needed, as an idle session
   * keeps these for its whole life.
   */
  private epoch0: WriteEpoch;
  private newest: WriteEpoch | undefined;
  private older: Map<number, WriteEpoch> | undefined;

  /**
   * `firstSequenceNumber` is where epoch 0 starts: a server continues after the
   * record number of the ClientHello that passed the cookie exchange, so its
   * ServerHello never repeats the number of its HelloVerifyRequest (RFC 6347 §4.2.1).
   */
  constructor(firstSequenceNumber = 0) {
    this.epoch0 = new WriteEpoch(nullCipher(0), { startSequenceNumber: firstSequenceNumber });
  }

  /** The newest epoch, used for application data and alerts. */
  get current(): number {
    return this.newest?.epoch ?? 0;
  }

  install(cipher: RecordCipher, suite: CipherSuite): void {
    // Bytes a protected record adds to its plaintext: explicit nonce and tag.
    const writer = new WriteEpoch(cipher, { overhead: suite.recordIvLength + suite.tagLength });
    const { newest } = this;
    if (writer.epoch === 0) {
      this.epoch0 = writer;
    } else if (newest === undefined || newest.epoch === writer.epoch) {
      this.newest = writer;
    } else if (writer.epoch > newest.epoch) {
      (this.older ??= new Map()).set(newest.epoch, newest);
      this.newest = writer;
    } else {
      (this.older ??= new Map()).set(writer.epoch, writer);
    }
  }

  has(epoch: number): boolean {
    return this.find(epoch) !== undefined;
  }

  overhead(epoch: number): number {
    return this.find(epoch)?.overhead ?? 0;
  }

  seal(epoch: number, contentType: number, version: number, plaintext: Uint8Array): Uint8Array {
    const writer = this.find(epoch);
    if (!writer) throw new Error(`no write keys for epoch ${epoch}`);
    return writer.seal(contentType, version, plaintext);
  }

  private find(epoch: number): WriteEpoch | undefined {
    if (epoch === 0) return this.epoch0;
    return this.newest?.epoch === epoch ? this.newest : this.older?.get(epoch);
  }
}
