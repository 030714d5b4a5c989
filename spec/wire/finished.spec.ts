import { describe, expect, it } from 'vitest';
import { decodeFinished, encodeFinished } from '../../lib/wire/finished.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex } from './helpers/hex.js';

describe('Finished', () => {
  itMatchesGoldenBytes('Finished');

  it('takes verify_data of any non-zero length (the suite decides the length)', () => {
    expect(decodeFinished(hex('aa'))).toEqual({ ok: true, value: { verifyData: hex('aa') } });
  });

  it('rejects an empty body', () => {
    expect(decodeFinished(hex(''))).toEqual({ ok: false, error: { kind: 'truncated', what: 'Finished.verify_data' } });
    expect(() => encodeFinished({ verifyData: hex('') })).toThrow(RangeError);
  });

  it('encodes a copy, so the caller may reuse its buffer', () => {
    const verifyData = hex('0102');
    const body = encodeFinished({ verifyData });
    verifyData[0] = 9;
    expect(body).toEqual(hex('0102'));
  });
});
