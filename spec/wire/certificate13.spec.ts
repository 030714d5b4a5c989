import { describe, expect, it } from 'vitest';
import { decodeCertificate13, encodeCertificate13 } from '../../lib/wire/certificate13.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex } from './helpers/hex.js';

describe('Certificate in 1.3 (RFC 8446 §4.4.2)', () => {
  itMatchesGoldenBytes('Certificate13');

  it('rejects an empty cert_data<1..2^24-1>', () => {
    expect(decodeCertificate13(hex('00 000005 000000 0000'))).toEqual({ ok: false, error: { kind: 'invalid', what: 'Certificate13.cert_data' } });
    expect(() => encodeCertificate13({ context: hex(''), entries: [{ data: hex(''), extensions: [] }] })).toThrow(RangeError);
  });

  it('needs each entry\'s extensions block: an entry without one runs past the list', () => {
    expect(decodeCertificate13(hex('00 000004 000001 30'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
  });

  it('rejects a list longer than the body as truncated and bytes after it as overlong', () => {
    expect(decodeCertificate13(hex('00 000010 000001 30 0000'))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
    expect(decodeCertificate13(hex('00 000006 000001 30 0000 ff'))).toMatchObject({ ok: false, error: { kind: 'overlong' } });
  });

  it('reads a raw public key entry like a certificate: the SPKI is the entry\'s data', () => {
    const spki = hex('3059301306072a8648ce3d020106082a8648ce3d030107034200' + '04'.repeat(65));
    const body = encodeCertificate13({ context: hex(''), entries: [{ data: spki, extensions: [] }] });
    expect(decodeCertificate13(body)).toEqual({ ok: true, value: { context: hex(''), entries: [{ data: spki, extensions: [] }] } });
  });
});
