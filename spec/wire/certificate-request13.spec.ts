import { describe, expect, it } from 'vitest';
import { decodeCertificateRequest13, encodeCertificateRequest13 } from '../../lib/wire/certificate-request13.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex } from './helpers/hex.js';

describe('CertificateRequest in 1.3 (RFC 8446 §4.3.2)', () => {
  itMatchesGoldenBytes('CertificateRequest13');

  it('rejects an empty extensions block (extensions<2..2^16-1>) and refuses to send one', () => {
    expect(decodeCertificateRequest13(hex('00 0000'))).toEqual({ ok: false, error: { kind: 'invalid', what: 'CertificateRequest13.extensions' } });
    expect(() => encodeCertificateRequest13({ context: hex(''), extensions: [] })).toThrow(RangeError);
  });

  it('is not the 1.2 message: a 1.2 CertificateRequest does not read as 1.3', () => {
    // certificate_types [ecdsa_sign], supported_signature_algorithms [0x0403], no CAs
    expect(decodeCertificateRequest13(hex('01 40 0002 0403 0000')).ok).toBe(false);
  });
});
