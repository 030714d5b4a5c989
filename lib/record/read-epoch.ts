import type { RecordCipher } from './record-cipher.js';
import { ReplayWindow } from './replay-window.js';
import type { RawRecord } from './split-records.js';

/** The receiving side of one epoch: replay check, then unprotect, then remember. */
export class ReadEpoch {
  /** The epoch number. */
  readonly epoch: number;
  private readonly cipher: RecordCipher;
  private readonly window: ReplayWindow;

  constructor(cipher: RecordCipher, replayWindowSize = 64) {
    this.cipher = cipher;
    this.epoch = cipher.epoch;
    this.window = new ReplayWindow(replayWindowSize);
  }

  /**
   * Returns the plaintext of `record`, or null when it belongs to another
   * epoch, is a replay or too old, or does not authenticate. RFC 6347
   * §4.1.2.7: invalid records are silently discarded; §4.1.2.6: the window is
   * checked before the (costly) decryption and updated only after it succeeds,
   * so a forged record can neither consume a sequence number nor slide the window.
   */
  open(record: RawRecord): Uint8Array | null {
    const { header, fragment } = record;
    if (header.epoch !== this.epoch || !this.window.isFresh(header.sequenceNumber)) return null;
    const plaintext = this.cipher.unprotect(header, fragment);
    if (plaintext === null) return null;
    this.window.markSeen(header.sequenceNumber);
    return plaintext;
  }
}
