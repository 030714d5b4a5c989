import { describe, expect, it } from 'vitest';
import { ExtensionType } from '../../lib/wire/extension-type.js';
import { decodeMaxFragmentLengthExtension, encodeMaxFragmentLengthExtension, type MaxFragmentLength } from '../../lib/wire/max-fragment-length-extension.js';
import { hex } from './helpers/hex.js';

describe('max_fragment_length (RFC 6066 §4)', () => {
  it('carries 2^9..2^12 as the one-byte codes 1..4', () => {
    for (const [length, code] of [[512, '01'], [1024, '02'], [2048, '03'], [4096, '04']] as const) {
      const extension = encodeMaxFragmentLengthExtension(length);
      expect(extension.type).toBe(ExtensionType.max_fragment_length);
      expect(extension.data).toEqual(hex(code));
      expect(decodeMaxFragmentLengthExtension(extension.data)).toEqual({ ok: true, value: length });
    }
  });

  it('calls a code outside 1..4 invalid (illegal_parameter) and a wrong length malformed (decode_error)', () => {
    expect(decodeMaxFragmentLengthExtension(hex('00'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(decodeMaxFragmentLengthExtension(hex('05'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(decodeMaxFragmentLengthExtension(hex(''))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
    expect(decodeMaxFragmentLengthExtension(hex('0101'))).toMatchObject({ ok: false, error: { kind: 'overlong' } });
    expect(() => encodeMaxFragmentLengthExtension(8192 as MaxFragmentLength)).toThrow(RangeError);
  });
});
