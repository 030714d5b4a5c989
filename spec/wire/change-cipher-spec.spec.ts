import { describe, expect, it } from 'vitest';
import { decodeChangeCipherSpec } from '../../lib/wire/change-cipher-spec.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex } from './helpers/hex.js';

describe('ChangeCipherSpec', () => {
  itMatchesGoldenBytes('ChangeCipherSpec');

  it('rejects an empty payload, another value and extra bytes', () => {
    expect(decodeChangeCipherSpec(hex(''))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
    expect(decodeChangeCipherSpec(hex('02'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(decodeChangeCipherSpec(hex('0101'))).toMatchObject({ ok: false, error: { kind: 'overlong' } });
  });
});
