import { describe, expect, it } from 'vitest';
import { NamedGroup } from '../../lib/crypto/ecdhe.js';
import { ServerHandshake } from '../../lib/handshake/server-handshake.js';
import type { HandshakeMessage } from '../../lib/handshake/handshake-message.js';
import { AlertDescription } from '../../lib/wire/alert.js';
import { encodeClientHello, type ClientHello } from '../../lib/wire/client-hello.js';
import { encodeClientKeyExchangeEcdhePsk } from '../../lib/wire/client-key-exchange.js';
import { DTLS_1_0, HandshakeType } from '../../lib/wire/constants.js';
import {
  ExtensionType,
  encodeExtendedMasterSecretExtension,
  encodeRenegotiationInfoExtension,
  encodeSupportedGroupsExtension,
  findExtension,
} from '../../lib/wire/extensions.js';
import { decodeServerHello } from '../../lib/wire/server-hello.js';
import { decodeServerKeyExchangeEcdhePsk } from '../../lib/wire/server-key-exchange.js';
import { clientHello } from './helpers/client-hello.js';
import { ECDHE_PSK_SUITES, IDENTITY, PSK_SUITES, handshakeMessages, serverOptions } from './helpers/handshake-pair.js';

const PSK = PSK_SUITES[0];
const ECDHE_PSK = ECDHE_PSK_SUITES[0];

function server(hello: ClientHello, options = serverOptions(), messageSeq = 1): ServerHandshake {
  const message: HandshakeMessage = { msgType: HandshakeType.client_hello, messageSeq, body: encodeClientHello(hello) };
  return new ServerHandshake(options, message, hello);
}

const started = (hello: ClientHello, options = serverOptions()) => server(hello, options).start();

