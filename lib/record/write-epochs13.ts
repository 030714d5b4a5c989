import type { Tls13CipherSuite } from '../crypto/tls13-cipher-suites.js';
import { DTLS_1_2, RECORD_HEADER_LENGTH } from '../wire/constants.js';
import { AEAD_LIMITS, type AeadUsage } from './aead-limits13.js';
import { EpochSet } from './epoch-set.js';
import { nullCipher } from './record-cipher.js';
import { recordCipher13, type CreateAead } from './record-cipher13.js';
import { WriteEpoch } from './write-epoch.js';
import { WriteEpoch13 } from './write-epoch13.js';

export interface WriteEpochs13Options {
  /** Where epoch 0's record numbers start (a server continues after the ClientHello that passed its cookie check). */
  readonly firstSequenceNumber?: number;
  /** The CryptoProvider's createAead; noble's unless given. */
  readonly createAead?: CreateAead;
  /** Bytes of sequence number in each unified header (RFC 9147 §4: 1 saves a byte, 2 survives more reordering); 2 unless given. */
  readonly sequenceLength?: 1 | 2;
  /** Protection limits per AEAD in place of AEAD_LIMITS' (specs use it to reach a limit). */
  readonly protectLimits?: Partial<Record<Tls13CipherSuite['aead'], number>>;
}

/**
 * The write side of a DTLS 1.3 connection's epochs. Epoch 0 writes DTLSPlaintext with
 * legacy_record_version {254, 253} (RFC 9147 §4); installed epochs write DTLSCiphertext.
 * Older epochs stay usable: a retransmission goes out in the epoch it was first sent in
 * (RFC 9147 §4.2.1).
 *
 *   const writeEpochs = new WriteEpochs13();
 *   writeEpochs.install(2, suite, clientHandshakeTrafficSecret);
 *   const records = sealRecords13([{ epoch: 2, contentType: ContentType.handshake, payload }], writeEpochs);
 *   writeEpochs.usage(3);   // 'update-advised': time for a KeyUpdate
 */
export class WriteEpochs13 extends EpochSet<WriteEpoch13> {
  private readonly epoch0: WriteEpoch;
  private readonly createAead?: CreateAead;
  private readonly sequenceLength: 1 | 2;
  private readonly protectLimits: Partial<Record<Tls13CipherSuite['aead'], number>>;

  constructor(options: WriteEpochs13Options = {}) {
    super();
    this.epoch0 = new WriteEpoch(nullCipher(0), { startSequenceNumber: options.firstSequenceNumber ?? 0 });
    this.createAead = options.createAead;
    this.sequenceLength = options.sequenceLength ?? 2;
    this.protectLimits = options.protectLimits ?? {};
  }

  /** Adds our keys of `epoch` from our traffic secret; `cid` is the peer's Connection ID, which our records then carry (RFC 9147 §9). */
  install(epoch: number, suite: Tls13CipherSuite, trafficSecret: Uint8Array, cid?: Uint8Array): void {
    const cipher = recordCipher13(epoch, suite, trafficSecret, this.createAead, cid);
    this.put(new WriteEpoch13(cipher, this.protectLimits[suite.aead] ?? AEAD_LIMITS[suite.aead].protected, this.sequenceLength));
  }

  /** Writes `cid` in the records of every installed epoch from now on: the peer gave a new one (RFC 9147 §9). */
  useConnectionId(cid: Uint8Array | undefined): void {
    for (const epoch of this.items()) epoch.useConnectionId(cid);
  }

  /** Forgets an older epoch's keys once nothing will be retransmitted in it. The newest epoch stays. */
  retire(epoch: number): void {
    this.removeOlder(epoch);
  }

  /** Whether an epoch can be written: 0 always, others once installed. */
  has(epoch: number): boolean {
    return epoch === 0 || this.find(epoch) !== undefined;
  }

  /** Bytes protection adds to a record of this epoch at most (the DTLSPlaintext header in epoch 0). */
  overhead(epoch: number): number {
    return epoch === 0 ? RECORD_HEADER_LENGTH : (this.find(epoch)?.overhead ?? 0);
  }

  /** Where an installed epoch's key stands against its protection limit; undefined for one not installed (and epoch 0). */
  usage(epoch: number): AeadUsage | undefined {
    return this.find(epoch)?.usage;
  }

  /** The sequence number the next record of `epoch` will get (an ACK names records by it, RFC 9147 §7); undefined for an epoch without keys. */
  nextSequenceNumber(epoch: number): number | undefined {
    return epoch === 0 ? this.epoch0.upcoming : this.find(epoch)?.sealed;
  }

  /** Seals `payload` as the next record of `epoch`, header included. Throws for an epoch without keys (a bug of the caller). */
  seal(epoch: number, contentType: number, payload: Uint8Array): Uint8Array {
    if (epoch === 0) return this.epoch0.seal(contentType, DTLS_1_2, payload);
    const writer = this.find(epoch);
    if (writer === undefined) throw new Error(`no write keys for epoch ${epoch}`);
    return writer.seal(contentType, payload);
  }
}
