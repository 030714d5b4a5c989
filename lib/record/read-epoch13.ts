import { aeadUsage, type AeadUsage } from './aead-limits13.js';
import type { InnerPlaintext, RecordCipher13 } from './record-cipher13.js';
import { ReplayWindow } from './replay-window.js';
import { reconstructSequenceNumber } from './sequence-reconstruction.js';
import type { CiphertextRecord } from './split-records13.js';

/** A record that deprotected in its epoch, with its full sequence number. */
export interface OpenedRecord13 extends InnerPlaintext {
  readonly sequenceNumber: number;
}

/**
 * The receiving side of one DTLS 1.3 epoch: sequence number reconstruction around the replay
 * window's right edge (RFC 9147 §4.2.2), deprotection, then the replay check (§4.5.1: after
 * deprotection, so that a discard is no timing channel for the record number), and the count
 * of records that failed authentication against the AEAD's limit (§4.5.3).
 */
export class ReadEpoch13 {
  readonly epoch: number;
  private readonly window: ReplayWindow;
  private forged = 0;

  constructor(
    private readonly cipher: RecordCipher13,
    /** Records that may fail authentication under this key before it opens no more. */
    private readonly forgeryLimit: number,
    replayWindowSize = 64,
    /** Other CIDs of ours the peer may use (RFC 9147 §9: ones we gave it later). */
    private readonly alsoAccepted: (cid: Uint8Array) => boolean = () => false,
  ) {
    this.epoch = cipher.epoch;
    this.window = new ReplayWindow(replayWindowSize);
  }

  /** Records of this epoch that failed authentication so far. */
  get forgeries(): number {
    return this.forged;
  }

  /** Where the key stands against its forgery limit. */
  get usage(): AeadUsage {
    return aeadUsage(this.forged, this.forgeryLimit);
  }

  /**
   * The record's content, type and full sequence number, or null to drop it: a Connection ID
   * other than the epoch's (or one of ours accepted besides), a failed authentication (counted), an invalid inner plaintext, a
   * replay or a number left of the window. Once the forgery limit is reached it opens nothing.
   * The window moves only for records that deprotected (RFC 9147 §4.5.1).
   */
  open(record: CiphertextRecord): OpenedRecord13 | null {
    const { cipher } = this;
    if (this.forged >= this.forgeryLimit) return null;
    if (!sameCid(record.cid, cipher.connectionId) && (record.cid === undefined || !this.alsoAccepted(record.cid))) return null;
    const low = cipher.unmaskSequence(record);
    const sequenceNumber = reconstructSequenceNumber(this.window.rightEdge + 1, low, record.sequenceLength === 2 ? 16 : 8);
    const inner = cipher.unprotect(record, sequenceNumber);
    if (inner === 'forged') {
      this.forged++;
      return null;
    }
    if (inner === 'invalid' || !this.window.isFresh(sequenceNumber)) return null;
    this.window.markSeen(sequenceNumber);
    return { contentType: inner.contentType, content: inner.content, sequenceNumber };
  }
}

/** CIDs are public (they travel in clear): no need for a constant-time comparison. Absent on both sides matches. */
function sameCid(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
