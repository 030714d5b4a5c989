import { RECORD_HEADER_LENGTH } from './constants.js';
import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

/** RFC 6347 §4.1: the DTLSPlaintext header that precedes every record. */
export interface RecordHeader {
  /** The ContentType. */
  contentType: number;
  /** The record version (0xfefd for DTLS 1.2; 0xfeff allowed in a first ClientHello). */
  version: number;
  /** The epoch, incremented with each ChangeCipherSpec. */
  epoch: number;
  /** 48-bit, per epoch. */
  sequenceNumber: number;
  /** Length of the record's fragment that follows the header. */
  length: number;
}

export function encodeRecordHeader(h: RecordHeader): Uint8Array {
  return new Writer(RECORD_HEADER_LENGTH)
    .uint8(h.contentType)
    .uint16(h.version)
    .uint16(h.epoch)
    .uint48(h.sequenceNumber)
    .uint16(h.length)
    .finish();
}

/**
 * Decodes the first 13 bytes of `bytes`; whatever follows is the record's fragment and
 * further records, which this does not look at. Deciding whether the content type and
 * version are acceptable, and whether `length` bytes are really there, belongs to the
 * record layer (RFC 6347 §4.1.2.7: it drops such records rather than failing).
 */
export function decodeRecordHeader(bytes: Uint8Array): Result<RecordHeader> {
  return decode('RecordHeader', bytes.subarray(0, RECORD_HEADER_LENGTH), (r) => ({
    contentType: r.uint8('type'),
    version: r.uint16('version'),
    epoch: r.uint16('epoch'),
    sequenceNumber: r.uint48('sequence_number'),
    length: r.uint16('length'),
  }));
}
