import { aeadUsage, KeyUsageExhaustedError, type AeadUsage } from './aead-limits13.js';
import type { RecordCipher13 } from './record-cipher13.js';
import { SequenceNumberExhaustedError } from './sequence-number-exhausted-error.js';
import { MAX_SEQUENCE_NUMBER } from './sequence-number.js';

/** The sending side of one DTLS 1.3 epoch: its sequence counter, and the count of records sealed against the AEAD's limit (RFC 9147 §4.5.3). */
export class WriteEpoch13 {
  readonly epoch: number;
  private next = 0;

  constructor(
    private readonly cipher: RecordCipher13,
    /** Records this key may protect (AEAD_LIMITS[aead].protected unless a spec lowers it). */
    private readonly protectLimit: number,
    /** 1 or 2 bytes of sequence number in the header (RFC 9147 §4: S). */
    private readonly sequenceLength: 1 | 2 = 2,
  ) {
    this.epoch = cipher.epoch;
  }

  /** Writes `cid` in this epoch's records from now on (RFC 9147 §9). */
  useConnectionId(cid: Uint8Array | undefined): void {
    this.cipher.useConnectionId(cid);
  }

  /** Bytes a record adds to its content at most. */
  get overhead(): number {
    return this.cipher.overhead;
  }

  /** Records sealed so far (each takes one sequence number, from 0: RFC 9147 §4.2). */
  get sealed(): number {
    return this.next;
  }

  /** Where the key stands against its protection limit. */
  get usage(): AeadUsage {
    return aeadUsage(this.next, this.protectLimit);
  }

  /**
   * Seals `content` as the next record. Throws KeyUsageExhaustedError once the key protected
   * as many records as its AEAD allows, and SequenceNumberExhaustedError after 2^48 - 1
   * (RFC 9147 §4.2.1: rekey before the sequence number wraps): both are bugs of the session,
   * which was told 'update-advised' long before.
   */
  seal(contentType: number, content: Uint8Array): Uint8Array {
    if (this.next >= this.protectLimit) throw new KeyUsageExhaustedError(this.epoch);
    if (this.next > MAX_SEQUENCE_NUMBER) throw new SequenceNumberExhaustedError(this.epoch);
    return this.cipher.protect(contentType, this.next++, content, this.sequenceLength);
  }
}
