import { ContentType } from '../wire/constants.js';
import { EpochSet } from './epoch-set.js';
import { decodeInnerPlaintext } from './inner-plaintext.js';
import { ReadEpoch } from './read-epoch.js';
import { nullCipher, type RecordCipher } from './record-cipher.js';
import type { RawRecord } from './split-records.js';

/** A record that authenticated in its epoch. */
export interface PlainRecord {
  /** Its content type (RFC 5246 §6.2.1). */
  readonly contentType: number;
  /** The epoch it was protected under. */
  readonly epoch: number;
  /** Its record sequence number. */
  readonly sequenceNumber: number;
  /** The plaintext. */
  readonly payload: Uint8Array;
  /**
   * Whether it is newer (epoch, then sequence number) than every record that authenticated
   * before it: RFC 9146 §6 lets only such a record move the peer's address.
   */
  readonly newest?: boolean;
}

/** The outcome of opening a record: its plaintext, "future" (keys for its epoch not known yet), or undefined (drop). */
export type OpenResult = PlainRecord | 'future' | undefined;

/**
 * The read side of a connection's epochs. Epoch 0 stays readable after the
 * handshake so that a peer's retransmitted epoch-0 flight can still be seen
 * (RFC 6347 §4.2.4); which content it may carry is decided above this layer.
 */
export class ReadEpochs extends EpochSet<ReadEpoch> {
  private nextEpochExpected = true;
  /** The newest protected record that authenticated: its epoch and sequence number (-1: none yet). */
  private newestEpoch = 0;
  private newestSequence = -1;

  /**
   * The length of the Connection ID we receive records with (RFC 9146; 0 for none): a
   * tls12_cid record's header cannot be read without it.
   */
  readonly cidLength: number;

  constructor(
    private readonly replayWindowSize = 64,
    cidLength = 0,
  ) {
    super();
    this.cidLength = cidLength;
  }

  /** No further epoch will come (the handshake is over and we never renegotiate): stop holding records for one. */
  expectNoNextEpoch(): void {
    this.nextEpochExpected = false;
  }

  /** Installing an epoch again replaces it, with a fresh replay window. */
  install(cipher: RecordCipher): void {
    this.put(new ReadEpoch(cipher, this.replayWindowSize));
  }

  /** Authenticates and decrypts one record and checks its epoch's replay window: the plaintext, 'future' for a record of an epoch whose keys are not here yet, or undefined to drop it. */
  open(record: RawRecord): OpenResult {
    const { header } = record;
    if (header.epoch === 0) {
      // Epoch 0 is unauthenticated, so a replay window there stops no attacker, but it
      // would drop a server's ServerHello whose record number repeats the one of its
      // HelloVerifyRequest (RFC 6347 §4.2.1 has the HVR reuse the ClientHello's). Duplicate
      // handshake messages are the sequencer's business.
      const payload = nullCipher(0).unprotect(header, record.fragment);
      return payload === null ? undefined : { contentType: header.contentType, epoch: 0, sequenceNumber: header.sequenceNumber, payload };
    }
    const epoch = this.find(header.epoch);
    if (epoch === undefined) {
      // RFC 6347 §4.1: records of the next epoch may arrive before its keys; they may be buffered.
      return this.nextEpochExpected && header.epoch === this.current + 1 ? 'future' : undefined;
    }
    const opened = epoch.open(record);
    if (opened === null) return undefined;
    let contentType = header.contentType;
    let payload = opened;
    if (contentType === ContentType.tls12_cid) {
      // RFC 9146 §4: the real type is the last non-zero byte of the DTLSInnerPlaintext.
      const inner = decodeInnerPlaintext(opened);
      if (inner === undefined) return undefined;
      ({ contentType, content: payload } = inner);
    }
    const { sequenceNumber } = header;
    const newest = header.epoch > this.newestEpoch || (header.epoch === this.newestEpoch && sequenceNumber > this.newestSequence);
    if (newest) {
      this.newestEpoch = header.epoch;
      this.newestSequence = sequenceNumber;
    }
    return { contentType, epoch: header.epoch, sequenceNumber, payload, newest };
  }
}
