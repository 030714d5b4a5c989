import { ReadEpoch } from './read-epoch.js';
import type { RecordCipher } from './record-cipher.js';
import type { RawRecord } from './split-records.js';
import { nullCipher } from './record-cipher.js';

/** A record that authenticated in its epoch. */
export interface PlainRecord {
  readonly contentType: number;
  readonly epoch: number;
  readonly sequenceNumber: number;
  readonly payload: Uint8Array;
}

/** The outcome of opening a record: its plaintext, "future" (keys for its epoch not known yet), or undefined (drop). */
export type OpenResult = PlainRecord | 'future' | undefined;

/**
 * The read side of a connection's epochs. Epoch 0 stays readable after the
 * handshake so that a peer's retransmitted epoch-0 flight can still be seen
 * (RFC 6347 §4.2.4); which content it may carry is decided above this layer.
 */
export class ReadEpochs {
  /**
   * The newest epoch with keys (epoch 0 needs none), and the others, which a connection
   * that never renegotiates does not have: held in a field, and a Map only when needed,
   * as an idle session keeps these for its whole life.
   */
  private newest: ReadEpoch | undefined;
  private older: Map<number, ReadEpoch> | undefined;
  private nextEpochExpected = true;

  constructor(private readonly replayWindowSize = 64) {}

  /** No further epoch will come (the handshake is over and we never renegotiate): stop holding records for one. */
  expectNoNextEpoch(): void {
    this.nextEpochExpected = false;
  }

  /** The newest epoch with keys installed. */
  get current(): number {
    return this.newest?.epoch ?? 0;
  }

  /** Installing an epoch again replaces it, with a fresh replay window. */
  install(cipher: RecordCipher): void {
    const reader = new ReadEpoch(cipher, this.replayWindowSize);
    const { newest } = this;
    if (newest === undefined || newest.epoch === reader.epoch) {
      this.newest = reader;
    } else if (reader.epoch > newest.epoch) {
      (this.older ??= new Map()).set(newest.epoch, newest);
      this.newest = reader;
    } else {
      (this.older ??= new Map()).set(reader.epoch, reader);
    }
  }

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
    const epoch = this.newest?.epoch === header.epoch ? this.newest : this.older?.get(header.epoch);
    if (epoch === undefined) {
      // RFC 6347 §4.1: records of the next epoch may arrive before its keys; they may be buffered.
      return this.nextEpochExpected && header.epoch === this.current + 1 ? 'future' : undefined;
    }
    const payload = epoch.open(record);
    if (payload === null) return undefined;
    return { contentType: header.contentType, epoch: header.epoch, sequenceNumber: header.sequenceNumber, payload };
  }
}
