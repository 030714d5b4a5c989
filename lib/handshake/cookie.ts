import { KeyedHmac } from '../crypto/keyed-hmac.js';
import { timingSafeEqual } from '../crypto/constant-time.js';
import { Writer } from '../wire/writer.js';
import type { ClientHello } from '../wire/client-hello.js';
import { RotationPeriods } from './rotation-periods.js';

/** Cookies are HMAC-SHA256 outputs cut to this length (RFC 6347 allows up to 255 bytes). */
export const COOKIE_LENGTH = 32;

/**
 * RFC 6347 §4.2.1: Cookie = HMAC(Secret, Client-IP, Client-Parameters). The
 * parameters are those the client must repeat unchanged in its second
 * ClientHello: version, random, session_id, cipher_suites, compression_methods.
 * `peer` identifies the source address and port.
 */
export function computeCookie(secret: Uint8Array, peer: string, hello: ClientHello): Uint8Array {
  const mac = new KeyedHmac('sha256', secret);
  const cookie = cookieWith(mac, peer, hello);
  mac.destroy();
  return cookie;
}

function cookieWith(mac: KeyedHmac, peer: string, hello: ClientHello): Uint8Array {
  const w = new Writer();
  w.vector16(new TextEncoder().encode(peer));
  w.uint16(hello.clientVersion);
  w.bytes(hello.random);
  w.vector8(hello.sessionId);
  w.vector16((v) => hello.cipherSuites.forEach((s) => v.uint16(s)));
  w.vector8((v) => hello.compressionMethods.forEach((m) => v.uint8(m)));
  return mac.mac(w.finish()).subarray(0, COOKIE_LENGTH);
}

function macWith(mac: KeyedHmac, peer: string, contents: Uint8Array): Uint8Array {
  const w = new Writer().vector16(new TextEncoder().encode(peer)).bytes(contents);
  return mac.mac(w.finish()).subarray(0, COOKIE_LENGTH);
}

/**
 * When a server's cookie secret changes: every `period` ms of the `now()` clock,
 * counted from the moment the secrets were made, each time with a new secret from
 * `nextSecret()`.
 */
export interface CookieRotation {
  /** Milliseconds between rotations. */
  readonly period: number;
  /** The clock rotations are counted on, in milliseconds. */
  readonly now: () => number;
  /** Makes the secret for the next rotation. */
  readonly nextSecret: () => Uint8Array;
}

/**
 * Cookie secrets every server given the same `secretOf` computes alike, so each verifies
 * the others' cookies: the secret of period floor(now() / period) is current, the one
 * before it still accepted. Periods count from time 0 of the clock (the Unix epoch on a
 * real one), so processes rotate at the same moment without telling each other.
 */
export interface SharedCookieSchedule {
  /** Milliseconds per period. */
  readonly period: number;
  /** The clock, in milliseconds, the same in every process (wall-clock time). */
  readonly now: () => number;
  /** The secret of period `index` (e.g. SharedSecrets.cookieSecret). */
  readonly secretOf: (index: number) => Uint8Array;
}

/**
 * The server's cookie secrets. A new secret is generated on each rotation and the
 * previous one stays valid, so a cookie is accepted for one to two rotation periods.
 * Each secret is held as a keyed HMAC: every first ClientHello costs one cookie and
 * every second one one or two, so the key's pad blocks are hashed once per rotation.
 *
 * Given a `CookieRotation` (or made `shared`), the secrets rotate on use: the first issue
 * or verify in a new period rotates once, or twice when two or more periods went by unused.
 * No cookie is made or checked in between, so that is the same as rotating on a timer
 * (RFC 6347 §4.2.1 asks only that the secret change often and the previous one be
 * honoured for a while), and an idle server keeps no timer running.
 */
export class CookieSecrets {
  private current: KeyedHmac;
  private previous: KeyedHmac | undefined;
  /** When the secrets rotate and what each period's secret is; none: they never rotate. */
  private schedule?: { readonly periods: RotationPeriods; readonly secretOf: (index: number) => Uint8Array };

  constructor(secret: Uint8Array, rotation?: CookieRotation) {
    this.current = new KeyedHmac('sha256', secret);
    if (rotation) this.schedule = { periods: new RotationPeriods(rotation.period, rotation.now, rotation.now()), secretOf: () => rotation.nextSecret() };
  }

  /** Secrets shared with every server given the same schedule: the current period's and the previous one's. */
  static shared(schedule: SharedCookieSchedule): CookieSecrets {
    const periods = new RotationPeriods(schedule.period, schedule.now, 0);
    const index = periods.index();
    const secrets = new CookieSecrets(schedule.secretOf(index - 1));
    secrets.rotate(schedule.secretOf(index));
    secrets.schedule = { periods, secretOf: schedule.secretOf };
    return secrets;
  }

  /** Makes next the current secret; cookies made with the one before stay good for one more period. */
  rotate(next: Uint8Array): void {
    this.previous?.destroy();
    this.previous = this.current;
    this.current = new KeyedHmac('sha256', next);
  }

  /** The cookie for this peer and ClientHello under the current secret. */
  issue(peer: string, hello: ClientHello): Uint8Array {
    this.catchUp();
    return cookieWith(this.current, peer, hello);
  }

  /** Whether the ClientHello's cookie is this peer's under the current or the previous secret (compared in constant time). */
  verify(peer: string, hello: ClientHello): boolean {
    if (hello.cookie.length !== COOKIE_LENGTH) return false;
    this.catchUp();
    // Both comparisons always run, so timing does not tell which secret matched.
    const current = timingSafeEqual(hello.cookie, cookieWith(this.current, peer, hello));
    const previous = this.previous !== undefined && timingSafeEqual(hello.cookie, cookieWith(this.previous, peer, hello));
    return current || previous;
  }

  /**
   * The MAC of a DTLS 1.3 cookie's contents for this peer under the current secret (RFC 8446
   * §4.2.2: the state a stateless server gets back in the second ClientHello, authenticated).
   */
  seal(peer: string, contents: Uint8Array): Uint8Array {
    this.catchUp();
    return macWith(this.current, peer, contents);
  }

  /** Whether `mac` is this peer's for `contents` under the current or the previous secret (constant time, both always computed). */
  verifySealed(peer: string, contents: Uint8Array, mac: Uint8Array): boolean {
    if (mac.length !== COOKIE_LENGTH) return false;
    this.catchUp();
    const current = timingSafeEqual(mac, macWith(this.current, peer, contents));
    const previous = this.previous !== undefined && timingSafeEqual(mac, macWith(this.previous, peer, contents));
    return current || previous;
  }

  /** The rotations a timer would have made since the last use; more than two leave the same state as two. */
  private catchUp(): void {
    if (this.schedule === undefined) return;
    for (const index of this.schedule.periods.advance()) this.rotate(this.schedule.secretOf(index));
  }
}
