import { describe, expect, it } from 'vitest';
import { COOKIE_LENGTH, CookieSecrets, computeCookie } from '../../lib/handshake/cookie.js';
import { DTLS_1_0 } from '../../lib/wire/constants.js';
import { encodeExtendedMasterSecretExtension } from '../../lib/wire/extensions.js';
import { clientHello } from './helpers/client-hello.js';

const secret = (n: number) => new Uint8Array(32).fill(n);
const PEER = '192.0.2.1|5684';

/** The second ClientHello of a client: the first one with the cookie filled in. */
function withCookie(secrets: CookieSecrets, peer = PEER, hello = clientHello()) {
  return { ...hello, cookie: secrets.issue(peer, hello) };
}

describe('computeCookie', () => {
  it(`is ${COOKIE_LENGTH} bytes whatever the hello and peer`, () => {
    expect(computeCookie(secret(1), PEER, clientHello())).toHaveLength(COOKIE_LENGTH);
    const big = clientHello({ cipherSuites: Array.from({ length: 200 }, (_, i) => i), sessionId: new Uint8Array(32).fill(7) });
    expect(computeCookie(secret(1), 'x'.repeat(300), big)).toHaveLength(COOKIE_LENGTH);
    expect(computeCookie(secret(1), '', clientHello())).toHaveLength(COOKIE_LENGTH);
  });

  it('is deterministic for the same secret, peer and hello, and differs with the secret', () => {
    expect(computeCookie(secret(1), PEER, clientHello())).toEqual(computeCookie(secret(1), PEER, clientHello()));
    expect(computeCookie(secret(1), PEER, clientHello())).not.toEqual(computeCookie(secret(2), PEER, clientHello()));
  });

  it('does not depend on the cookie field itself, so the second hello can be checked against the first', () => {
    const a = computeCookie(secret(1), PEER, clientHello());
    const b = computeCookie(secret(1), PEER, clientHello({ cookie: new Uint8Array(32).fill(9) }));
    expect(a).toEqual(b);
  });
});

describe('CookieSecrets', () => {
  it('accepts the cookie it issued', () => {
    const secrets = new CookieSecrets(secret(1));
    expect(secrets.verify(PEER, withCookie(secrets))).toBe(true);
  });

  it('rejects a ClientHello with no cookie, or a cookie of the wrong length', () => {
    const secrets = new CookieSecrets(secret(1));
    const good = withCookie(secrets);
    expect(secrets.verify(PEER, clientHello())).toBe(false);
    expect(secrets.verify(PEER, { ...good, cookie: good.cookie.subarray(0, COOKIE_LENGTH - 1) })).toBe(false);
    const longer = new Uint8Array(COOKIE_LENGTH + 1);
    longer.set(good.cookie);
    expect(secrets.verify(PEER, { ...good, cookie: longer })).toBe(false);
  });

  it('rejects a cookie with one bit flipped', () => {
    const secrets = new CookieSecrets(secret(1));
    const good = withCookie(secrets);
    for (const index of [0, 15, COOKIE_LENGTH - 1]) {
      const cookie = good.cookie.slice();
      cookie[index] ^= 0x01;
      expect(secrets.verify(PEER, { ...good, cookie })).toBe(false);
    }
  });

  it('still accepts a cookie after one rotation, and no longer after two', () => {
    const secrets = new CookieSecrets(secret(1));
    const hello = withCookie(secrets);
    secrets.rotate(secret(2));
    expect(secrets.verify(PEER, hello)).toBe(true);
    secrets.rotate(secret(3));
    expect(secrets.verify(PEER, hello)).toBe(false);
  });

  it('issues with the newest secret after a rotation', () => {
    const secrets = new CookieSecrets(secret(1));
    const before = withCookie(secrets);
    secrets.rotate(secret(2));
    const after = withCookie(secrets);
    expect(after.cookie).not.toEqual(before.cookie);
    secrets.rotate(secret(3));
    expect(secrets.verify(PEER, after)).toBe(true);
  });

  it('rejects a cookie presented from another address or port (RFC 6347 §4.2.1: Client-IP)', () => {
    const secrets = new CookieSecrets(secret(1));
    const hello = withCookie(secrets);
    expect(secrets.verify('192.0.2.2|5684', hello)).toBe(false);
    expect(secrets.verify('192.0.2.1|5685', hello)).toBe(false);
  });

  const changes: Array<[string, Parameters<typeof clientHello>[0]]> = [
    ['client_version', { clientVersion: DTLS_1_0 }],
    ['random', { random: new Uint8Array(32).fill(0xaa) }],
    ['session_id', { sessionId: Uint8Array.of(1, 2, 3) }],
    ['cipher_suites', { cipherSuites: [0xc0a8] }],
    ['cipher_suites order', { cipherSuites: [0x00a8, 0xc0a8] }],
    ['compression_methods', { compressionMethods: [0, 1] }],
  ];
  for (const [field, change] of changes) {
    it(`rejects the cookie when the second ClientHello changes ${field}`, () => {
      const secrets = new CookieSecrets(secret(1));
      const { cookie } = withCookie(secrets);
      expect(secrets.verify(PEER, clientHello({ ...change, cookie }))).toBe(false);
    });
  }

  it('ignores the extensions, which RFC 6347 §4.2.1 does not list among the parameters to repeat', () => {
    const secrets = new CookieSecrets(secret(1));
    const { cookie } = withCookie(secrets);
    expect(secrets.verify(PEER, clientHello({ cookie, extensions: [encodeExtendedMasterSecretExtension()] }))).toBe(true);
  });

  it('issues cookies of constant length', () => {
    const secrets = new CookieSecrets(secret(1));
    for (const peer of ['a', '2001:db8::1|65535', '10.0.0.1|1']) expect(secrets.issue(peer, clientHello())).toHaveLength(COOKIE_LENGTH);
  });
});

