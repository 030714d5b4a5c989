import type { RecordCipher } from './record-cipher.js';
import { SequenceNumberExhaustedError } from './sequence-number-exhausted-error.js';
import { isSequenceNumber, MAX_SEQUENCE_NUMBER } from './sequence-number.js';

export interface WriteEpochOptions {
  /**
   * First sequence number to use; 0 unless resuming a counter. RFC 6347 §4.1:
   * each epoch starts at 0. Also lets specs reach the end of the sequence space.
   */
  readonly startSequenceNumber?: number;
  /** Bytes a protected record adds to its plaintext (explicit nonce and tag), for the layer that sizes fragments; 0 unless given. */
  readonly overhead?: number;
}

/** The sending side of one epoch: owns the sequence counter and seals records with it. */
export class WriteEpoch {
  /** The epoch number. */
  readonly epoch: number;
  /** See WriteEpochOptions.overhead. */
  readonly overhead: number;
  private readonly cipher: RecordCipher;
  private next: number;

  constructor(cipher: RecordCipher, options: WriteEpochOptions = {}) {
    const start = options.startSequenceNumber ?? 0;
    if (!isSequenceNumber(start)) throw new RangeError(`startSequenceNumber out of range: ${start}`);
    this.cipher = cipher;
    this.epoch = cipher.epoch;
    this.overhead = options.overhead ?? 0;
    this.next = start;
  }

  /** The sequence number the next record will take (nextSequenceNumber() takes it). */
  get upcoming(): number {
    return this.next;
  }

  /**
   * Takes the next sequence number. Numbers 0..2^48-1 are handed out once each;
   * after the last one this throws SequenceNumberExhaustedError instead of
   * wrapping (RFC 6347 §4.1), and keeps throwing.
   */
  nextSequenceNumber(): number {
    if (this.next > MAX_SEQUENCE_NUMBER) throw new SequenceNumberExhaustedError(this.epoch);
    return this.next++;
  }

  /** Protects `plaintext` as one record with the next sequence number; returns header + fragment. */
  seal(contentType: number, version: number, plaintext: Uint8Array): Uint8Array {
    return this.cipher.protect(contentType, version, this.nextSequenceNumber(), plaintext);
  }
}
