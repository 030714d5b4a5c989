import type { CipherSuite } from '../crypto/cipher-suites.js';
import { nullCipher, type RecordCipher } from './record-cipher.js';
import { WriteEpoch } from './write-epoch.js';

/**
 * The write side of a connection's epochs. Older epochs stay usable so that a
 * retransmitted flight goes out in the epochs it was first sent in (RFC 6347 §4.2.4).
 */
export class WriteEpochs {
  private readonly epochs = new Map<number, { writer: WriteEpoch; overhead: number }>();
  private highest = 0;

  /**
   * `firstSequenceNumber` is where epoch 0 starts: a server continues after the
   * record number of the ClientHello that passed the cookie exchange, so its
   * ServerHello never repeats the number of its HelloVerifyRequest (RFC 6347 §4.2.1).
   */
  constructor(firstSequenceNumber = 0) {
    this.epochs.set(0, { writer: new WriteEpoch(nullCipher(0), { startSequenceNumber: firstSequenceNumber }), overhead: 0 });
  }

  /** The newest epoch, used for application data and alerts. */
  get current(): number {
    return this.highest;
  }

  install(cipher: RecordCipher, suite: CipherSuite): void {
    // Bytes a protected record adds to its plaintext: explicit nonce and tag.
    this.epochs.set(cipher.epoch, { writer: new WriteEpoch(cipher), overhead: suite.recordIvLength + suite.tagLength });
    this.highest = Math.max(this.highest, cipher.epoch);
  }

  has(epoch: number): boolean {
    return this.epochs.has(epoch);
  }

  overhead(epoch: number): number {
    return this.epochs.get(epoch)?.overhead ?? 0;
  }

  seal(epoch: number, contentType: number, version: number, plaintext: Uint8Array): Uint8Array {
    const entry = this.epochs.get(epoch);
    if (!entry) throw new Error(`no write keys for epoch ${epoch}`);
    return entry.writer.seal(contentType, version, plaintext);
  }
}
