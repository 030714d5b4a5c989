// RFC 9147 §4: the unified header that starts every DTLS 1.3 DTLSCiphertext record:
//
//    0 1 2 3 4 5 6 7
//   +-+-+-+-+-+-+-+-+
//   |0|0|1|C|S|L|E E|   C: a Connection ID follows; S: the sequence number is 16 bits, not 8;
//   +-+-+-+-+-+-+-+-+   L: a 16-bit length is present; EE: the low two bits of the epoch
//   | Connection ID |   (if C; its length is not on the wire: the receiver chose it)
//   | 8 or 16 bit   |
//   |Sequence Number|   (protected by record number encryption, §4.2.3: as on the wire here)
//   | 16 bit Length |   (if L; without it the record runs to the end of the datagram)
//   +-+-+-+-+-+-+-+-+
//
// The header is also the AAD of the record's AEAD, with the sequence number unmasked
// (§4.2.3): that is the record layer's business (lib/record), as are reconstructing the full
// epoch and sequence number from these bits (§4.2.2) and the CID check. There is one
// reading of the header: readUnifiedHeader and writeUnifiedHeader work in place without
// allocating (the record layer's per-record path); decodeUnifiedHeader and
// encodeUnifiedHeader are the same with a UnifiedHeader object and fresh bytes.
import { ContentType } from './constants.js';
import { MAX_CONNECTION_ID_LENGTH } from './connection-id-extension.js';
import { ok, type DecodeError, type Result } from './result.js';

const FIXED_BITS_MASK = 0b1110_0000;
const FIXED_BITS = 0b0010_0000;
const C_BIT = 0b0001_0000;
const S_BIT = 0b0000_1000;
const L_BIT = 0b0000_0100;
const EPOCH_BITS_MASK = 0b0000_0011;

export interface UnifiedHeader {
  /** The epoch's low two bits (0..3). */
  epochBits: number;
  /** The low 8 or 16 bits of the sequence number, as on the wire (still masked when received). */
  sequenceBits: number;
  /** 1 for an 8-bit sequence number, 2 for 16 bits (the S bit). */
  sequenceLength: 1 | 2;
  /** The Connection ID (the C bit), a view on decode. */
  cid?: Uint8Array;
  /** The record's length after the header (the L bit); absent: to the end of the datagram. */
  length?: number;
}

export interface DecodedUnifiedHeader {
  header: UnifiedHeader;
  /** Bytes of the header, from the record's first byte. */
  headerLength: number;
  /** Where the record ends in the datagram (exclusive): the next record, if any, starts there. */
  recordEnd: number;
}

/** Whether a record's first byte has the fixed bits 001 of a unified header (§4). */
export function isUnifiedHeader(firstByte: number): boolean {
  return (firstByte & FIXED_BITS_MASK) === FIXED_BITS;
}

/** Whether a record's first byte is a unified header with C set: a Connection ID follows it (§4). */
export function unifiedHeaderHasCid(firstByte: number): boolean {
  return isUnifiedHeader(firstByte) && (firstByte & C_BIT) !== 0;
}

/** What a DTLS 1.3 receiver makes of a record by its first byte (RFC 9147 §4.1). */
export type RecordFormat13 = 'plaintext' | 'ciphertext' | 'reject';

/**
 * RFC 9147 §4.1, for a DTLS 1.3 association: alert(21), handshake(22) and ack(26) are
 * DTLSPlaintext records (the 13-byte header of record-header.ts); any other first byte
 * with the bits 001 is a DTLSCiphertext with a unified header; everything else, 1.2's
 * change_cipher_spec, application_data, heartbeat and tls12_cid among them, is rejected
 * as if it had failed deprotection (silently dropped, §4.5.2). Before the version is known
 * the 1.2 rules still apply: this is for after 1.3 was chosen.
 */
export function demultiplexRecord13(firstByte: number): RecordFormat13 {
  if (firstByte === ContentType.alert || firstByte === ContentType.handshake || firstByte === ContentType.ack) return 'plaintext';
  return isUnifiedHeader(firstByte) ? 'ciphertext' : 'reject';
}

