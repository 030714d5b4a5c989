import { hmac } from '../crypto/hash.js';
import { timingSafeEqual } from '../crypto/constant-time.js';
import { Writer } from '../wire/writer.js';
import type { ClientHello } from '../wire/client-hello.js';

/** Cookies are HMAC-SHA256 outputs cut to this length (RFC 6347 allows up to 255 bytes). */
export const COOKIE_LENGTH = 32;

/**
 * RFC 6347 §4.2.1: Cookie = HMAC(Secret, Client-IP, Client-Parameters). The
 * parameters are those the client must repeat unchanged in its second
 * ClientHello: version, random, session_id, cipher_suites, compression_methods.
 * `peer` identifies the source address and port.
 */
export function computeCookie(secret: Uint8Array, peer: string, hello: ClientHello): Uint8Array {
  const w = new Writer();
  w.vector16(new TextEncoder().encode(peer));
  w.uint16(hello.clientVersion);
  w.bytes(hello.random);
  w.vector8(hello.sessionId);
  w.vector16((v) => hello.cipherSuites.forEach((s) => v.uint16(s)));
  w.vector8((v) => hello.compressionMethods.forEach((m) => v.uint8(m)));
  return hmac('sha256', secret, w.finish()).subarray(0, COOKIE_LENGTH);
}

/**
 * The server's cookie secrets. A new secret is generated on each rotation and the
 * previous one stays valid, so a cookie is accepted for one to two rotation periods.
 */
export class CookieSecrets {
  private previous: Uint8Array | undefined;

  constructor(private current: Uint8Array) {}

  rotate(next: Uint8Array): void {
    this.previous = this.current;
    this.current = next;
  }

  issue(peer: string, hello: ClientHello): Uint8Array {
    return computeCookie(this.current, peer, hello);
  }

  verify(peer: string, hello: ClientHello): boolean {
    if (hello.cookie.length !== COOKIE_LENGTH) return false;
    // Both comparisons always run, so timing does not tell which secret matched.
    const current = timingSafeEqual(hello.cookie, computeCookie(this.current, peer, hello));
    const previous = this.previous !== undefined && timingSafeEqual(hello.cookie, computeCookie(this.previous, peer, hello));
    return current || previous;
  }
}
