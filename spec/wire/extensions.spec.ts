import { describe, expect, it } from 'vitest';
import { decodeExtensions, encodeExtensions, ExtensionType, findExtension } from '../../lib/wire/extensions.js';
import { decode } from '../../lib/wire/reader.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex } from './helpers/hex.js';

describe('extensions block', () => {
  itMatchesGoldenBytes('Extensions');

  it('rejects a repeated extension type (RFC 5246 §7.4.1.4)', () => {
    expect(decodeExtensions(hex('0008 0017 0000 0017 0000'))).toEqual({
      ok: false,
      error: { kind: 'invalid', what: 'Extensions.extension_type' },
    });
  });

  it('rejects an extension whose data runs past the block as invalid', () => {
    expect(decodeExtensions(hex('0005 0017 0002 00'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
  });

  it('reports a block length longer than the bytes present as truncated', () => {
    expect(decodeExtensions(hex('0008 0017 0000'))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
  });

  it('reports bytes after the block as overlong', () => {
    expect(decodeExtensions(hex('0004 0017 0000 00'))).toMatchObject({ ok: false, error: { kind: 'overlong' } });
  });

  it('reads from a Reader inside another decoder, reporting through it', () => {
    expect(decode('Outer', hex('0004 0016 0000'), (r) => decodeExtensions(r))).toEqual({
      ok: true,
      value: [{ type: ExtensionType.encrypt_then_mac, data: hex('') }],
    });
    expect(decode('Outer', hex('0008 0016 0000 0016 0000'), (r) => decodeExtensions(r))).toEqual({
      ok: false,
      error: { kind: 'invalid', what: 'Outer.extension_type' },
    });
  });

  it('refuses to encode two extensions of the same type', () => {
    expect(() =>
      encodeExtensions([
        { type: 23, data: hex('') },
        { type: 23, data: hex('') },
      ]),
    ).toThrow(RangeError);
  });

  it('finds an extension by type', () => {
    const exts = [
      { type: 10, data: hex('0002 0017') },
      { type: 0xff01, data: hex('00') },
    ];
    expect(findExtension(exts, ExtensionType.renegotiation_info)).toBe(exts[1]);
    expect(findExtension(exts, ExtensionType.server_name)).toBeUndefined();
  });
});
