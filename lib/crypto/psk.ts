const MAX_OPAQUE16 = 0xffff;

/**
 * RFC 4279 §2 (plain PSK key exchange): with N = psk.length, the premaster secret is
 * uint16(N) || N zero bytes || uint16(N) || psk. The zeros stand in for the
 * other_secret that the ECDHE_PSK variant fills with the ECDH result.
 */
export function pskPremasterSecret(psk: Uint8Array): Uint8Array {
  return opaque16Pair(new Uint8Array(psk.length), psk);
}

/**
 * RFC 5489 §2 (ECDHE_PSK): struct { opaque other_secret<0..2^16-1>; opaque psk<0..2^16-1>; }
 * with other_secret the ECDH shared secret (the x coordinate for P-256, RFC 8422 §5.10;
 * the X25519 output for x25519, RFC 8422 §5.11).
 */
export function ecdhePskPremasterSecret(ecdheSharedSecret: Uint8Array, psk: Uint8Array): Uint8Array {
  return opaque16Pair(ecdheSharedSecret, psk);
}

function opaque16Pair(otherSecret: Uint8Array, psk: Uint8Array): Uint8Array {
  // Both fields are opaque<0..2^16-1>; a longer one is a caller bug (credentials validate PSK lengths).
  if (otherSecret.length > MAX_OPAQUE16 || psk.length > MAX_OPAQUE16) {
    throw new RangeError('PSK premaster secret: field longer than 65535 bytes');
  }
  const out = new Uint8Array(4 + otherSecret.length + psk.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, otherSecret.length);
  out.set(otherSecret, 2);
  view.setUint16(2 + otherSecret.length, psk.length);
  out.set(psk, 4 + otherSecret.length);
  return out;
}
