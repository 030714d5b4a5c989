// RFC 9147 §7: the ACK message, the body of a record of content type ack (26):
//   struct { uint64 epoch; uint64 sequence_number; } RecordNumber;   (§4)
//   struct { RecordNumber record_numbers<0..2^16-1>; } ACK;
// It names the records (not the messages) of the current flight the sender has received
// and processed or buffered, in numerically increasing order (the sender's duty: the
// decoder takes any order, so an out-of-order ACK still acknowledges what it lists).
import { decode, type Reader } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

/** A record's full number: its epoch and 48-bit sequence number, carried in 64 bits each. */
export interface RecordNumber {
  epoch: number;
  sequenceNumber: number;
}

const RECORD_NUMBER_LENGTH = 16;
/** The most record numbers an ACK holds: 4095 of 16 bytes fit in record_numbers<0..2^16-1>. */
export const MAX_ACK_RECORD_NUMBERS = Math.floor(0xffff / RECORD_NUMBER_LENGTH);

/** Epochs and sequence numbers must be safe integers (a RangeError otherwise, like every encoder's). */
export function encodeAck(records: readonly RecordNumber[]): Uint8Array {
  if (records.length > MAX_ACK_RECORD_NUMBERS) throw new RangeError(`an ACK holds at most ${MAX_ACK_RECORD_NUMBERS} record numbers, got ${records.length}`);
  const w = new Writer(2 + RECORD_NUMBER_LENGTH * records.length);
  w.vector16((l) => records.forEach((n) => l.uint64(n.epoch).uint64(n.sequenceNumber)));
  return w.finish();
}

const readRecordNumber = (r: Reader): RecordNumber => ({ epoch: r.uint64('epoch'), sequenceNumber: r.uint64('sequence_number') });

/**
 * The record numbers in wire order. A list whose length is not a multiple of 16 is
 * 'invalid', and so is an epoch or sequence number above 2^53 - 1: no record of ours can
 * carry one (epochs count key changes, sequence numbers are 48-bit), and a JS number could
 * not hold it exactly.
 */
export function decodeAck(payload: Uint8Array): Result<RecordNumber[]> {
  return decode('ACK', payload, (r) => r.list16('record_numbers', readRecordNumber));
}
