import { describe, expect, it } from 'vitest';
import { decodeEncryptedExtensions, encodeEncryptedExtensions } from '../../lib/wire/encrypted-extensions.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex } from './helpers/hex.js';

describe('EncryptedExtensions (RFC 8446 §4.3.1)', () => {
  itMatchesGoldenBytes('EncryptedExtensions');

  it('needs its extensions block: an empty body is truncated', () => {
    expect(decodeEncryptedExtensions(hex(''))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
  });

  it('rejects a repeated extension type, and refuses to send one', () => {
    expect(decodeEncryptedExtensions(hex('0008 0010 0000 0010 0000'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(() => encodeEncryptedExtensions([{ type: 16, data: hex('') }, { type: 16, data: hex('') }])).toThrow(RangeError);
  });
});
