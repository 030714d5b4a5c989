import { describe, expect, it } from 'vitest';
import { NamedGroup } from '../../lib/crypto/ecdhe.js';
import { ClientHandshake } from '../../lib/handshake/client-handshake.js';
import type { HandshakeMessage } from '../../lib/handshake/handshake-message.js';
import { AlertDescription } from '../../lib/wire/alert.js';
import { DTLS_1_0, DTLS_1_2, HandshakeType } from '../../lib/wire/constants.js';
import { ExtensionType, encodeExtendedMasterSecretExtension, encodeRenegotiationInfoExtension, type Extension } from '../../lib/wire/extensions.js';
import { decodeClientHello } from '../../lib/wire/client-hello.js';
import { encodeServerHello, type ServerHello } from '../../lib/wire/server-hello.js';
import { encodeServerKeyExchangeEcdhePsk } from '../../lib/wire/server-key-exchange.js';
import { ECDHE_PSK_SUITES, PSK_SUITES, clientOptions, handshakeMessages, helloVerifyRequest } from './helpers/handshake-pair.js';

const PSK = PSK_SUITES[0];
const ECDHE_PSK = ECDHE_PSK_SUITES[0];

function serverHello(overrides: Partial<ServerHello> = {}, messageSeq = 0): HandshakeMessage {
  return {
    msgType: HandshakeType.server_hello,
    messageSeq,
    body: encodeServerHello({
      serverVersion: DTLS_1_2,
      random: new Uint8Array(32).fill(3),
      sessionId: new Uint8Array(0),
      cipherSuite: PSK.id,
      compressionMethod: 0,
      extensions: [encodeExtendedMasterSecretExtension(), encodeRenegotiationInfoExtension()],
      ...overrides,
    }),
  };
}

const message = (msgType: number, body: Uint8Array, messageSeq = 1): HandshakeMessage => ({ msgType, messageSeq, body });
const started = (options = clientOptions({ cipherSuites: [PSK, ECDHE_PSK] })) => {
  const client = new ClientHandshake(options);
  client.start();
  return client;
};
const alertOf = async (client: ClientHandshake, m: HandshakeMessage) => (await client.onMessage(m)).failure?.alert;

