import { ecdsaPublicKey } from '../crypto/ecdsa.js';
import { pemToDer } from '../crypto/pem.js';
import { decodeP256PrivateKey } from '../crypto/private-key.js';
import { decodeP256Spki, encodeP256Spki } from '../crypto/spki.js';
import { DtlsError } from '../dtls-error.js';

/** A P-256 public key: PEM or DER SubjectPublicKeyInfo, an uncompressed SEC1 point, or RIOT's raw x/y coordinates. */
export type PublicKeyInput =
  | string
  | Uint8Array
  | {
      /** The x coordinate, 32 bytes big-endian. */
      readonly x: Uint8Array;
      /** The y coordinate, 32 bytes big-endian. */
      readonly y: Uint8Array;
    };
/** A P-256 private key: PEM or DER (PKCS#8 or SEC1 "EC PRIVATE KEY"), or the raw 32-byte scalar as RIOT keeps it. */
export type PrivateKeyInput = string | Uint8Array;

/** The uncompressed SEC1 point (65 bytes) of a public key given in any accepted form. */
export function publicKeyPoint(input: PublicKeyInput): Uint8Array {
  if (typeof input === 'string') {
    const der = pemToDer(input, 'PUBLIC KEY');
    const point = der && decodeP256Spki(der);
    if (!point) throw new DtlsError('EINVAL', 'not a PEM P-256 public key (expected "-----BEGIN PUBLIC KEY-----")');
    return point;
  }
  if (input instanceof Uint8Array) {
    if (input.length === 65 && input[0] === 4) {
      const point = decodeP256Spki(encodeP256Spki(input));
      if (point) return point;
    }
    const point = decodeP256Spki(input);
    if (!point) throw new DtlsError('EINVAL', 'not a P-256 public key (expected DER SubjectPublicKeyInfo or a 65-byte uncompressed point)');
    return point;
  }
  if (input.x.length !== 32 || input.y.length !== 32) throw new DtlsError('EINVAL', 'P-256 coordinates must be 32 bytes each');
  const point = new Uint8Array(65);
  point[0] = 4;
  point.set(input.x, 1);
  point.set(input.y, 33);
  return publicKeyPoint(point);
}

/** The 32-byte P-256 private scalar of a key given in any accepted form. */
export function privateKeyScalar(input: PrivateKeyInput): Uint8Array {
  if (typeof input === 'string') {
    const der = pemToDer(input, 'PRIVATE KEY') ?? pemToDer(input, 'EC PRIVATE KEY');
    const scalar = der && decodeP256PrivateKey(der);
    if (!scalar) throw new DtlsError('EINVAL', 'not a PEM P-256 private key (PKCS#8 "PRIVATE KEY" or SEC1 "EC PRIVATE KEY")');
    return scalar;
  }
  const scalar = input.length === 32 ? input : decodeP256PrivateKey(input);
  if (!scalar) throw new DtlsError('EINVAL', 'not a P-256 private key (expected DER PKCS#8/SEC1 or a 32-byte scalar)');
  // Deriving the public key also proves the scalar is in range.
  try {
    ecdsaPublicKey(scalar);
  } catch (cause) {
    throw new DtlsError('EINVAL', 'the P-256 private key is out of range', undefined, { cause });
  }
  return scalar;
}
