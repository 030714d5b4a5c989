// Cookie secrets rotate on a schedule (RFC 6347 §4.2.1 suggests changing the secret often and
// accepting the previous one for a while): a cookie is good for one to two rotation periods, and
// one older than two rotations gets a fresh HelloVerifyRequest instead of a session. Virtual time.
import { describe, expect, it } from 'vitest';
import { clientHelloDatagram, cookieIn, pskClientHello } from '../fuzz/helpers/hello.js';
import { address, SpoofedServer } from './helpers/spoofed-server.js';

const ROTATION = 1_000;

function withRotation() {
  const s = new SpoofedServer({ cookieRotation: ROTATION, maxHandshakes: 100 });
  const random = new Uint8Array(32).fill(0x33);
  /** The cookie the server gives `peer` now. */
  const cookieNow = (peer: ReturnType<typeof address>): Uint8Array => {
    const before = s.transport.replies.length;
    s.transport.deliver(clientHelloDatagram(pskClientHello(random)), peer);
    const cookie = cookieIn(s.transport.replies[before].data);
    if (!cookie) throw new Error('no HelloVerifyRequest');
    return cookie;
  };
  /** Presents `cookie` from `peer`; true when it started a session. */
  const accepted = (peer: ReturnType<typeof address>, cookie: Uint8Array): boolean => {
    const sessions = s.server.sessionCount;
    s.transport.deliver(clientHelloDatagram(pskClientHello(random, { cookie }), { messageSeq: 1, recordSeq: 1 }), peer);
    return s.server.sessionCount === sessions + 1;
  };
  return { s, cookieNow, accepted };
}

describe('cookie secret rotation', () => {
  it('the secret changes every rotation period, and only then', () => {
    const { s, cookieNow } = withRotation();
    const peer = address(1);
    const first = cookieNow(peer);
    s.clock.advanceTo(ROTATION - 1);
    expect(cookieNow(peer)).toEqual(first);
    s.clock.advanceTo(ROTATION);
    const second = cookieNow(peer);
    expect(second).not.toEqual(first);
    s.clock.advanceTo(2 * ROTATION - 1);
    expect(cookieNow(peer)).toEqual(second);
    s.clock.advanceTo(2 * ROTATION);
    expect(cookieNow(peer)).not.toEqual(second);
    s.server.close();
  });

  it('a cookie from the previous period is still accepted', () => {
    const { s, cookieNow, accepted } = withRotation();
    const cookie = cookieNow(address(2));
    s.clock.advanceTo(ROTATION + ROTATION / 2);
    expect(accepted(address(2), cookie)).toBe(true);
    s.server.close();
  });

  it('a cookie older than two rotations fails: the client gets a new HelloVerifyRequest, not a session', () => {
    const { s, cookieNow, accepted } = withRotation();
    // Issued just before a rotation, so it has seen two rotations at the earliest moment possible.
    s.clock.advanceTo(ROTATION - 1);
    const cookie = cookieNow(address(3));
    s.clock.advanceTo(2 * ROTATION);
    const replies = s.transport.replies.length;
    expect(accepted(address(3), cookie)).toBe(false);
    expect(s.server.sessionCount).toBe(0);
    const fresh = cookieIn(s.transport.replies[replies].data);
    expect(fresh).toBeDefined();
    expect(fresh).not.toEqual(cookie);
    expect(accepted(address(3), fresh!)).toBe(true);
    s.server.close();
  });

  it('a cookie is bound to the address and port it was issued to, and to the hello', () => {
    const { s, cookieNow, accepted } = withRotation();
    const cookie = cookieNow(address(4));
    expect(accepted({ ...address(4), port: address(4).port + 1 }, cookie)).toBe(false);
    expect(accepted(address(5), cookie)).toBe(false);
    const otherHello = clientHelloDatagram(pskClientHello(new Uint8Array(32).fill(0x34), { cookie }), { messageSeq: 1 });
    s.transport.deliver(otherHello, address(4));
    expect(s.server.sessionCount).toBe(0);
    expect(accepted(address(4), cookie)).toBe(true);
    s.server.close();
  });
});
