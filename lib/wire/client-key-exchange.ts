import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

/** RFC 4279 §2: opaque psk_identity<0..2^16-1>. */
export interface ClientKeyExchangePsk {
  pskIdentity: Uint8Array;
}

/** RFC 8422 §5.7 ClientECDiffieHellmanPublic: ECPoint ecdh_Yc, opaque point<1..2^8-1>. */
export interface ClientKeyExchangeEcdhe {
  publicKey: Uint8Array;
}

/** RFC 5489 §2: psk_identity<0..2^16-1> followed by ClientECDiffieHellmanPublic. */
export interface ClientKeyExchangeEcdhePsk {
  pskIdentity: Uint8Array;
  publicKey: Uint8Array;
}

function checkPoint(publicKey: Uint8Array): void {
  if (publicKey.length === 0) throw new RangeError('ECPoint must not be empty');
}

export function encodeClientKeyExchangePsk(x: ClientKeyExchangePsk): Uint8Array {
  return new Writer(2 + x.pskIdentity.length).vector16(x.pskIdentity).finish();
}

export function decodeClientKeyExchangePsk(body: Uint8Array): Result<ClientKeyExchangePsk> {
  return decode('ClientKeyExchangePsk', body, (r) => ({ pskIdentity: r.vector16('psk_identity') }));
}

export function encodeClientKeyExchangeEcdhe(x: ClientKeyExchangeEcdhe): Uint8Array {
  checkPoint(x.publicKey);
  return new Writer(1 + x.publicKey.length).vector8(x.publicKey).finish();
}

export function decodeClientKeyExchangeEcdhe(body: Uint8Array): Result<ClientKeyExchangeEcdhe> {
  return decode('ClientKeyExchangeEcdhe', body, (r) => ({ publicKey: r.vector8('ecdh_Yc', 1) }));
}

export function encodeClientKeyExchangeEcdhePsk(x: ClientKeyExchangeEcdhePsk): Uint8Array {
  checkPoint(x.publicKey);
  return new Writer().vector16(x.pskIdentity).vector8(x.publicKey).finish();
}

export function decodeClientKeyExchangeEcdhePsk(body: Uint8Array): Result<ClientKeyExchangeEcdhePsk> {
  return decode('ClientKeyExchangeEcdhePsk', body, (r) => ({
    pskIdentity: r.vector16('psk_identity'),
    publicKey: r.vector8('ecdh_Yc', 1),
  }));
}
