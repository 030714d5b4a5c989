import type { Tls13CipherSuite } from '../crypto/tls13-cipher-suites.js';
import type { NegotiatedConnectionIds } from '../handshake/connection-id-negotiation.js';
import type { AeadUsage } from '../record/aead-limits13.js';
import type { RecordNumber } from '../wire/ack.js';
import { openDatagram13 } from '../record/open-datagram13.js';
import type { PlainRecord } from '../record/read-epochs.js';
import { ReadEpochs13 } from '../record/read-epochs13.js';
import { WriteEpochs13 } from '../record/write-epochs13.js';
import type { AeadLimitOverrides } from './session-options.js';

/**
 * What a DTLS 1.3 session needs of its record layer (RFC 9147 §4): records opened from a
 * datagram in order (epoch 0 in the clear, later epochs protected under the traffic
 * secrets installed), and records sealed one by one with the number each got, so ACKs
 * (§7) can name them.
 */
export interface RecordLayer13 {
  /** Hands each record of the datagram that opens to `onRecord`, in order, until it returns false; returns how many were dropped. */
  open(datagram: Uint8Array, onRecord: (record: PlainRecord) => boolean | void): number;
  /** Seals one record in `epoch` (0: a DTLSPlaintext) with that epoch's next sequence number. */
  seal(epoch: number, contentType: number, payload: Uint8Array): { readonly record: Uint8Array; readonly number: RecordNumber };
  /** Bytes protection adds to a record of `epoch` (header growth, inner type, tag). */
  overhead(epoch: number): number;
  /** Opens the peer's records of `epoch` with its traffic secret from now on. */
  installRead(epoch: number, suite: Tls13CipherSuite, secret: Uint8Array): void;
  /** Seals our records of `epoch` with our traffic secret; the newest epoch installed is the one `send` uses. */
  installWrite(epoch: number, suite: Tls13CipherSuite, secret: Uint8Array): void;
  /** The Connection IDs the hellos agreed (RFC 9147 §9): the epochs installed from now on read ours and write the peer's. */
  useConnectionIds(ids: NegotiatedConnectionIds): void;
  /** Writes `cid` in our records from now on, in every epoch: the peer gave a new one (RFC 9147 §9). */
  writeConnectionId(cid: Uint8Array): void;
  /** Opens the peer's records carrying `cid` too: one of ours we gave it in a NewConnectionId. */
  acceptConnectionId(cid: Uint8Array): void;
  /** The newest epoch we write in. */
  readonly writeEpoch: number;
  /** Where a key stands against its AEAD limits (RFC 9147 §4.5.3): ours of `writeEpoch` by records sealed, the peer's of `readEpoch` by forgeries. */
  usage(side: 'write' | 'read'): AeadUsage | undefined;
  /** Forgets the keys of an older epoch of ours or the peer's (the newest stays), so that KeyUpdates do not pile them up. */
  retire(side: 'write' | 'read', epoch: number): void;
  /** The sequence number the next record of `epoch` gets (a client falling back to 1.2 goes on from epoch 0's). */
  nextSequenceNumber(epoch: number): number;
}

/** What a session's 1.3 record layer is made with. */
export interface RecordLayer13Options {
  /** Each epoch's replay window (RFC 9147 §4.5.1). */
  readonly replayWindow: number;
  /** Where epoch 0's record numbers start (a server continues after the ClientHello that passed its cookie). */
  readonly firstRecordSeq?: number;
  /** The length of the Connection ID we receive with, 0 for none (the unified header does not say it, RFC 9146 §4). */
  readonly cidLength?: number;
  /** AEAD limits in place of RFC 9147 §4.5.3's (specs). */
  readonly aeadLimits?: AeadLimitOverrides;
}

/**
 * The record layer of `record/` (ReadEpochs13, WriteEpochs13, openDatagram13) as a session
 * uses it. Every record of the session is sealed here, so the number each gets is counted
 * here too: epoch 0 from `firstRecordSeq`, every other epoch from 0 (RFC 9147 §4.2.1).
 */
export function recordLayer13(options: RecordLayer13Options): RecordLayer13 {
  const read = new ReadEpochs13({ replayWindowSize: options.replayWindow, cidLength: options.cidLength, forgeryLimits: options.aeadLimits?.forgeries });
  const write = new WriteEpochs13({ firstSequenceNumber: options.firstRecordSeq, protectLimits: options.aeadLimits?.protected });
  const next = new Map<number, number>([[0, options.firstRecordSeq ?? 0]]);
  let cids: NegotiatedConnectionIds | undefined;
  return {
    open: (datagram, onRecord) => openDatagram13(datagram, read, (record) => onRecord(record) !== false),
    seal(epoch, contentType, payload) {
      const sequenceNumber = next.get(epoch) ?? 0;
      const record = write.seal(epoch, contentType, payload);
      next.set(epoch, sequenceNumber + 1);
      return { record, number: { epoch, sequenceNumber } };
    },
    overhead: (epoch) => write.overhead(epoch),
    installRead: (epoch, suite, secret) => read.install(epoch, suite, secret, cids?.read),
    installWrite(epoch, suite, secret) {
      write.install(epoch, suite, secret, cids?.write);
      next.set(epoch, 0);
    },
    useConnectionIds(ids) {
      cids = ids;
    },
    writeConnectionId(cid) {
      if (cids) cids = { ...cids, write: cid };
      write.useConnectionId(cid);
    },
    acceptConnectionId: (cid) => read.acceptConnectionId(cid),
    get writeEpoch() {
      return write.current;
    },
    usage: (side) => (side === 'write' ? write.usage(write.current) : read.usage(read.current)),
    retire: (side, epoch) => (side === 'write' ? write.retire(epoch) : read.retire(epoch)),
    nextSequenceNumber: (epoch) => next.get(epoch) ?? 0,
  };
}
