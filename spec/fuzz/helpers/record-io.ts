import { concatBytes } from '@noble/hashes/utils.js';
import type { Observable } from 'rxjs';
import { Reassembler } from '../../../lib/handshake/reassembler.js';
import type { HandshakeMessage } from '../../../lib/handshake/handshake-message.js';
import { nullCipher, type RecordCipher } from '../../../lib/record/record-cipher.js';
import { splitRecords } from '../../../lib/record/split-records.js';
import { WriteEpoch } from '../../../lib/record/write-epoch.js';
import { decodeAlert, encodeAlert, type Alert } from '../../../lib/wire/alert.js';
import { encodeChangeCipherSpec } from '../../../lib/wire/change-cipher-spec.js';
import { ContentType, DTLS_1_2 } from '../../../lib/wire/constants.js';
import { decodeHandshakeFragments, encodeHandshakeMessage } from '../../../lib/wire/handshake-header.js';
import { encodeRecordHeader } from '../../../lib/wire/record-header.js';

/** One record a scripted peer received, opened if it could be. */
export interface ReceivedRecord {
  readonly contentType: number;
  readonly epoch: number;
  /** The plaintext, or undefined for a record of an epoch we have no keys for. */
  readonly payload?: Uint8Array;
}

/**
 * The record layer of a scripted peer, with none of the rules: it writes any
 * content type in any epoch it has keys for (or forges a header for one it has
 * not), and reads what the endpoint under attack sends, reassembling handshake
 * messages. Built from the lib's own record and wire pieces.
 */
export class RecordIo {
  readonly records: ReceivedRecord[] = [];
  readonly messages: Array<{ epoch: number; message: HandshakeMessage }> = [];
  /** Datagrams we sent, in order. */
  readonly sent: Uint8Array[] = [];
  private readonly writers = new Map<number, WriteEpoch>([[0, new WriteEpoch(nullCipher(0))]]);
  private readonly readers = new Map<number, RecordCipher>([[0, nullCipher(0)]]);
  private readonly reassembler = new Reassembler({ maxBufferedBytes: 1 << 20, maxMessageLength: 1 << 20 });
  /** Datagrams with records of epochs we had no keys for yet, read again when keys arrive. */
  private readonly unread: Uint8Array[] = [];

  constructor(
    inbox$: Observable<{ data: Uint8Array }>,
    private readonly send: (datagram: Uint8Array) => void,
  ) {
    inbox$.subscribe(({ data }) => this.receive(data));
  }

  install(read: RecordCipher, write: RecordCipher): void {
    this.readers.set(read.epoch, read);
    this.writers.set(write.epoch, new WriteEpoch(write));
    const unread = this.unread.splice(0);
    for (const datagram of unread) this.receive(datagram, read.epoch);
  }

  /** A record sealed with our keys for `epoch`. */
  record(contentType: number, epoch: number, payload: Uint8Array): Uint8Array {
    const writer = this.writers.get(epoch);
    if (!writer) throw new Error(`scripted peer: no keys for epoch ${epoch}`);
    return writer.seal(contentType, DTLS_1_2, payload);
  }

  handshake(message: HandshakeMessage, epoch = 0): Uint8Array {
    return this.record(ContentType.handshake, epoch, encodeHandshakeMessage(message.msgType, message.messageSeq, message.body));
  }

  changeCipherSpec(epoch = 0): Uint8Array {
    return this.record(ContentType.change_cipher_spec, epoch, encodeChangeCipherSpec());
  }

  alert(alert: Alert, epoch = 0): Uint8Array {
    return this.record(ContentType.alert, epoch, encodeAlert(alert));
  }

  /** A record with a well-formed header and whatever fragment: a forgery for an epoch we have no keys for. */
  forged(contentType: number, epoch: number, sequenceNumber: number, fragment: Uint8Array): Uint8Array {
    const header = encodeRecordHeader({ contentType, version: DTLS_1_2, epoch, sequenceNumber, length: fragment.length });
    return concatBytes(header, fragment);
  }

  /** Sends records together in one datagram. */
  transmit(...records: Uint8Array[]): void {
    const datagram = concatBytes(...records);
    this.sent.push(datagram);
    this.send(datagram);
  }

  has(msgType: number): boolean {
    return this.messages.some((m) => m.message.msgType === msgType);
  }

  private receive(datagram: Uint8Array, onlyEpoch?: number): void {
    for (const { header, fragment } of splitRecords(datagram).records) {
      if (onlyEpoch !== undefined && header.epoch !== onlyEpoch) continue;
      const reader = this.readers.get(header.epoch);
      if (!reader && onlyEpoch === undefined && !this.unread.includes(datagram)) this.unread.push(datagram);
      const payload = reader?.unprotect(header, fragment) ?? undefined;
      this.records.push({ contentType: header.contentType, epoch: header.epoch, payload });
      if (header.contentType !== ContentType.handshake || payload === undefined) continue;
      const fragments = decodeHandshakeFragments(payload);
      if (!fragments.ok) continue;
      for (const f of fragments.value) {
        const message = this.reassembler.add(f);
        if (message) this.messages.push({ epoch: header.epoch, message });
      }
    }
  }

  /** Alerts received so far. */
  alerts(): Alert[] {
    return this.records.flatMap((r) => {
      if (r.contentType !== ContentType.alert || r.payload === undefined) return [];
      const alert = decodeAlert(r.payload);
      return alert.ok ? [alert.value] : [];
    });
  }
}