/** Bytes a unified header with these fields takes on the wire. */
export function unifiedHeaderLength(h: Pick<UnifiedHeader, 'cid' | 'sequenceLength' | 'length'>): number {
  return 1 + (h.cid?.length ?? 0) + h.sequenceLength + (h.length === undefined ? 0 : 2);
}

export function encodeUnifiedHeader(h: UnifiedHeader): Uint8Array {
  const out = new Uint8Array(unifiedHeaderLength(h));
  writeUnifiedHeader(h, out, 0);
  return out;
}

/**
 * Writes the header `h` into `out` at `offset` and returns its length: encodeUnifiedHeader
 * without the allocation, for the record layer, which writes each record's header in place
 * in front of its ciphertext. Throws RangeError on fields the header cannot carry.
 */
export function writeUnifiedHeader(h: UnifiedHeader, out: Uint8Array, offset: number): number {
  if (!isUintUpTo(h.epochBits, EPOCH_BITS_MASK)) throw new RangeError(`epochBits is 0..3, got ${h.epochBits}`);
  if (h.sequenceLength !== 1 && h.sequenceLength !== 2) throw new RangeError(`sequenceLength is 1 or 2, got ${String(h.sequenceLength)}`);
  if (!isUintUpTo(h.sequenceBits, h.sequenceLength === 2 ? 0xffff : 0xff)) throw new RangeError(`sequenceBits do not fit ${h.sequenceLength * 8} bits: ${h.sequenceBits}`);
  if (h.length !== undefined && !isUintUpTo(h.length, 0xffff)) throw new RangeError(`length is a uint16, got ${h.length}`);
  if (h.cid !== undefined && (h.cid.length === 0 || h.cid.length > MAX_CONNECTION_ID_LENGTH)) {
    // An empty CID sets no C bit: a receiver that chose none reads no CID (RFC 9146 §3).
    throw new RangeError(`a CID in the header has 1 to 255 bytes, got ${h.cid.length}`);
  }
  const headerLength = unifiedHeaderLength(h);
  if (offset < 0 || offset + headerLength > out.length) throw new RangeError(`a ${headerLength}-byte header does not fit at ${offset} in ${out.length} bytes`);
  const flags = FIXED_BITS | (h.cid ? C_BIT : 0) | (h.sequenceLength === 2 ? S_BIT : 0) | (h.length === undefined ? 0 : L_BIT) | h.epochBits;
  out[offset] = flags;
  if (h.cid) out.set(h.cid, offset + 1);
  writeUnifiedSequence(out, offset + unifiedSequenceOffset(flags, h.cid?.length ?? 0), h.sequenceLength, h.sequenceBits);
  if (h.length !== undefined) {
    out[offset + headerLength - 2] = (h.length >>> 8) & 0xff;
    out[offset + headerLength - 1] = h.length & 0xff;
  }
  return headerLength;
}

function isUintUpTo(n: number, max: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= max;
}

/**
 * Where the sequence number starts in a unified header whose first byte is `flags`: after
 * that byte and the CID, if C is set (`cidLength` being the receiver's CID length).
 */
export function unifiedSequenceOffset(flags: number, cidLength: number): number {
  return 1 + (flags & C_BIT ? cidLength : 0);
}

/**
 * Overwrites the 8 or 16 sequence number bits at `at` (see unifiedSequenceOffset): the
 * record layer puts them in clear for the AEAD's additional data and masked on the wire
 * (RFC 9147 §4.2.3).
 */
export function writeUnifiedSequence(header: Uint8Array, at: number, sequenceLength: 1 | 2, sequenceBits: number): void {
  if (sequenceLength === 2) header[at++] = (sequenceBits >>> 8) & 0xff;
  header[at] = sequenceBits & 0xff;
}

/**
 * A unified header as readUnifiedHeader leaves it: numbers only, positions in the datagram,
 * in an object the caller keeps and refills record after record, so reading costs no
 * allocation (the record layer reads every received record's header with it).
 */