describe('ClientHandshake', () => {
  it('offers its suites in order of preference, no session id, null compression and an empty cookie in flight 1', () => {
    const client = new ClientHandshake(clientOptions({ cipherSuites: [ECDHE_PSK, PSK] }));
    const step = client.start();
    expect(step.flight?.number).toBe(1);
    const [hello] = handshakeMessages(step.flight!);
    expect(hello.msgType).toBe(HandshakeType.client_hello);
    expect(hello.messageSeq).toBe(0);
    // client_version(2) random(32) session_id<0> cookie<0> cipher_suites<4>
    expect(Array.from(hello.body.subarray(0, 2))).toEqual([0xfe, 0xfd]);
    expect(hello.body[34]).toBe(0);
    expect(hello.body[35]).toBe(0);
    expect(Array.from(hello.body.subarray(36, 42))).toEqual([0, 4, ECDHE_PSK.id >> 8, ECDHE_PSK.id & 0xff, PSK.id >> 8, PSK.id & 0xff]);
    expect(client.start()).toEqual({});
  });

  it('keeps its random across the cookie exchange (RFC 6347 §4.2.1)', async () => {
    const client = new ClientHandshake(clientOptions());
    const [first] = handshakeMessages(client.start().flight!);
    const [second] = handshakeMessages((await client.onMessage(helloVerifyRequest(new Uint8Array(20).fill(1)))).flight!);
    expect(second.body.subarray(2, 34)).toEqual(first.body.subarray(2, 34));
  });

  it('repeats the first ClientHello exactly in the second, with only the cookie added (RFC 6347 §4.2.1)', async () => {
    const client = new ClientHandshake(clientOptions({ cipherSuites: [...PSK_SUITES, ...ECDHE_PSK_SUITES] }));
    const [first] = handshakeMessages(client.start().flight!);
    const cookie = new Uint8Array(20).fill(0xc5);
    const [second] = handshakeMessages((await client.onMessage(helloVerifyRequest(cookie))).flight!);
    const [third] = handshakeMessages((await client.onMessage(helloVerifyRequest(new Uint8Array(3).fill(9), 1))).flight!);
    const a = decodeClientHello(first.body);
    const b = decodeClientHello(second.body);
    const c = decodeClientHello(third.body);
    if (!a.ok || !b.ok || !c.ok) throw new Error('a ClientHello did not decode');
    expect({ ...b.value, cookie: a.value.cookie }).toEqual(a.value);
    expect(b.value.cookie).toEqual(cookie);
    expect({ ...c.value, cookie: a.value.cookie }).toEqual(a.value);
    expect(c.value.cookie).toEqual(new Uint8Array(3).fill(9));
  });

  it('answers a second HelloVerifyRequest (a cookie that expired) with another ClientHello', async () => {
    const client = started();
    expect((await client.onMessage(helloVerifyRequest(new Uint8Array(32).fill(1), 0))).flight?.number).toBe(3);
    const again = await client.onMessage(helloVerifyRequest(new Uint8Array(32).fill(2), 1));
    const [hello] = handshakeMessages(again.flight!);
    expect(hello.messageSeq).toBe(2);
  });

  it('fails with illegal_parameter on a HelloVerifyRequest without a cookie', async () => {
    expect(await alertOf(started(), helloVerifyRequest(new Uint8Array(0)))).toBe(AlertDescription.illegal_parameter);
  });

  it('fails with decode_error on a malformed HelloVerifyRequest or ServerHello', async () => {
    expect(await alertOf(started(), message(HandshakeType.hello_verify_request, Uint8Array.of(0xfe), 0))).toBe(AlertDescription.decode_error);
    expect(await alertOf(started(), message(HandshakeType.server_hello, Uint8Array.of(0xfe, 0xfd, 1, 2), 0))).toBe(AlertDescription.decode_error);
  });

  it('fails with protocol_version when the server does not choose DTLS 1.2', async () => {
    expect(await alertOf(started(), serverHello({ serverVersion: DTLS_1_0 }))).toBe(AlertDescription.protocol_version);
  });

  it('fails with illegal_parameter when the server chooses a suite it was not offered', async () => {
    const client = started(clientOptions({ cipherSuites: [PSK] }));
    expect(await alertOf(client, serverHello({ cipherSuite: ECDHE_PSK.id }))).toBe(AlertDescription.illegal_parameter);
    expect(await alertOf(started(), serverHello({ cipherSuite: 0x1301 }))).toBe(AlertDescription.illegal_parameter);
  });

  it('fails with illegal_parameter when the server chooses compression', async () => {
    expect(await alertOf(started(), serverHello({ compressionMethod: 1 }))).toBe(AlertDescription.illegal_parameter);
  });

  it('fails with unsupported_extension when the ServerHello carries an extension it did not offer', async () => {
    const extra: Extension = { type: ExtensionType.encrypt_then_mac, data: new Uint8Array(0) };
    expect(await alertOf(started(), serverHello({ extensions: [extra] }))).toBe(AlertDescription.unsupported_extension);
  });

  it('fails with unexpected_message for a message out of place', async () => {
    expect(await alertOf(started(), message(HandshakeType.server_hello_done, new Uint8Array(0), 0))).toBe(AlertDescription.unexpected_message);
    const client = started();
    await client.onMessage(serverHello());
    expect(await alertOf(client, message(HandshakeType.finished, new Uint8Array(12)))).toBe(AlertDescription.unexpected_message);
  });

  it('does without extended_master_secret when the server does not echo it (RFC 7627 §5.2 allows the fallback)', async () => {
    const client = started();
    await client.onMessage(serverHello({ extensions: [] }));
    const step = await client.onMessage(message(HandshakeType.server_hello_done, new Uint8Array(0)));
    expect(step.flight?.number).toBe(5);
  });

  it('fails with illegal_parameter when an ECDHE_PSK server picks a group it was not offered', async () => {
    const client = started(clientOptions({ cipherSuites: [ECDHE_PSK], groups: [NamedGroup.x25519] }));
    await client.onMessage(serverHello({ cipherSuite: ECDHE_PSK.id }));
    const ske = encodeServerKeyExchangeEcdhePsk({ pskIdentityHint: new Uint8Array(0), namedGroup: NamedGroup.secp256r1, publicKey: new Uint8Array(65).fill(4) });
    expect(await alertOf(client, message(HandshakeType.server_key_exchange, ske))).toBe(AlertDescription.illegal_parameter);
  });

  it('fails with illegal_parameter when the server ECDHE public key is invalid', async () => {
    const client = started(clientOptions({ cipherSuites: [ECDHE_PSK], groups: [NamedGroup.x25519] }));
    await client.onMessage(serverHello({ cipherSuite: ECDHE_PSK.id }));
    // An all-zero X25519 key is of low order: the shared secret would be zero (RFC 7748 §6.1).
    const ske = encodeServerKeyExchangeEcdhePsk({ pskIdentityHint: new Uint8Array(0), namedGroup: NamedGroup.x25519, publicKey: new Uint8Array(32) });
    expect(await client.onMessage(message(HandshakeType.server_key_exchange, ske))).toEqual({});
    expect(await alertOf(client, message(HandshakeType.server_hello_done, new Uint8Array(0), 2))).toBe(AlertDescription.illegal_parameter);
  });

  it('fails when an ECDHE_PSK server sends no ServerKeyExchange', async () => {
    const client = started(clientOptions({ cipherSuites: [ECDHE_PSK] }));
    await client.onMessage(serverHello({ cipherSuite: ECDHE_PSK.id }));
    expect(await alertOf(client, message(HandshakeType.server_hello_done, new Uint8Array(0)))).toBeDefined();
  });

  it('takes no more input after a failure', async () => {
    const client = started();
    await client.onMessage(serverHello({ compressionMethod: 1 }));
    expect(await client.onMessage(serverHello())).toEqual({});
    expect(client.isEstablished).toBe(false);
  });
});
