import { p256 } from '@noble/curves/nist.js';
import { derEquals, readDerChildren, readDerElements, type DerElement } from './der.js';

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const OCTET_STRING = 0x04;
const OID = 0x06;
const BIT_STRING = 0x03;
/** [0] and [1] EXPLICIT, constructed, context-specific (RFC 5915 ECPrivateKey). */
const EXPLICIT_0 = 0xa0;
const EXPLICIT_1 = 0xa1;
/** [1] IMPLICIT BIT STRING, primitive (RFC 5958 OneAsymmetricKey.publicKey). */
const IMPLICIT_1 = 0x81;

const ID_EC_PUBLIC_KEY = Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01); // 1.2.840.10045.2.1
const PRIME256V1 = Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07); // 1.2.840.10045.3.1.7
const PRIVATE_KEY_LENGTH = 32;

/**
 * The 32-byte private scalar of a DER P-256 private key, or null. Accepts
 *  - PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5208, RFC 5958; PEM "PRIVATE KEY")
 *    with algorithm id-ecPublicKey and parameters prime256v1, wrapping
 *  - an ECPrivateKey (RFC 5915, SEC 1 C.4; PEM "EC PRIVATE KEY"), also accepted alone.
 * Curve parameters, where present, must name prime256v1; an embedded public key, where
 * present, must be the one the scalar derives, so a corrupted or mismatched file is refused.
 * Never throws.
 */
export function decodeP256PrivateKey(der: Uint8Array): Uint8Array | null {
  const top = readDerElements(der);
  if (top === null || top.length !== 1) return null;
  const fields = readDerChildren(top[0], SEQUENCE);
  if (fields === null) return null;
  // An ECPrivateKey starts with version 1, a PKCS#8 structure with version 0 (v1) or 1 (v2)
  // followed by the AlgorithmIdentifier SEQUENCE; the second field tells them apart.
  return fields[1]?.tag === SEQUENCE ? fromPkcs8(fields) : fromEcPrivateKey(fields);
}

function fromPkcs8(fields: DerElement[]): Uint8Array | null {
  const [version, algorithm, privateKey, ...optional] = fields;
  if (!isSmallInteger(version, 0) && !isSmallInteger(version, 1)) return null;
  const algorithmFields = readDerChildren(algorithm, SEQUENCE);
  if (
    algorithmFields === null ||
    algorithmFields.length !== 2 ||
    !derEquals(algorithmFields[0], OID, ID_EC_PUBLIC_KEY) ||
    !derEquals(algorithmFields[1], OID, PRIME256V1) ||
    privateKey?.tag !== OCTET_STRING
  ) {
    return null;
  }
  // RFC 5958: [0] attributes, then (version 1 only) [1] publicKey; neither is needed here,
  // but a public key, if present, must match.
  let next = 0;
  if (optional[next]?.tag === EXPLICIT_0) next++;
  const publicKey = isSmallInteger(version, 1) && optional[next]?.tag === IMPLICIT_1 ? optional[next++] : undefined;
  if (next !== optional.length) return null;
  const inner = readDerElements(privateKey.value);
  if (inner === null || inner.length !== 1) return null;
  const ecFields = readDerChildren(inner[0], SEQUENCE);
  if (ecFields === null) return null;
  const scalar = fromEcPrivateKey(ecFields);
  if (scalar === null) return null;
  return publicKey === undefined || matchesBitString(publicKey.value, scalar) ? scalar : null;
}

/** RFC 5915 §3: SEQUENCE { version 1, privateKey OCTET STRING, [0] ECParameters OPTIONAL, [1] BIT STRING OPTIONAL }. */
function fromEcPrivateKey(fields: DerElement[]): Uint8Array | null {
  const [version, privateKey, ...optional] = fields;
  if (!isSmallInteger(version, 1) || privateKey?.tag !== OCTET_STRING) return null;
  // RFC 5915 §3: the octet string is ceiling(log2(n)/8) = 32 bytes long for P-256.
  const scalar = privateKey.value;
  if (scalar.length !== PRIVATE_KEY_LENGTH || !p256.utils.isValidSecretKey(scalar)) return null;
  let next = 0;
  if (optional[next]?.tag === EXPLICIT_0) {
    const parameters = readDerElements(optional[next++].value);
    if (parameters === null || parameters.length !== 1 || !derEquals(parameters[0], OID, PRIME256V1)) return null;
  }
  if (optional[next]?.tag === EXPLICIT_1) {
    const publicKey = readDerElements(optional[next++].value);
    if (publicKey === null || publicKey.length !== 1 || publicKey[0].tag !== BIT_STRING) return null;
    if (!matchesBitString(publicKey[0].value, scalar)) return null;
  }
  if (next !== optional.length) return null;
  return scalar.slice();
}

/** A BIT STRING's contents (unused-bits byte 0, then the point) equal to the scalar's uncompressed public key. */
function matchesBitString(contents: Uint8Array, scalar: Uint8Array): boolean {
  if (contents[0] !== 0) return false;
  const derived = p256.getPublicKey(scalar, false);
  const point = contents.subarray(1);
  return point.length === derived.length && point.every((byte, i) => byte === derived[i]);
}

function isSmallInteger(element: DerElement | undefined, value: number): boolean {
  return element?.tag === INTEGER && element.value.length === 1 && element.value[0] === value;
}
