import { createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { pemToDer } from '../../lib/crypto/pem.js';
import { decodeP256Spki, encodeP256Spki } from '../../lib/crypto/spki.js';
import { OID_EC_PUBLIC_KEY, OID_PRIME256V1, OID_SECP384R1, tlv } from './helpers/der-builder.js';
import { peerFixture } from './helpers/fixtures.js';
import { seededBytes } from '../wire/helpers/prng.js';

function nodeP256Spki(): { der: string; point: string } {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const point = `04${Buffer.from(jwk.x ?? '', 'base64url').toString('hex')}${Buffer.from(jwk.y ?? '', 'base64url').toString('hex')}`;
  return { der: publicKey.export({ format: 'der', type: 'spki' }).toString('hex'), point };
}

describe('encodeP256Spki / decodeP256Spki', () => {
  it('produce and accept exactly the SPKI OpenSSL (node:crypto) writes for P-256 keys', () => {
    for (let i = 0; i < 5; i++) {
      const { der, point } = nodeP256Spki();
      expect(bytesToHex(encodeP256Spki(hexToBytes(point)))).toBe(der);
      expect(bytesToHex(decodeP256Spki(hexToBytes(der)) ?? new Uint8Array())).toBe(point);
    }
  });

  it('decode the raw public key fixture and the key in the certificate fixture', () => {
    const rpk = decodeP256Spki(pemToDer(peerFixture('rpk-p256-pub.pem'), 'PUBLIC KEY') ?? new Uint8Array());
    expect(rpk).toHaveLength(65);
    const certSpki = new X509Certificate(peerFixture('ecdsa-p256-cert.pem')).publicKey.export({ format: 'der', type: 'spki' });
    expect(decodeP256Spki(certSpki)).toHaveLength(65);
  });

  it('encode is the inverse of decode, and OpenSSL parses what encode writes', () => {
    const { point } = nodeP256Spki();
    const spki = encodeP256Spki(hexToBytes(point));
    expect(decodeP256Spki(spki)).toEqual(hexToBytes(point));
    const jwk = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'jwk' });
    expect(jwk.crv).toBe('P-256');
  });

  it('encode throws for anything but a 65-byte uncompressed point (a caller bug)', () => {
    const { point } = nodeP256Spki();
    expect(() => encodeP256Spki(hexToBytes(point).subarray(0, 33))).toThrow(RangeError);
    expect(() => encodeP256Spki(Uint8Array.of(0x02, ...hexToBytes(point).subarray(1)))).toThrow(RangeError);
  });
});

describe('decodeP256Spki refusals', () => {
  const { der, point } = nodeP256Spki();
  const x = point.slice(2, 66);
  const spki = (algorithm: string, key: string) => hexToBytes(tlv(0x30, algorithm, tlv(0x03, '00', key)));

  it('refuses a compressed point, even a valid one', () => {
    const yOdd = parseInt(point.slice(-2), 16) & 1;
    expect(decodeP256Spki(spki(tlv(0x30, OID_EC_PUBLIC_KEY, OID_PRIME256V1), `0${2 + yOdd}${x}`))).toBeNull();
  });

  it('refuses other curves, other algorithms and explicit parameters', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'der', type: 'spki' });
    expect(decodeP256Spki(p384)).toBeNull();
    const ed25519 = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
    expect(decodeP256Spki(ed25519)).toBeNull();
    expect(decodeP256Spki(spki(tlv(0x30, OID_EC_PUBLIC_KEY, OID_SECP384R1), point))).toBeNull();
    expect(decodeP256Spki(spki(tlv(0x30, OID_EC_PUBLIC_KEY, tlv(0x30, tlv(0x02, '01'))), point))).toBeNull();
    expect(decodeP256Spki(spki(tlv(0x30, OID_EC_PUBLIC_KEY), point))).toBeNull();
  });

  it('refuses a point not on the curve, a non-zero unused-bits byte and trailing or missing bytes', () => {
    const offCurve = point.slice(0, -2) + (parseInt(point.slice(-2), 16) ^ 1).toString(16).padStart(2, '0');
    expect(decodeP256Spki(hexToBytes(der.slice(0, -130) + offCurve))).toBeNull();
    const unusedBits = hexToBytes(der);
    unusedBits[25] = 0x01;
    expect(decodeP256Spki(unusedBits)).toBeNull();
    expect(decodeP256Spki(hexToBytes(`${der}00`))).toBeNull();
    for (let n = 0; n < der.length / 2; n++) expect(decodeP256Spki(hexToBytes(der).subarray(0, n))).toBeNull();
  });

  it('never throws on arbitrary or mutated input', () => {
    const random = seededBytes(7250);
    const bytes = hexToBytes(der);
    for (let i = 0; i < 2000; i++) {
      const mutated = bytes.slice();
      mutated[i % bytes.length] ^= random(1)[0] | 1;
      expect(() => decodeP256Spki(mutated)).not.toThrow();
      if (i % bytes.length < 26) expect(decodeP256Spki(mutated)).toBeNull();
      expect(() => decodeP256Spki(random(i % 100))).not.toThrow();
    }
  });
});
