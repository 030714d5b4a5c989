import type { CipherSuite } from '../crypto/cipher-suites.js';
import { EpochSet } from './epoch-set.js';
import { nullCipher, type RecordCipher } from './record-cipher.js';
import { WriteEpoch } from './write-epoch.js';

/**
 * The write side of a connection's epochs. Older epochs stay usable so that a
 * retransmitted flight goes out in the epochs it was first sent in (RFC 6347 §4.2.4).
 */
export class WriteEpochs extends EpochSet<WriteEpoch> {
  /** Epoch 0 has no keys to install; it is always there, beside the installed epochs. */
  private epoch0: WriteEpoch;

  /**
   * `firstSequenceNumber` is where epoch 0 starts: a server continues after the
   * record number of the ClientHello that passed the cookie exchange, so its
   * ServerHello never repeats the number of its HelloVerifyRequest (RFC 6347 §4.2.1).
   */
  constructor(firstSequenceNumber = 0) {
    super();
    this.epoch0 = new WriteEpoch(nullCipher(0), { startSequenceNumber: firstSequenceNumber });
  }

  /** Adds the next epoch with its keys; records are sealed under it from now on. */
  install(cipher: RecordCipher, suite: CipherSuite): void {
    // Bytes a protected record adds to its plaintext: explicit nonce and tag; with a
    // Connection ID, the CID in the header and the real content type (RFC 9146 §4).
    const cid = cipher.connectionId === undefined ? 0 : cipher.connectionId.length + 1;
    const writer = new WriteEpoch(cipher, { overhead: suite.recordIvLength + suite.tagLength + cid });
    if (writer.epoch === 0) this.epoch0 = writer;
    else this.put(writer);
  }

  /** Whether an epoch is installed. */
  has(epoch: number): boolean {
    return this.writer(epoch) !== undefined;
  }

  /** Bytes protection adds to a record of this epoch (header, explicit nonce, tag). */
  overhead(epoch: number): number {
    return this.writer(epoch)?.overhead ?? 0;
  }

  /** Protects plaintext as the next record of this epoch, header included. */
  seal(epoch: number, contentType: number, version: number, plaintext: Uint8Array): Uint8Array {
    const writer = this.writer(epoch);
    if (!writer) throw new Error(`no write keys for epoch ${epoch}`);
    return writer.seal(contentType, version, plaintext);
  }

  private writer(epoch: number): WriteEpoch | undefined {
    return epoch === 0 ? this.epoch0 : this.find(epoch);
  }
}
