import { describe, expect, it } from 'vitest';
import { decodeCertificateVerify } from '../../lib/wire/certificate-verify.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex } from './helpers/hex.js';

describe('CertificateVerify', () => {
  itMatchesGoldenBytes('CertificateVerify');

  it('rejects a signature shorter than its length says', () => {
    expect(decodeCertificateVerify(hex('0403 0004 0102'))).toEqual({
      ok: false,
      error: { kind: 'truncated', what: 'CertificateVerify.signature' },
    });
  });

  it('rejects bytes after the signature', () => {
    expect(decodeCertificateVerify(hex('0403 0001 01 02'))).toMatchObject({ error: { kind: 'overlong' } });
  });
});
