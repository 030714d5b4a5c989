import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { ecdsaPublicKey } from '../../lib/crypto/ecdsa.js';
import { pemToDer } from '../../lib/crypto/pem.js';
import { decodeP256PrivateKey } from '../../lib/crypto/private-key.js';
import { decodeP256Spki } from '../../lib/crypto/spki.js';
import { OID_EC_PUBLIC_KEY, OID_PRIME256V1, OID_SECP384R1, tlv } from './helpers/der-builder.js';
import { peerFixture } from './helpers/fixtures.js';
import { seededBytes } from '../wire/helpers/prng.js';

/** The private scalar as OpenSSL (node:crypto) reads it, the independent oracle here. */
function nodeScalar(pemOrDer: string | Buffer, type?: 'pkcs8' | 'sec1'): string {
  const key = typeof pemOrDer === 'string' ? createPrivateKey(pemOrDer) : createPrivateKey({ key: pemOrDer, format: 'der', type: type ?? 'pkcs8' });
  return Buffer.from(key.export({ format: 'jwk' }).d ?? '', 'base64url').toString('hex');
}

const decode = (hex: string) => decodeP256PrivateKey(hexToBytes(hex));

describe('decodeP256PrivateKey with the fixtures', () => {
  it('reads the PKCS#8 "PRIVATE KEY" fixture, whose public key is the one in the certificate fixture', () => {
    const pem = peerFixture('ecdsa-p256-key.pem');
    const scalar = decodeP256PrivateKey(pemToDer(pem, 'PRIVATE KEY') ?? new Uint8Array());
    expect(bytesToHex(scalar ?? new Uint8Array())).toBe(nodeScalar(pem));
    const certSpki = new X509Certificate(peerFixture('ecdsa-p256-cert.pem')).publicKey.export({ format: 'der', type: 'spki' });
    const certPoint = decodeP256Spki(new Uint8Array(certSpki));
    expect(certPoint).not.toBeNull();
    expect(ecdsaPublicKey(scalar ?? new Uint8Array(32))).toEqual(certPoint);
  });

  it('reads the SEC1 "EC PRIVATE KEY" raw-key fixture, whose public key is rpk-p256-pub.pem', () => {
    const pem = peerFixture('rpk-p256-key.pem');
    const scalar = decodeP256PrivateKey(pemToDer(pem, 'EC PRIVATE KEY') ?? new Uint8Array());
    expect(bytesToHex(scalar ?? new Uint8Array())).toBe(nodeScalar(pem));
    const publicKey = decodeP256Spki(pemToDer(peerFixture('rpk-p256-pub.pem'), 'PUBLIC KEY') ?? new Uint8Array());
    expect(publicKey).not.toBeNull();
    expect(ecdsaPublicKey(scalar ?? new Uint8Array(32))).toEqual(publicKey);
  });
});

describe('decodeP256PrivateKey against OpenSSL-generated keys', () => {
  it('reads PKCS#8 and SEC1 DER of fresh keys to the scalar OpenSSL reports', () => {
    for (let i = 0; i < 8; i++) {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
      const sec1 = privateKey.export({ format: 'der', type: 'sec1' });
      const expected = nodeScalar(pkcs8);
      expect(bytesToHex(decodeP256PrivateKey(pkcs8) ?? new Uint8Array())).toBe(expected);
      expect(bytesToHex(decodeP256PrivateKey(sec1) ?? new Uint8Array())).toBe(expected);
    }
  });
});

