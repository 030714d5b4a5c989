import type { CipherSuite } from '../crypto/cipher-suites.js';
import { findEpoch, withEpoch, type EpochList } from './epoch-list.js';
import { nullCipher, type RecordCipher } from './record-cipher.js';
import { WriteEpoch } from './write-epoch.js';

/**
 * The write side of a connection's epochs. Older epochs stay usable so that a
 * retransmitted flight goes out in the epochs it was first sent in (RFC 6347 §4.2.4).
 */
export class WriteEpochs {
  /** Epoch 0 first, then the installed ones, newest last. */
  private epochs: EpochList<WriteEpoch>;
  private highest = 0;

  /**
   * `firstSequenceNumber` is where epoch 0 starts: a server continues after the
   * record number of the ClientHello that passed the cookie exchange, so its
   * ServerHello never repeats the number of its HelloVerifyRequest (RFC 6347 §4.2.1).
   */
  constructor(firstSequenceNumber = 0) {
    this.epochs = [new WriteEpoch(nullCipher(0), { startSequenceNumber: firstSequenceNumber })];
  }

  /** The newest epoch, used for application data and alerts. */
  get current(): number {
    return this.highest;
  }

  install(cipher: RecordCipher, suite: CipherSuite): void {
    // Bytes a protected record adds to its plaintext: explicit nonce and tag.
    const writer = new WriteEpoch(cipher, { overhead: suite.recordIvLength + suite.tagLength });
    this.epochs = withEpoch(this.epochs, writer);
    this.highest = Math.max(this.highest, cipher.epoch);
  }

  has(epoch: number): boolean {
    return findEpoch(this.epochs, epoch) !== undefined;
  }

  overhead(epoch: number): number {
    return findEpoch(this.epochs, epoch)?.overhead ?? 0;
  }

  seal(epoch: number, contentType: number, version: number, plaintext: Uint8Array): Uint8Array {
    const writer = findEpoch(this.epochs, epoch);
    if (!writer) throw new Error(`no write keys for epoch ${epoch}`);
    return writer.seal(contentType, version, plaintext);
  }
}
