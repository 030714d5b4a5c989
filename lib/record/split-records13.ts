import { MAX_PLAINTEXT_LENGTH, RECORD_HEADER_LENGTH } from '../wire/constants.js';
import { decodeRecordHeader, type RecordHeader } from '../wire/record-header.js';
import { demultiplexRecord13, readUnifiedHeader, unifiedHeaderFields } from '../wire/unified-header.js';
import { readRecords, type RawRecord, type RecordRead } from './split-records.js';

/** RFC 9147 §4: TLSCiphertext.length (the encrypted_record) never exceeds 2^14 + 256 (RFC 8446 §5.2). */
export const MAX_ENCRYPTED_RECORD_LENGTH = 16384 + 256;

/** A DTLSCiphertext record as found in a datagram (RFC 9147 §4, Figure 3), before its record number is unmasked. */
export interface CiphertextRecord {
  readonly kind: 'ciphertext';
  /** The low two bits of the epoch (E). */
  readonly epochBits: number;
  /** The 8 or 16 bits of sequence number as on the wire: still masked (§4.2.3). */
  readonly maskedSequence: number;
  /** 1 or 2 (S). */
  readonly sequenceLength: 1 | 2;
  /** The Connection ID (C set), a view. */
  readonly cid?: Uint8Array;
  /** The unified header's bytes, a view (the AEAD's additional data once the sequence number is unmasked). */
  readonly header: Uint8Array;
  /** encrypted_record, a view. */
  readonly encrypted: Uint8Array;
}

/** A DTLSPlaintext record (alert, handshake or ACK in epoch 0, RFC 9147 §4.1), read with the DTLS 1.2 header. */
export interface PlaintextRecord extends RawRecord {
  readonly kind: 'plaintext';
}

/** One record of a DTLS 1.3 datagram. */
export type RawRecord13 = CiphertextRecord | PlaintextRecord;

export interface SplitResult13 {
  readonly records: RawRecord13[];
  /** Records (or the unreadable rest of the datagram, counted once) dropped before any key was tried. */
  readonly malformed: number;
}

/**
 * Splits a DTLS 1.3 datagram into its records (RFC 9147 §4, §4.1). Total: never throws, never
 * reads past the end. The first byte of each record decides (§4.1): 0b001xxxxx is a unified
 * header; alert, handshake and ack are DTLSPlaintext; anything else is rejected. A record whose
 * header cannot be read, or whose length runs past the datagram, ends the parse (the rest is
 * counted once); a unified header without a length (L clear) takes the rest of the datagram.
 * A record of known extent but invalid (epoch other than 0 in clear, encrypted_record over
 * 2^14 + 256 or under the 16 bytes the record number mask samples, §4.2.3) is skipped and counted.
 *
 * `cidLength` is the length of our Connection ID: the header does not say it (RFC 9146 §4); a
 * unified header with C set cannot be read without one.
 */
export function splitRecords13(datagram: Uint8Array, cidLength = 0): SplitResult13 {
  return readRecords(datagram, cidLength, readRecord13);
}

type Read = RecordRead<RawRecord13>;

function readRecord13(datagram: Uint8Array, offset: number, cidLength: number): Read {
  const format = demultiplexRecord13(datagram[offset]);
  return format === 'ciphertext' ? readCiphertext(datagram, offset, cidLength) : format === 'plaintext' ? readPlaintext(datagram, offset) : undefined;
}

/** The header being read: one for all, as splitting runs to completion (a record costs no header object). */
const fields = unifiedHeaderFields();

/** RFC 9147 §4, Figure 3: the unified header (read by the wire codec), then encrypted_record. */
function readCiphertext(datagram: Uint8Array, offset: number, cidLength: number): Read {
  if (readUnifiedHeader(datagram, offset, cidLength, fields) !== undefined) return undefined;
  const { headerEnd, recordEnd: end } = fields;
  const length = end - headerEnd;
  if (length > MAX_ENCRYPTED_RECORD_LENGTH || length < 16) return { end };
  return {
    end,
    record: {
      kind: 'ciphertext',
      epochBits: fields.epochBits,
      maskedSequence: fields.sequenceBits,
      sequenceLength: fields.sequenceLength,
      cid: fields.cidEnd > fields.cidStart ? datagram.subarray(fields.cidStart, fields.cidEnd) : undefined,
      header: datagram.subarray(offset, headerEnd),
      encrypted: datagram.subarray(headerEnd, end),
    },
  };
}

/**
 * RFC 9147 §4: DTLSPlaintext keeps the DTLS 1.2 header, epoch 0. legacy_record_version "MUST be
 * ignored for all purposes", so any version is read; fragments over 2^14 are skipped.
 */
function readPlaintext(datagram: Uint8Array, offset: number): Read {
  if (offset + RECORD_HEADER_LENGTH > datagram.length) return undefined;
  const decoded = decodeRecordHeader(datagram.subarray(offset, offset + RECORD_HEADER_LENGTH));
  if (!decoded.ok) return undefined;
  const header: RecordHeader = decoded.value;
  const end = offset + RECORD_HEADER_LENGTH + header.length;
  if (end > datagram.length) return undefined;
  if (header.epoch !== 0 || header.length > MAX_PLAINTEXT_LENGTH) return { end };
  return { end, record: { kind: 'plaintext', header, fragment: datagram.subarray(offset + RECORD_HEADER_LENGTH, end) } };
}