describe('decodeP256PrivateKey structure', () => {
  const scalar = 'c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721';
  const point = bytesToHex(ecdsaPublicKey(hexToBytes(scalar)));
  const otherPoint = bytesToHex(ecdsaPublicKey(new Uint8Array(32).fill(3)));
  const ecPrivateKey = (...optional: string[]) => tlv(0x30, tlv(0x02, '01'), tlv(0x04, scalar), ...optional);
  const params = tlv(0xa0, OID_PRIME256V1);
  const publicKey = (p: string) => tlv(0xa1, tlv(0x03, '00', p));
  const algorithm = tlv(0x30, OID_EC_PUBLIC_KEY, OID_PRIME256V1);
  const pkcs8 = (version: string, inner: string, ...optional: string[]) =>
    tlv(0x30, tlv(0x02, version), algorithm, tlv(0x04, inner), ...optional);

  it('accepts ECPrivateKey with or without parameters and public key', () => {
    for (const der of [ecPrivateKey(), ecPrivateKey(params), ecPrivateKey(publicKey(point)), ecPrivateKey(params, publicKey(point))]) {
      expect(bytesToHex(decode(der) ?? new Uint8Array())).toBe(scalar);
    }
  });

  it('accepts PKCS#8 v1 with attributes, and v2 (RFC 5958) with a matching public key', () => {
    expect(bytesToHex(decode(pkcs8('00', ecPrivateKey())) ?? new Uint8Array())).toBe(scalar);
    expect(bytesToHex(decode(pkcs8('00', ecPrivateKey(), tlv(0xa0, tlv(0x30)))) ?? new Uint8Array())).toBe(scalar);
    expect(bytesToHex(decode(pkcs8('01', ecPrivateKey(), tlv(0x81, '00', point))) ?? new Uint8Array())).toBe(scalar);
  });

  it('refuses a public key that does not belong to the private key, in either wrapper', () => {
    expect(decode(ecPrivateKey(params, publicKey(otherPoint)))).toBeNull();
    expect(decode(pkcs8('00', ecPrivateKey(publicKey(otherPoint))))).toBeNull();
    expect(decode(pkcs8('01', ecPrivateKey(), tlv(0x81, '00', otherPoint)))).toBeNull();
  });

  it('refuses other curves and algorithms', () => {
    expect(decode(ecPrivateKey(tlv(0xa0, OID_SECP384R1)))).toBeNull();
    expect(decode(tlv(0x30, tlv(0x02, '00'), tlv(0x30, OID_EC_PUBLIC_KEY, OID_SECP384R1), tlv(0x04, ecPrivateKey())))).toBeNull();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    expect(decodeP256PrivateKey(p384.export({ format: 'der', type: 'pkcs8' }))).toBeNull();
    expect(decodeP256PrivateKey(p384.export({ format: 'der', type: 'sec1' }))).toBeNull();
    const ed25519 = generateKeyPairSync('ed25519').privateKey;
    expect(decodeP256PrivateKey(ed25519.export({ format: 'der', type: 'pkcs8' }))).toBeNull();
  });

  it('refuses wrong versions, fields out of order, a v1 structure with a v2 public key, and scalars that are not keys', () => {
    expect(decode(tlv(0x30, tlv(0x02, '02'), tlv(0x04, scalar)))).toBeNull();
    expect(decode(pkcs8('02', ecPrivateKey()))).toBeNull();
    expect(decode(ecPrivateKey(publicKey(point), params))).toBeNull();
    expect(decode(pkcs8('00', ecPrivateKey(), tlv(0x81, '00', point)))).toBeNull();
    expect(decode(tlv(0x30, tlv(0x02, '01'), tlv(0x04, '00'.repeat(32))))).toBeNull();
    const n = 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551';
    expect(decode(tlv(0x30, tlv(0x02, '01'), tlv(0x04, n)))).toBeNull();
    expect(decode(tlv(0x30, tlv(0x02, '01'), tlv(0x04, scalar.slice(2))))).toBeNull();
  });

  it('refuses every truncation, trailing bytes and non-DER lengths', () => {
    const der = pkcs8('00', ecPrivateKey(params, publicKey(point)));
    for (let n = 0; n < der.length / 2; n++) expect(decode(der.slice(0, 2 * n))).toBeNull();
    expect(decode(`${der}00`)).toBeNull();
    // The same SEC1 key with its 0x77 outer length written in the long form.
    const inner = ecPrivateKey(params, publicKey(point));
    expect(decode(`3081${inner.slice(2)}`)).toBeNull();
  });

  it('never throws on mutated or random input', () => {
    const random = seededBytes(5915);
    const der = hexToBytes(pkcs8('00', ecPrivateKey(params, publicKey(point))));
    for (let i = 0; i < 3000; i++) {
      const mutated = der.slice();
      mutated[i % der.length] ^= random(1)[0] | 1;
      expect(() => decodeP256PrivateKey(mutated)).not.toThrow();
      expect(() => decodeP256PrivateKey(random(i % 150))).not.toThrow();
    }
  });
});
