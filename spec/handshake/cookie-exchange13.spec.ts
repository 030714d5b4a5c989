import { describe, expect, it } from 'vitest';
import { NamedGroup } from '../../lib/crypto/ecdhe.js';
import { ClientHandshake13 } from '../../lib/handshake/client-handshake13.js';
import { CookieSecrets } from '../../lib/handshake/cookie.js';
import { exchangeCookie13 } from '../../lib/handshake/cookie-exchange13.js';
import { HELLO_RETRY_REQUEST_RANDOM } from '../../lib/handshake/hello-retry13.js';
import { AlertDescription } from '../../lib/wire/alert.js';
import { decodeCookieExtension } from '../../lib/wire/cookie-extension.js';
import { ExtensionType, findExtension } from '../../lib/wire/extensions.js';
import { decodeKeyShareRetry } from '../../lib/wire/key-share-extension.js';
import { decodeServerHello } from '../../lib/wire/server-hello.js';
import { only } from './helpers/handshake-pair.js';
import { PEER, client13Options, clientHelloOf, deliver13, gate13, server13Options } from './helpers/handshake13-pair.js';

const offer = { ...server13Options(), psk: true };

/** A client's second ClientHello after the gate's HelloRetryRequest, and the secrets that made its cookie. */
async function secondHello(secrets = new CookieSecrets(new Uint8Array(32).fill(1), undefined)) {
  const client = new ClientHandshake13(client13Options());
  const retry = gate13(client.start().flight!, secrets);
  if (retry.kind !== 'retry') throw new Error('expected a HelloRetryRequest');
  return { secrets, hello: clientHelloOf(only(await deliver13(retry.flight, client), 'flight')), hrr: retry.flight };
}

function hrrExtensions(body: Uint8Array) {
  const decoded = decodeServerHello(body);
  if (!decoded.ok) throw new Error('malformed HelloRetryRequest');
  return decoded.value;
}

describe('exchangeCookie13: the stateless 1.3 cookie gate (RFC 9147 §5.1, RFC 8446 §4.2.2)', () => {
  it('answers a first ClientHello with a HelloRetryRequest at its message_seq, carrying a cookie', () => {
    const { message, hello } = clientHelloOf(new ClientHandshake13(client13Options()).start().flight!);
    const exchange = exchangeCookie13(new CookieSecrets(new Uint8Array(32)), PEER, message, hello, offer);
    if (exchange.kind !== 'retry') throw new Error(`answered ${exchange.kind}`);
    expect(exchange.helloRetryRequest.messageSeq).toBe(message.messageSeq);
    const hrr = hrrExtensions(exchange.helloRetryRequest.body);
    expect(hrr.random).toEqual(HELLO_RETRY_REQUEST_RANDOM);
    expect(findExtension(hrr.extensions, ExtensionType.cookie)).toBeDefined();
    // The client sent an x25519 share, the server's first choice: no group is asked for.
    expect(findExtension(hrr.extensions, ExtensionType.key_share)).toBeUndefined();
  });

  it('asks for a share of its preferred group when the client sent none it takes', () => {
    const client = new ClientHandshake13(client13Options({ groups: [NamedGroup.secp256r1, NamedGroup.x25519] }));
    const { message, hello } = clientHelloOf(client.start().flight!);
    const exchange = exchangeCookie13(new CookieSecrets(new Uint8Array(32)), PEER, message, hello, { ...offer, groups: [NamedGroup.x25519] });
    if (exchange.kind !== 'retry') throw new Error(`answered ${exchange.kind}`);
    const share = findExtension(hrrExtensions(exchange.helloRetryRequest.body).extensions, ExtensionType.key_share)!;
    const group = decodeKeyShareRetry(share.data);
    expect(group.ok && group.value).toBe(NamedGroup.x25519);
  });

  it('lets the second ClientHello of the same peer through, with the suite and Hash(ClientHello1) from its cookie', async () => {
    const { secrets, hello } = await secondHello();
    const exchange = exchangeCookie13(secrets, PEER, hello.message, hello.hello, offer);
    expect(exchange.kind).toBe('verified');
    if (exchange.kind !== 'verified') return;
    expect(exchange.retry.suite.name).toBe('TLS_AES_128_GCM_SHA256');
    expect(exchange.retry.clientHello1Hash).toHaveLength(32);
  });

  it('keeps nothing between the two: a fresh CookieSecrets with the same secret verifies the cookie', async () => {
    const { hello } = await secondHello(new CookieSecrets(new Uint8Array(32).fill(5)));
    expect(exchangeCookie13(new CookieSecrets(new Uint8Array(32).fill(5)), PEER, hello.message, hello.hello, offer).kind).toBe('verified');
  });

  it('does not let the cookie through from another address, under another secret, or with a byte changed', async () => {
    const { secrets, hello } = await secondHello();
    expect(exchangeCookie13(secrets, '127.0.0.1:40001', hello.message, hello.hello, offer).kind).toBe('retry');
    expect(exchangeCookie13(new CookieSecrets(new Uint8Array(32).fill(2)), PEER, hello.message, hello.hello, offer).kind).toBe('retry');
    const cookieExtension = findExtension(hello.hello.extensions, ExtensionType.cookie)!;
    const cookie = decodeCookieExtension(cookieExtension.data);
    if (!cookie.ok) throw new Error('malformed cookie');
    for (const index of [0, 3, 10, cookie.value.length - 1]) {
      const forged = cookieExtension.data.slice();
      forged[cookieExtension.data.length - cookie.value.length + index] ^= 1;
      const extensions = hello.hello.extensions.map((e) => (e === cookieExtension ? { type: e.type, data: forged } : e));
      expect(exchangeCookie13(secrets, PEER, hello.message, { ...hello.hello, extensions }, offer).kind).toBe('retry');
    }
  });

  it('honours a cookie made under the previous secret, not one two rotations old', async () => {
    const secrets = new CookieSecrets(new Uint8Array(32).fill(1));
    const { hello } = await secondHello(secrets);
    secrets.rotate(new Uint8Array(32).fill(2));
    expect(exchangeCookie13(secrets, PEER, hello.message, hello.hello, offer).kind).toBe('verified');
    secrets.rotate(new Uint8Array(32).fill(3));
    expect(exchangeCookie13(secrets, PEER, hello.message, hello.hello, offer).kind).toBe('retry');
  });

  it('refuses with handshake_failure, statelessly, a client offering no PSK to a PSK server', () => {
    const { message, hello } = clientHelloOf(new ClientHandshake13(client13Options()).start().flight!);
    const withoutPsk = { ...hello, extensions: hello.extensions.filter((e) => e.type !== ExtensionType.pre_shared_key) };
    const exchange = exchangeCookie13(new CookieSecrets(new Uint8Array(32)), PEER, message, withoutPsk, offer);
    expect(exchange.kind === 'refuse' && exchange.alert).toBe(AlertDescription.handshake_failure);
  });
});
