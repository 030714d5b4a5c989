import { describe, expect, it } from 'vitest';
import { decodeAck, encodeAck, MAX_ACK_RECORD_NUMBERS } from '../../lib/wire/ack.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex } from './helpers/hex.js';

const recordNumber = (epoch: string, sequenceNumber: string): string => epoch + sequenceNumber;

describe('ACK (RFC 9147 §7)', () => {
  itMatchesGoldenBytes('Ack');

  it('rejects a list that is not whole record numbers of 16 bytes', () => {
    expect(decodeAck(hex('000f' + '00'.repeat(15)))).toEqual({ ok: false, error: { kind: 'invalid', what: 'ACK.sequence_number' } });
    expect(decodeAck(hex('0011' + '00'.repeat(17)))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(decodeAck(hex('0010' + '00'.repeat(15)))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
  });

  it('rejects an epoch or sequence number beyond 2^53 - 1 rather than rounding it', () => {
    const big = '0020000000000000';
    expect(decodeAck(hex('0010' + recordNumber(big, '0000000000000001')))).toEqual({ ok: false, error: { kind: 'invalid', what: 'ACK.epoch' } });
    expect(decodeAck(hex('0010' + recordNumber('0000000000000003', 'ffffffffffffffff')))).toEqual({ ok: false, error: { kind: 'invalid', what: 'ACK.sequence_number' } });
    expect(decodeAck(hex('0010' + recordNumber('001fffffffffffff', '0000000000000000')))).toEqual({ ok: true, value: [{ epoch: Number.MAX_SAFE_INTEGER, sequenceNumber: 0 }] });
    expect(() => encodeAck([{ epoch: 2 ** 53, sequenceNumber: 0 }])).toThrow(RangeError);
  });

  it('holds at most 4095 record numbers', () => {
    const most = Array.from({ length: MAX_ACK_RECORD_NUMBERS }, (_, i) => ({ epoch: 3, sequenceNumber: i }));
    expect(encodeAck(most).length).toBe(2 + 16 * 4095);
    expect(() => encodeAck([...most, { epoch: 3, sequenceNumber: 4095 }])).toThrow(RangeError);
  });

  it('keeps the wire order, increasing or not: what is listed is acknowledged', () => {
    const bytes = hex('0020' + recordNumber('0000000000000002', '0000000000000005') + recordNumber('0000000000000002', '0000000000000001'));
    expect(decodeAck(bytes)).toEqual({ ok: true, value: [{ epoch: 2, sequenceNumber: 5 }, { epoch: 2, sequenceNumber: 1 }] });
  });
});
