import type { AeadAlgorithm } from '../crypto/aead.js';
import type { Tls13CipherSuite } from '../crypto/tls13-cipher-suites.js';
import { ContentType } from '../wire/constants.js';
import { AEAD_LIMITS, type AeadUsage } from './aead-limits13.js';
import { EpochSet } from './epoch-set.js';
import { ReadEpoch13 } from './read-epoch13.js';
import type { OpenResult } from './read-epochs.js';
import { recordCipher13, type CreateAead } from './record-cipher13.js';
import type { RawRecord13 } from './split-records13.js';

export interface ReadEpochs13Options {
  /** Size of each epoch's replay window (RFC 9147 §4.5.1); 64 unless given. */
  readonly replayWindowSize?: number;
  /** The length of the Connection ID we receive records with, 0 for none: a unified header with C set cannot be read without it. */
  readonly cidLength?: number;
  /** The CryptoProvider's createAead; noble's unless given. */
  readonly createAead?: CreateAead;
  /**
   * Forgery limits per AEAD in place of AEAD_LIMITS' (RFC 9147 §4.5.3 leaves CCM_8's to the
   * deployment). Specs also use it to reach a limit.
   */
  readonly forgeryLimits?: Partial<Record<AeadAlgorithm, number>>;
}

/** RFC 9147 §4 inner content types a DTLSCiphertext may carry: alert, handshake, application data, heartbeat, ack. */
const INNER_TYPES = new Set<number>([ContentType.alert, ContentType.handshake, ContentType.application_data, ContentType.heartbeat, ContentType.ack]);

/**
 * The read side of a DTLS 1.3 connection's epochs (RFC 9147 §4.2.1, §6.1): epoch 0's
 * DTLSPlaintext records pass as they are (alert, handshake, ack; their order and duplicates
 * are the handshake's business, as in DTLS 1.2); protected records are opened with the keys of
 * the epoch their two E bits name: the newest installed epoch with those bits (§4.2.2: the
 * current one, else the most recent past one).
 *
 *   const readEpochs = new ReadEpochs13({ cidLength });
 *   readEpochs.install(2, suite, serverHandshakeTrafficSecret);   // keys of the peer's epoch
 *   openDatagram13(datagram, readEpochs, (record) => { ...; return true; });
 *   readEpochs.usage(2);   // 'update-advised': send KeyUpdate(update_requested); 'exhausted': close
 *   readEpochs.retire(2);  // once the handshake epoch may no longer be retransmitted
 *
 * A record whose bits name no installed epoch but the next one expected (2 before any keys,
 * then the newest + 1) is 'future': its keys may come (RFC 9147 §4.2.1 lets it be held).
 */
export class ReadEpochs13 extends EpochSet<ReadEpoch13> {
  readonly cidLength: number;
  private readonly replayWindowSize: number;
  private readonly createAead?: CreateAead;
  private readonly forgeryLimits: Partial<Record<AeadAlgorithm, number>>;
  /** The newest protected record that deprotected: its epoch and sequence number (-1: none yet). */
  private newestEpoch = 0;
  private newestSequence = -1;
  /** Our CIDs besides the one installed with the epochs, given to the peer later (RFC 9147 §9). */
  private readonly otherCids: Uint8Array[] = [];
  private readonly acceptsOther = (cid: Uint8Array): boolean => this.otherCids.some((c) => sameBytes(c, cid));

  constructor(options: ReadEpochs13Options = {}) {
    super();
    this.cidLength = options.cidLength ?? 0;
    this.replayWindowSize = options.replayWindowSize ?? 64;
    this.createAead = options.createAead;
    this.forgeryLimits = options.forgeryLimits ?? {};
  }

  /**
   * Adds the peer's keys of `epoch` (2 handshake, 3 application, 4 on after each KeyUpdate) from
   * its traffic secret; `cid` is our Connection ID, which its records must then carry. Installing
   * an epoch again replaces it, with a fresh replay window and forgery count.
   */
  install(epoch: number, suite: Tls13CipherSuite, trafficSecret: Uint8Array, cid?: Uint8Array): void {
    if (cid !== undefined && cid.length > 0 && cid.length !== this.cidLength) {
      throw new RangeError(`a ${cid.length}-byte CID on a connection that reads ${this.cidLength}-byte CIDs`);
    }
    const cipher = recordCipher13(epoch, suite, trafficSecret, this.createAead, cid);
    this.put(new ReadEpoch13(cipher, this.forgeryLimits[suite.aead] ?? AEAD_LIMITS[suite.aead].forgeries, this.replayWindowSize, this.acceptsOther));
  }

  /** Opens records carrying `cid` too, in every epoch: a CID of ours (of cidLength bytes) the peer was given by a NewConnectionId (RFC 9147 §9). */
  acceptConnectionId(cid: Uint8Array): void {
    if (cid.length !== this.cidLength || cid.length === 0) throw new RangeError(`a ${cid.length}-byte CID on a connection that reads ${this.cidLength}-byte CIDs`);
    this.otherCids.push(cid.slice());
  }

  /** Forgets an older epoch's keys (RFC 9147 §4.2.1: kept only while its records may still arrive). The newest epoch stays. */
  retire(epoch: number): void {
    this.removeOlder(epoch);
  }

  /** Whether an epoch's keys are installed. */
  has(epoch: number): boolean {
    return this.find(epoch) !== undefined;
  }

  /** Where an installed epoch's key stands against its forgery limit; undefined for an epoch not installed. */
  usage(epoch: number): AeadUsage | undefined {
    return this.find(epoch)?.usage;
  }

  /** Records that failed authentication in an installed epoch. */
  forgeries(epoch: number): number {
    return this.find(epoch)?.forgeries ?? 0;
  }

  /** Opens one record: its plaintext, 'future' for an epoch whose keys may still come, or undefined to drop it. */
  open(record: RawRecord13): OpenResult {
    if (record.kind === 'plaintext') {
      const { header, fragment } = record;
      return { contentType: header.contentType, epoch: 0, sequenceNumber: header.sequenceNumber, payload: fragment };
    }
    const epoch = this.epochFor(record.epochBits);
    if (epoch === undefined) return (this.current === 0 ? 2 : this.current + 1) % 4 === record.epochBits ? 'future' : undefined;
    const opened = epoch.open(record);
    if (opened === null || !INNER_TYPES.has(opened.contentType)) return undefined;
    const { sequenceNumber } = opened;
    const newest = epoch.epoch > this.newestEpoch || (epoch.epoch === this.newestEpoch && sequenceNumber > this.newestSequence);
    if (newest) {
      this.newestEpoch = epoch.epoch;
      this.newestSequence = sequenceNumber;
    }
    return { contentType: opened.contentType, epoch: epoch.epoch, sequenceNumber, payload: opened.content, newest };
  }

  /** RFC 9147 §4.2.2: the newest installed epoch whose low two bits are `bits`. */
  private epochFor(bits: number): ReadEpoch13 | undefined {
    // Nearly every record is of the current epoch: no walk over the older ones for it.
    const { current } = this;
    if ((current & 3) === bits) return this.find(current);
    for (const epoch of this.items()) if ((epoch.epoch & 3) === bits) return epoch;
    return undefined;
  }
}

/** CIDs are public: a plain comparison. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
