import { describe, expect, it } from 'vitest';
import { decodeCertificateRequest, encodeCertificateRequest } from '../../lib/wire/certificate-request.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex } from './helpers/hex.js';

describe('CertificateRequest', () => {
  itMatchesGoldenBytes('CertificateRequest');

  it('rejects an empty certificate_types list', () => {
    expect(decodeCertificateRequest(hex('00 0002 0403 0000'))).toEqual({
      ok: false,
      error: { kind: 'invalid', what: 'CertificateRequest.certificate_types' },
    });
  });

  it('rejects an empty DistinguishedName', () => {
    expect(decodeCertificateRequest(hex('01 40 0002 0403 0002 0000'))).toMatchObject({
      error: { kind: 'invalid', what: 'CertificateRequest.DistinguishedName' },
    });
  });

  it('rejects an odd-length signature algorithm list', () => {
    expect(decodeCertificateRequest(hex('01 40 0003 040300 0000'))).toMatchObject({ error: { kind: 'invalid' } });
  });

  it('rejects a body without the certificate_authorities field as truncated', () => {
    expect(decodeCertificateRequest(hex('01 40 0002 0403'))).toMatchObject({ error: { kind: 'truncated' } });
  });

  it('refuses to encode no certificate types or an empty DistinguishedName', () => {
    expect(() => encodeCertificateRequest({ certificateTypes: [], signatureSchemes: [0x0403], certificateAuthorities: [] })).toThrow(
      RangeError,
    );
    expect(() =>
      encodeCertificateRequest({ certificateTypes: [64], signatureSchemes: [0x0403], certificateAuthorities: [hex('')] }),
    ).toThrow(RangeError);
  });
});
