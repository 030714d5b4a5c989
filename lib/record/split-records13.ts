import { ContentType, MAX_PLAINTEXT_LENGTH, RECORD_HEADER_LENGTH } from '../wire/constants.js';
import { decodeRecordHeader, type RecordHeader } from '../wire/record-header.js';
import { type RawRecord } from './split-records.js';

/** RFC 9147 §4: TLSCiphertext.length (the encrypted_record) never exceeds 2^14 + 256 (RFC 8446 §5.2). */
export const MAX_ENCRYPTED_RECORD_LENGTH = 16384 + 256;

/** RFC 9147 §4.1: ack(26), beside alert and handshake, is the third content type a DTLS 1.3 DTLSPlaintext record may have. */
const ACK = 26;

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
  const records: RawRecord13[] = [];
  let malformed = 0;
  let offset = 0;
  while (offset < datagram.length) {
    const read = (datagram[offset] & 0xe0) === 0x20 ? readCiphertext(datagram, offset, cidLength) : readPlaintext(datagram, offset);
    if (read === undefined) {
      malformed++;
      break;
    }
    offset = read.end;
    if (read.record) records.push(read.record);
    else malformed++;
  }
  return { records, malformed };
}

type Read = { end: number; record?: RawRecord13 } | undefined;

/** RFC 9147 §4, Figure 3: 0|0|1|C|S|L|E|E, CID if C, 8 or 16 bits of sequence number (S), 16-bit length if L. */
function readCiphertext(datagram: Uint8Array, offset: number, cidLength: number): Read {
  const first = datagram[offset];
  const hasCid = (first & 0x10) !== 0;
  const sequenceLength = first & 0x08 ? 2 : 1;
  const hasLength = (first & 0x04) !== 0;
  if (hasCid && cidLength === 0) return undefined;
  const cidEnd = offset + 1 + (hasCid ? cidLength : 0);
  const sequenceEnd = cidEnd + sequenceLength;
  const headerEnd = sequenceEnd + (hasLength ? 2 : 0);
  if (headerEnd > datagram.length) return undefined;
  const end = hasLength ? headerEnd + ((datagram[sequenceEnd] << 8) | datagram[sequenceEnd + 1]) : datagram.length;
  if (end > datagram.length) return undefined;
  const length = end - headerEnd;
  if (length > MAX_ENCRYPTED_RECORD_LENGTH || length < 16) return { end };
  const maskedSequence = sequenceLength === 2 ? (datagram[cidEnd] << 8) | datagram[cidEnd + 1] : datagram[cidEnd];
  return {
    end,
    record: {
      kind: 'ciphertext',
      epochBits: first & 0x03,
      maskedSequence,
      sequenceLength,
      cid: hasCid ? datagram.subarray(offset + 1, cidEnd) : undefined,
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
  const type = datagram[offset];
  if (type !== ContentType.alert && type !== ContentType.handshake && type !== ACK) return undefined;
  if (offset + RECORD_HEADER_LENGTH > datagram.length) return undefined;
  const decoded = decodeRecordHeader(datagram.subarray(offset, offset + RECORD_HEADER_LENGTH));
  if (!decoded.ok) return undefined;
  const header: RecordHeader = decoded.value;
  const end = offset + RECORD_HEADER_LENGTH + header.length;
  if (end > datagram.length) return undefined;
  if (header.epoch !== 0 || header.length > MAX_PLAINTEXT_LENGTH) return { end };
  return { end, record: { kind: 'plaintext', header, fragment: datagram.subarray(offset + RECORD_HEADER_LENGTH, end) } };
}