describe('ServerHandshake', () => {
  it('answers with ServerHello and ServerHelloDone for plain PSK, numbered from the ClientHello message_seq', () => {
    const step = server(clientHello({ cipherSuites: [PSK.id] }), serverOptions(), 1).start();
    const messages = handshakeMessages(step.flight!);
    expect(messages.map((m) => [m.msgType, m.messageSeq])).toEqual([
      [HandshakeType.server_hello, 1],
      [HandshakeType.server_hello_done, 2],
    ]);
    const hello = decodeServerHello(messages[0].body);
    expect(hello.ok && hello.value.cipherSuite).toBe(PSK.id);
    expect(hello.ok && hello.value.sessionId).toHaveLength(0);
  });

  it('answers with its preferred suite among those offered', () => {
    const step = started(clientHello({ cipherSuites: [PSK_SUITES[1].id, PSK_SUITES[0].id] }), serverOptions({ cipherSuites: [PSK_SUITES[0], PSK_SUITES[1]] }));
    const hello = decodeServerHello(handshakeMessages(step.flight!)[0].body);
    expect(hello.ok && hello.value.cipherSuite).toBe(PSK_SUITES[0].id);
  });

  it('fails with handshake_failure when no suite is shared', () => {
    expect(started(clientHello({ cipherSuites: [0x1301, 0x002f] })).failure?.alert).toBe(AlertDescription.handshake_failure);
  });

  it('fails with illegal_parameter when the client offers no null compression', () => {
    expect(started(clientHello({ compressionMethods: [1] })).failure?.alert).toBe(AlertDescription.illegal_parameter);
  });

  it('fails with protocol_version when the client offers only DTLS 1.0 (0xfeff is older than 0xfefd)', () => {
    expect(started(clientHello({ clientVersion: DTLS_1_0 })).failure?.alert).toBe(AlertDescription.protocol_version);
  });

  it('fails with handshake_failure on a first ClientHello with a non-empty renegotiation_info (RFC 5746 §3.6)', () => {
    const step = started(clientHello({ extensions: [encodeRenegotiationInfoExtension(new Uint8Array(12).fill(1))] }));
    expect(step.failure?.alert).toBe(AlertDescription.handshake_failure);
    expect(step.flight).toBeUndefined();
  });

  it('answers a ClientHello with an empty renegotiation_info, and echoes it (RFC 5746 §3.6)', () => {
    const step = started(clientHello({ cipherSuites: [PSK.id], extensions: [encodeRenegotiationInfoExtension(new Uint8Array(0))] }));
    expect(step.failure).toBeUndefined();
    const hello = decodeServerHello(handshakeMessages(step.flight!)[0].body);
    expect(hello.ok && findExtension(hello.value.extensions, ExtensionType.renegotiation_info)).toBeTruthy();
  });

  it('echoes extended_master_secret only when offered, and reports it', () => {
    const without = handshakeMessages(started(clientHello({ cipherSuites: [PSK.id] })).flight!)[0];
    const withEms = handshakeMessages(started(clientHello({ cipherSuites: [PSK.id], extensions: [encodeExtendedMasterSecretExtension()] })).flight!)[0];
    const extensionsOf = (m: HandshakeMessage) => {
      const hello = decodeServerHello(m.body);
      return hello.ok ? hello.value.extensions : [];
    };
    expect(findExtension(extensionsOf(without), ExtensionType.extended_master_secret)).toBeUndefined();
    expect(findExtension(extensionsOf(withEms), ExtensionType.extended_master_secret)).toBeDefined();
  });

  it('picks an ECDHE group both support, in its own order, and sends its key share', () => {
    const hello = clientHello({ cipherSuites: [ECDHE_PSK.id], extensions: [encodeSupportedGroupsExtension([NamedGroup.secp256r1, NamedGroup.x25519])] });
    const step = started(hello, serverOptions({ groups: [NamedGroup.x25519, NamedGroup.secp256r1] }));
    const [, ske] = handshakeMessages(step.flight!);
    expect(ske.msgType).toBe(HandshakeType.server_key_exchange);
    const params = decodeServerKeyExchangeEcdhePsk(ske.body);
    expect(params.ok && params.value.namedGroup).toBe(NamedGroup.x25519);
    expect(params.ok && params.value.publicKey).toHaveLength(32);
  });

  it('assumes secp256r1 for a client without supported_groups (RFC 8422 §4)', () => {
    const step = started(clientHello({ cipherSuites: [ECDHE_PSK.id] }));
    const params = decodeServerKeyExchangeEcdhePsk(handshakeMessages(step.flight!)[1].body);
    expect(params.ok && params.value.namedGroup).toBe(NamedGroup.secp256r1);
    expect(params.ok && params.value.publicKey).toHaveLength(65);
  });

  it('falls back to a plain PSK suite when no ECDHE group is shared', () => {
    const hello = clientHello({ cipherSuites: [ECDHE_PSK.id, PSK.id], extensions: [encodeSupportedGroupsExtension([0x0019])] });
    const decoded = decodeServerHello(handshakeMessages(started(hello).flight!)[0].body);
    expect(decoded.ok && decoded.value.cipherSuite).toBe(PSK.id);
    const only = clientHello({ cipherSuites: [ECDHE_PSK.id], extensions: [encodeSupportedGroupsExtension([0x0019])] });
    expect(started(only).failure?.alert).toBe(AlertDescription.handshake_failure);
  });

  it('fails with illegal_parameter on an invalid client ECDHE key, and decode_error on a malformed ClientKeyExchange', async () => {
    const hello = clientHello({ cipherSuites: [ECDHE_PSK.id], extensions: [encodeSupportedGroupsExtension([NamedGroup.x25519])] });
    const s = server(hello);
    s.start();
    const bad = encodeClientKeyExchangeEcdhePsk({ pskIdentity: IDENTITY, publicKey: new Uint8Array(32) });
    expect((await s.onMessage({ msgType: HandshakeType.client_key_exchange, messageSeq: 2, body: bad })).failure?.alert).toBe(AlertDescription.illegal_parameter);
    const t = server(hello);
    t.start();
    expect((await t.onMessage({ msgType: HandshakeType.client_key_exchange, messageSeq: 2, body: Uint8Array.of(0, 9, 1) })).failure?.alert).toBe(AlertDescription.decode_error);
  });

  it('starts once', () => {
    const s = server(clientHello());
    expect(s.start().flight).toBeDefined();
    expect(s.start()).toEqual({});
  });
});
