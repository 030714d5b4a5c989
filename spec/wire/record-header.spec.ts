import { describe, expect, it } from 'vitest';
import { decodeRecordHeader } from '../../lib/wire/record-header.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex } from './helpers/hex.js';

describe('record header', () => {
  itMatchesGoldenBytes('RecordHeader');

  it('reads only the first 13 bytes, leaving the fragment and later records alone', () => {
    const datagram = hex('16 fefd 0000 000000000007 0002 abcd 15fefd');
    expect(decodeRecordHeader(datagram)).toEqual({
      ok: true,
      value: { contentType: 22, version: 0xfefd, epoch: 0, sequenceNumber: 7, length: 2 },
    });
  });

  it('does not check the length against the bytes present (the record layer does)', () => {
    expect(decodeRecordHeader(hex('17 fefd 0001 000000000001 ffff')).ok).toBe(true);
  });

  it('reports fewer than 13 bytes as truncated', () => {
    expect(decodeRecordHeader(hex('16 fefd 0000 000000000000 00'))).toEqual({
      ok: false,
      error: { kind: 'truncated', what: 'RecordHeader.length' },
    });
    expect(decodeRecordHeader(hex(''))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
  });
});
