import { decode, type Reader } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

/** RFC 4279 §2: PSK key exchange; the server sends only an identity hint. */
export interface ServerKeyExchangePsk {
  pskIdentityHint: Uint8Array;
}

/** RFC 8422 §5.4: ServerECDHParams + a TLS 1.2 digitally-signed signature over them. */
export interface ServerKeyExchangeEcdhe {
  namedGroup: number;
  /** ECPoint: an uncompressed point (P-256) or 32-byte u-coordinate (X25519). */
  publicKey: Uint8Array;
  /** SignatureAndHashAlgorithm read as one uint16 (RFC 5246 §4.7). */
  signatureScheme: number;
  signature: Uint8Array;
}

/** RFC 5489 §2: psk_identity_hint then ServerECDHParams, unsigned. */
export interface ServerKeyExchangeEcdhePsk {
  pskIdentityHint: Uint8Array;
  namedGroup: number;
  publicKey: Uint8Array;
}

/** RFC 8422 §5.4 ECCurveType: only named_curve remains allowed (RFC 8422 §5.1.1). */
const NAMED_CURVE = 3;

export function encodeServerKeyExchangePsk(x: ServerKeyExchangePsk): Uint8Array {
  return new Writer(2 + x.pskIdentityHint.length).vector16(x.pskIdentityHint).finish();
}

export function decodeServerKeyExchangePsk(body: Uint8Array): Result<ServerKeyExchangePsk> {
  return decode('ServerKeyExchangePsk', body, (r) => ({
    pskIdentityHint: r.vector16('psk_identity_hint'),
  }));
}

/**
 * The ServerECDHParams bytes: curve_type(1) = named_curve, NamedCurve(2), ECPoint
 * opaque<1..2^8-1>. RFC 8422 §5.4: the signature covers
 * client_random + server_random + these bytes.
 */
export function encodeEcdheParams(namedGroup: number, publicKey: Uint8Array): Uint8Array {
  const w = new Writer(4 + publicKey.length);
  writeEcdheParams(w, namedGroup, publicKey);
  return w.finish();
}

function writeEcdheParams(w: Writer, namedGroup: number, publicKey: Uint8Array): void {
  if (publicKey.length === 0) throw new RangeError('ECPoint must not be empty');
  w.uint8(NAMED_CURVE).uint16(namedGroup).vector8(publicKey);
}

function readEcdheParams(r: Reader): { namedGroup: number; publicKey: Uint8Array } {
  // Explicit curves (1, 2) were deprecated by RFC 8422 §5.1.1; anything else is unknown.
  if (r.uint8('curve_type') !== NAMED_CURVE) r.fail('invalid', 'curve_type');
  return { namedGroup: r.uint16('namedcurve'), publicKey: r.vector8('point', 1) };
}

export function encodeServerKeyExchangeEcdhe(x: ServerKeyExchangeEcdhe): Uint8Array {
  const w = new Writer();
  writeEcdheParams(w, x.namedGroup, x.publicKey);
  w.uint16(x.signatureScheme).vector16(x.signature);
  return w.finish();
}

export function decodeServerKeyExchangeEcdhe(body: Uint8Array): Result<ServerKeyExchangeEcdhe> {
  return decode('ServerKeyExchangeEcdhe', body, (r) => {
    const { namedGroup, publicKey } = readEcdheParams(r);
    return {
      namedGroup,
      publicKey,
      signatureScheme: r.uint16('signature_algorithm'),
      signature: r.vector16('signature'),
    };
  });
}

export function encodeServerKeyExchangeEcdhePsk(x: ServerKeyExchangeEcdhePsk): Uint8Array {
  const w = new Writer().vector16(x.pskIdentityHint);
  writeEcdheParams(w, x.namedGroup, x.publicKey);
  return w.finish();
}

export function decodeServerKeyExchangeEcdhePsk(body: Uint8Array): Result<ServerKeyExchangeEcdhePsk> {
  return decode('ServerKeyExchangeEcdhePsk', body, (r) => {
    const pskIdentityHint = r.vector16('psk_identity_hint');
    return { pskIdentityHint, ...readEcdheParams(r) };
  });
}