export interface UnifiedHeaderFields {
  epochBits: number;
  sequenceBits: number;
  sequenceLength: 1 | 2;
  /** The CID is datagram[cidStart, cidEnd): empty when C is clear. */
  cidStart: number;
  cidEnd: number;
  /** Whether L was set: the length field then says recordEnd - headerEnd. */
  hasLength: boolean;
  /** Where the header ends and encrypted_record starts. */
  headerEnd: number;
  /** Where the record ends (exclusive): the next record, if any, starts there. */
  recordEnd: number;
}

/** An object for readUnifiedHeader to fill. */
export function unifiedHeaderFields(): UnifiedHeaderFields {
  return { epochBits: 0, sequenceBits: 0, sequenceLength: 1, cidStart: 0, cidEnd: 0, hasLength: false, headerEnd: 0, recordEnd: 0 };
}

/**
 * Reads the unified header of the record starting at `offset` in `datagram` into `into`, and
 * returns undefined, or why it cannot be read (then `into` is left as it was). `cidLength` is
 * the length of the CID this endpoint asked the peer to send (0 for none): a header with the
 * C bit when we have no CID cannot be ours ('invalid'), and so cannot a first byte without
 * the bits 001. A length running past the datagram is 'truncated': records never span
 * datagrams (§4.3). Whether a record without a CID is acceptable when one was negotiated is
 * the record layer's call.
 */
export function readUnifiedHeader(datagram: Uint8Array, offset: number, cidLength: number, into: UnifiedHeaderFields): DecodeError | undefined {
  const available = datagram.length - offset;
  if (available < 1) return unreadable('truncated', 'flags');
  const flags = datagram[offset];
  if (!isUnifiedHeader(flags)) return unreadable('invalid', 'flags');
  if ((flags & C_BIT) !== 0 && cidLength === 0) return unreadable('invalid', 'connection_id');
  const sequenceAt = unifiedSequenceOffset(flags, cidLength);
  if (sequenceAt > available) return unreadable('truncated', 'connection_id');
  const sequenceLength = flags & S_BIT ? 2 : 1;
  const lengthAt = sequenceAt + sequenceLength;
  if (lengthAt > available) return unreadable('truncated', 'sequence_number');
  const hasLength = (flags & L_BIT) !== 0;
  const headerEnd = offset + lengthAt + (hasLength ? 2 : 0);
  if (headerEnd > datagram.length) return unreadable('truncated', 'length');
  const recordEnd = hasLength ? headerEnd + ((datagram[offset + lengthAt] << 8) | datagram[offset + lengthAt + 1]) : datagram.length;
  if (recordEnd > datagram.length) return unreadable('truncated', 'encrypted_record');
  const s = offset + sequenceAt;
  into.epochBits = flags & EPOCH_BITS_MASK;
  into.sequenceBits = sequenceLength === 2 ? (datagram[s] << 8) | datagram[s + 1] : datagram[s];
  into.sequenceLength = sequenceLength;
  into.cidStart = offset + 1;
  into.cidEnd = s;
  into.hasLength = hasLength;
  into.headerEnd = headerEnd;
  into.recordEnd = recordEnd;
  return undefined;
}

function unreadable(kind: DecodeError['kind'], field: string): DecodeError {
  return { kind, what: `UnifiedHeader.${field}` };
}

/** readUnifiedHeader's reading as a UnifiedHeader, the CID a view into the datagram. */
export function decodeUnifiedHeader(datagram: Uint8Array, offset: number, cidLength: number): Result<DecodedUnifiedHeader> {
  const fields = unifiedHeaderFields();
  const error = readUnifiedHeader(datagram, offset, cidLength, fields);
  if (error !== undefined) return { ok: false, error };
  const { epochBits, sequenceBits, sequenceLength, cidStart, cidEnd, hasLength, headerEnd, recordEnd } = fields;
  const header: UnifiedHeader = { epochBits, sequenceBits, sequenceLength };
  if (cidEnd > cidStart) header.cid = datagram.subarray(cidStart, cidEnd);
  if (hasLength) header.length = recordEnd - headerEnd;
  return ok({ header, headerLength: headerEnd - offset, recordEnd });
}
