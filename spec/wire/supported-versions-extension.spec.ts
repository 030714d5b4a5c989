import { describe, expect, it } from 'vitest';
import { DTLS_1_2, DTLS_1_3 } from '../../lib/wire/constants.js';
import { ExtensionType } from '../../lib/wire/extension-type.js';
import {
  decodeSelectedVersion,
  decodeSupportedVersionsOffer,
  encodeSelectedVersion,
  encodeSupportedVersionsOffer,
} from '../../lib/wire/supported-versions-extension.js';
import { hex } from './helpers/hex.js';

describe('supported_versions (RFC 8446 §4.2.1)', () => {
  it('is extension 43 in both forms, and DTLS 1.3 is 0xfefc (RFC 9147 §5.3)', () => {
    expect(encodeSupportedVersionsOffer([DTLS_1_3]).type).toBe(43);
    expect(encodeSelectedVersion(DTLS_1_3).type).toBe(ExtensionType.supported_versions);
    expect(DTLS_1_3).toBe(0xfefc);
  });

  it('offers 1 to 127 versions: versions<2..254>', () => {
    expect(encodeSupportedVersionsOffer(Array(127).fill(DTLS_1_2)).data.length).toBe(255);
    expect(() => encodeSupportedVersionsOffer([])).toThrow(RangeError);
    expect(() => encodeSupportedVersionsOffer(Array(128).fill(DTLS_1_2))).toThrow(RangeError);
  });

  it('rejects an empty, odd-length or 255-byte list and bytes after it', () => {
    expect(decodeSupportedVersionsOffer(hex('00'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(decodeSupportedVersionsOffer(hex('03 fefc fe'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(decodeSupportedVersionsOffer(hex('ff' + 'fefc'.repeat(127) + 'fe'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(decodeSupportedVersionsOffer(hex('02 fefc 00'))).toMatchObject({ ok: false, error: { kind: 'overlong' } });
  });

  it('keeps versions it does not know (a server ignores them, RFC 8446 §4.2.1), in wire order', () => {
    expect(decodeSupportedVersionsOffer(hex('06 7f2b fefc fefd'))).toEqual({ ok: true, value: [0x7f2b, DTLS_1_3, DTLS_1_2] });
  });

  it("tells the ServerHello's single version from the ClientHello's list", () => {
    expect(decodeSelectedVersion(hex('02 fefc'))).toMatchObject({ ok: false, error: { kind: 'overlong' } });
    expect(decodeSelectedVersion(hex('fe'))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
  });
});
