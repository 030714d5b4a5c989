import { describe, expect, it } from 'vitest';
import {
  decodeCertificateAuthoritiesExtension,
  decodePostHandshakeAuthExtension,
  encodeCertificateAuthoritiesExtension,
  encodePostHandshakeAuthExtension,
  encodeSignatureAlgorithmsCertExtension,
} from '../../lib/wire/extension-codecs13.js';
import { ExtensionType } from '../../lib/wire/extension-type.js';
import { hex } from './helpers/hex.js';

describe('the smaller 1.3 extensions (RFC 8446 §4.2.3, §4.2.4, §4.2.6)', () => {
  it('gives each its IANA type', () => {
    expect(encodeSignatureAlgorithmsCertExtension([0x0403]).type).toBe(50);
    expect(encodeCertificateAuthoritiesExtension([hex('30')]).type).toBe(ExtensionType.certificate_authorities);
    expect(encodePostHandshakeAuthExtension()).toEqual({ type: 49, data: hex('') });
  });

  it('certificate_authorities needs at least one non-empty name', () => {
    expect(() => encodeCertificateAuthoritiesExtension([])).toThrow(RangeError);
    expect(() => encodeCertificateAuthoritiesExtension([hex('')])).toThrow(RangeError);
    expect(decodeCertificateAuthoritiesExtension(hex('0002 0000'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(decodeCertificateAuthoritiesExtension(hex('0000'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
  });

  it('post_handshake_auth carries nothing', () => {
    expect(decodePostHandshakeAuthExtension(hex('00'))).toEqual({ ok: false, error: { kind: 'overlong', what: 'PostHandshakeAuth' } });
  });
});