describe('CookieSecrets and computeCookie', () => {
  it('agree: the secrets issue the cookie computeCookie gives for the current secret, before and after rotations', () => {
    const secrets = new CookieSecrets(secret(1));
    expect(secrets.issue(PEER, clientHello())).toEqual(computeCookie(secret(1), PEER, clientHello()));
    secrets.rotate(secret(2));
    secrets.rotate(secret(3));
    expect(secrets.issue(PEER, clientHello())).toEqual(computeCookie(secret(3), PEER, clientHello()));
    expect(secrets.verify(PEER, { ...clientHello(), cookie: computeCookie(secret(2), PEER, clientHello()) })).toBe(true);
  });
});

describe('CookieSecrets rotating on use', () => {
  /** Secrets on a clock set by hand, rotating every 1000 ms, counting the secrets drawn. */
  function rotating() {
    let now = 5_000;
    let drawn = 0;
    const secrets = new CookieSecrets(secret(1), { period: 1_000, now: () => now, nextSecret: () => secret(2 + drawn++) });
    return { secrets, at: (time: number) => (now = time), drawn: () => drawn };
  }

  it('rotates at the first use in a new period, not before, and never while unused', () => {
    const { secrets, at, drawn } = rotating();
    const first = withCookie(secrets);
    at(5_999);
    expect(secrets.issue(PEER, clientHello())).toEqual(first.cookie);
    at(6_000);
    expect(drawn()).toBe(0);
    expect(secrets.issue(PEER, clientHello())).toEqual(computeCookie(secret(2), PEER, clientHello()));
    expect(drawn()).toBe(1);
    // One period old: still accepted, through the previous secret.
    expect(secrets.verify(PEER, first)).toBe(true);
  });

  it('after two or more unused periods, accepts no cookie from before them, as a timer would have rotated twice', () => {
    const { secrets, at, drawn } = rotating();
    const first = withCookie(secrets);
    at(5_000 + 7 * 1_000);
    expect(secrets.verify(PEER, first)).toBe(false);
    expect(drawn()).toBe(2);
    const fresh = withCookie(secrets);
    at(5_000 + 8 * 1_000 + 999);
    expect(secrets.verify(PEER, fresh)).toBe(true);
  });
});
