import { describe, expect, it } from 'vitest';
import { decodeKeyUpdate, encodeKeyUpdate, KeyUpdateRequest } from '../../lib/wire/key-update.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex } from './helpers/hex.js';

describe('KeyUpdate (RFC 8446 §4.6.3)', () => {
  itMatchesGoldenBytes('KeyUpdate');

  it('takes only update_not_requested (0) and update_requested (1): anything else is illegal_parameter', () => {
    expect(decodeKeyUpdate(hex('02'))).toEqual({ ok: false, error: { kind: 'invalid', what: 'KeyUpdate.request_update' } });
    expect(() => encodeKeyUpdate(2 as KeyUpdateRequest)).toThrow(RangeError);
  });

  it('is exactly one byte', () => {
    expect(decodeKeyUpdate(hex(''))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
    expect(decodeKeyUpdate(hex('01 00'))).toMatchObject({ ok: false, error: { kind: 'overlong' } });
  });
});
