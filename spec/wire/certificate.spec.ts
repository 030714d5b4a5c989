import { describe, expect, it } from 'vitest';
import {
  decodeCertificate,
  decodeRawPublicKeyCertificate,
  encodeCertificate,
  encodeRawPublicKeyCertificate,
} from '../../lib/wire/certificate.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex } from './helpers/hex.js';

describe('Certificate (X.509)', () => {
  itMatchesGoldenBytes('Certificate');

  it('rejects an empty ASN.1Cert (ASN.1Cert<1..2^24-1>)', () => {
    expect(decodeCertificate(hex('000003 000000'))).toEqual({
      ok: false,
      error: { kind: 'invalid', what: 'Certificate.ASN.1Cert' },
    });
  });

  it('rejects a certificate that runs past the list as invalid', () => {
    expect(decodeCertificate(hex('000004 000002 05'))).toMatchObject({ error: { kind: 'invalid' } });
  });

  it('rejects a list longer than the body as truncated', () => {
    expect(decodeCertificate(hex('000010 000001 05'))).toMatchObject({ error: { kind: 'truncated' } });
  });

  it('refuses to encode an empty certificate', () => {
    expect(() => encodeCertificate({ certificates: [hex('')] })).toThrow(RangeError);
  });
});

describe('Certificate (RFC 7250 raw public key)', () => {
  itMatchesGoldenBytes('RawPublicKeyCertificate');

  it('rejects an empty SubjectPublicKeyInfo', () => {
    expect(decodeRawPublicKeyCertificate(hex('000000'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(() => encodeRawPublicKeyCertificate(hex(''))).toThrow(RangeError);
  });

  it('reads the body as one length-prefixed SPKI, not as a certificate_list of them', () => {
    // Were this a list, 000002 would be an entry length; RFC 7250 §3 has no list, so it
    // is part of the SPKI bytes (and will fail the credentials layer's DER parse).
    expect(decodeRawPublicKeyCertificate(hex('000005 000002 3000'))).toEqual({
      ok: true,
      value: { spki: hex('000002 3000') },
    });
    expect(decodeRawPublicKeyCertificate(hex('000002 3000 00'))).toMatchObject({ error: { kind: 'overlong' } });
  });
});
