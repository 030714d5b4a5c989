import { createPrivateKey, X509Certificate } from 'node:crypto';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { pemToDer } from '../../lib/crypto/pem.js';
import { peerFixture } from './helpers/fixtures.js';

const wrap = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;

describe('pemToDer', () => {
  it('decodes the fixture keys and certificate to the same DER as OpenSSL (node:crypto)', () => {
    const pkcs8 = peerFixture('ecdsa-p256-key.pem');
    expect(bytesToHex(pemToDer(pkcs8, 'PRIVATE KEY') ?? new Uint8Array())).toBe(
      createPrivateKey(pkcs8).export({ format: 'der', type: 'pkcs8' }).toString('hex'),
    );
    const sec1 = peerFixture('rpk-p256-key.pem');
    expect(bytesToHex(pemToDer(sec1, 'EC PRIVATE KEY') ?? new Uint8Array())).toBe(
      createPrivateKey(sec1).export({ format: 'der', type: 'sec1' }).toString('hex'),
    );
    const cert = peerFixture('ecdsa-p256-cert.pem');
    expect(bytesToHex(pemToDer(cert, 'CERTIFICATE') ?? new Uint8Array())).toBe(new X509Certificate(cert).raw.toString('hex'));
  });

  it('picks the block with the requested label, or the first block when no label is given', () => {
    const bundle = wrap('CERTIFICATE', 'AQID') + wrap('PRIVATE KEY', 'BAUG');
    expect(pemToDer(bundle, 'PRIVATE KEY')).toEqual(Uint8Array.of(4, 5, 6));
    expect(pemToDer(bundle, 'CERTIFICATE')).toEqual(Uint8Array.of(1, 2, 3));
    expect(pemToDer(bundle)).toEqual(Uint8Array.of(1, 2, 3));
    expect(pemToDer(bundle, 'PUBLIC KEY')).toBeNull();
    expect(pemToDer(wrap('EC PRIVATE KEY', 'AQID'), 'PRIVATE KEY')).toBeNull();
  });

  it('ignores CRLF line ends, blank lines and text around the block', () => {
    const pem = 'explanatory text\r\n-----BEGIN PUBLIC KEY-----\r\nAQID\r\n\r\nBAU=\r\n-----END PUBLIC KEY-----\r\ntrailer';
    expect(pemToDer(pem, 'PUBLIC KEY')).toEqual(Uint8Array.of(1, 2, 3, 4, 5));
  });

  it('decodes each padding length', () => {
    expect(pemToDer(wrap('X', 'AQ=='), 'X')).toEqual(Uint8Array.of(1));
    expect(pemToDer(wrap('X', 'AQI='), 'X')).toEqual(Uint8Array.of(1, 2));
    expect(pemToDer(wrap('X', 'AQID'), 'X')).toEqual(Uint8Array.of(1, 2, 3));
    expect(pemToDer(wrap('X', ''), 'X')).toEqual(new Uint8Array(0));
  });

  it('returns null for a missing or mismatched END line and for invalid base64', () => {
    expect(pemToDer('-----BEGIN X-----\nAQID\n', 'X')).toBeNull();
    expect(pemToDer('-----BEGIN X-----\nAQID\n-----END Y-----\n', 'X')).toBeNull();
    expect(pemToDer(wrap('X', 'AQI'), 'X')).toBeNull();
    expect(pemToDer(wrap('X', 'AQ=D'), 'X')).toBeNull();
    expect(pemToDer(wrap('X', 'A===') , 'X')).toBeNull();
    expect(pemToDer(wrap('X', 'AQ-D'), 'X')).toBeNull();
    expect(pemToDer(wrap('X', 'Proc-Type: 4,ENCRYPTED\n\nAQID'), 'X')).toBeNull();
    expect(pemToDer('no pem here')).toBeNull();
  });

  it('treats a label with regular-expression characters literally', () => {
    expect(pemToDer(wrap('A.B', 'AQID'), 'A.B')).toEqual(Uint8Array.of(1, 2, 3));
    expect(pemToDer(wrap('AXB', 'AQID'), 'A.B')).toBeNull();
  });
});
