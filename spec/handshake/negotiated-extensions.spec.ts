// ALPN, record_size_limit, max_fragment_length and server_name as the two flight machines
// negotiate them, including every malformed form a peer could send: each one ends the
// handshake with the alert its RFC names, and none throws.
import { describe, expect, it } from 'vitest';
import { ClientHandshake } from '../../lib/handshake/client-handshake.js';
import type { HandshakeMessage } from '../../lib/handshake/handshake-message.js';
import type { HandshakeStep } from '../../lib/handshake/handshake-step.js';
import { ServerHandshake } from '../../lib/handshake/server-handshake.js';
import { AlertDescription } from '../../lib/wire/alert.js';
import { decodeClientHello, encodeClientHello, type ClientHello } from '../../lib/wire/client-hello.js';
import { DTLS_1_2, HandshakeType } from '../../lib/wire/constants.js';
import {
  ExtensionType,
  decodeRecordSizeLimitExtension,
  encodeAlpnExtension,
  encodeExtendedMasterSecretExtension,
  encodeMaxFragmentLengthExtension,
  encodeRecordSizeLimitExtension,
  encodeServerNameExtension,
  findExtension,
  type Extension,
} from '../../lib/wire/extensions.js';
import { decodeServerKeyExchangePsk } from '../../lib/wire/server-key-exchange.js';
import { decodeServerHello, encodeServerHello } from '../../lib/wire/server-hello.js';
import { clientHello } from './helpers/client-hello.js';
import { PSK_SUITES, clientOptions, handshakeMessages, serverOptions } from './helpers/handshake-pair.js';

const PSK = PSK_SUITES[0];
const text = (s: string) => new TextEncoder().encode(s);
const raw = (type: number, hex: string): Extension => ({ type, data: Uint8Array.from(Buffer.from(hex.replace(/\s/g, ''), 'hex')) });
const ALPN = ExtensionType.application_layer_protocol_negotiation;

function serverStart(extensions: Extension[], options = serverOptions()): { step: HandshakeStep; server: ServerHandshake } {
  const hello: ClientHello = clientHello({ cipherSuites: [PSK.id], extensions });
  const server = new ServerHandshake(options, { msgType: HandshakeType.client_hello, messageSeq: 1, body: encodeClientHello(hello) }, hello);
  return { step: server.start(), server };
}

/** The ServerHello's extensions of a successful start. */
function answered(step: HandshakeStep): Extension[] {
  const hello = decodeServerHello(handshakeMessages(step.flight!)[0].body);
  if (!hello.ok) throw new Error('no ServerHello');
  return hello.value.extensions;
}

function serverHello(extensions: Extension[]): HandshakeMessage {
  const body = encodeServerHello({
    serverVersion: DTLS_1_2,
    random: new Uint8Array(32).fill(3),
    sessionId: new Uint8Array(0),
    cipherSuite: PSK.id,
    compressionMethod: 0,
    extensions: [encodeExtendedMasterSecretExtension(), ...extensions],
  });
  return { msgType: HandshakeType.server_hello, messageSeq: 0, body };
}

/** A client with these options, fed a ServerHello with these extensions. */
async function clientReads(extensions: Extension[], options: Partial<Parameters<typeof clientOptions>[0]> = {}): Promise<HandshakeStep> {
  const client = new ClientHandshake(clientOptions({ cipherSuites: [PSK], ...options }));
  client.start();
  return client.onMessage(serverHello(extensions));
}

describe('the server answering ALPN', () => {
  const options = serverOptions({ alpn: { protocols: ['coap'] } });

  it('names the chosen protocol in its ServerHello', () => {
    const { step } = serverStart([encodeAlpnExtension([text('h2'), text('coap')])], options);
    expect(findExtension(answered(step), ALPN)?.data).toEqual(encodeAlpnExtension([text('coap')]).data);
  });

  it.each([
    // A vector below its minimum length is a value out of range: illegal_parameter.
    ['an empty list', '0000', AlertDescription.illegal_parameter],
    ['an empty name', '0001 00', AlertDescription.illegal_parameter],
    // Lengths that do not add up cannot be parsed: decode_error.
    ['a list longer than its data', '0009 04 636f6170', AlertDescription.decode_error],
    ['bytes after the list', '0005 04 636f6170 00', AlertDescription.decode_error],
  ])('answers %s with its alert', (_, hex, alert) => {
    expect(serverStart([raw(ALPN, hex)], options).step.failure?.alert).toBe(alert);
    // Even a server without ALPN of its own refuses a malformed offer.
    expect(serverStart([raw(ALPN, hex)]).step.failure?.alert).toBe(alert);
  });

  it('ends the handshake with internal_error, not an exception, when the alpnCallback throws', () => {
    const throwing = serverOptions({ alpn: { callback: () => { throw new Error('boom'); } } });
    expect(serverStart([encodeAlpnExtension([text('coap')])], throwing).step.failure).toEqual({ alert: AlertDescription.internal_error, reason: 'alpnCallback threw: Error: boom' });
  });

  it('sends internal_error when the callback chooses a protocol the client did not offer', () => {
    const wrong = serverOptions({ alpn: { callback: () => 'h3' } });
    expect(serverStart([encodeAlpnExtension([text('coap')])], wrong).step.failure).toMatchObject({ alert: AlertDescription.internal_error });
  });
});

describe('the client reading the ServerHello ALPN', () => {
  it('accepts one protocol it offered', async () => {
    expect((await clientReads([encodeAlpnExtension([text('coap')])], { alpn: ['coap'] })).failure).toBeUndefined();
  });

  it('refuses a protocol it did not offer with illegal_parameter', async () => {
    expect((await clientReads([encodeAlpnExtension([text('h2')])], { alpn: ['coap'] })).failure?.alert).toBe(AlertDescription.illegal_parameter);
  });

  it('refuses two names (RFC 7301 §3.1: exactly one) with illegal_parameter, a truncated list with decode_error', async () => {
    expect((await clientReads([encodeAlpnExtension([text('coap'), text('h2')])], { alpn: ['coap', 'h2'] })).failure?.alert).toBe(AlertDescription.illegal_parameter);
    expect((await clientReads([raw(ALPN, '0006 04 636f')], { alpn: ['coap'] })).failure?.alert).toBe(AlertDescription.decode_error);
  });

  it('refuses an ALPN answer to a ClientHello without ALPN (unsupported_extension, RFC 5246 §7.4.1.4)', async () => {
    expect((await clientReads([encodeAlpnExtension([text('coap')])])).failure?.alert).toBe(AlertDescription.unsupported_extension);
  });
});

describe('record_size_limit (RFC 8449) and max_fragment_length (RFC 6066 §4) on the server', () => {
  it('answers record_size_limit with its own and limits protected records to the client value', () => {
    const { step } = serverStart([encodeRecordSizeLimitExtension(512)], serverOptions({ recordSizeLimit: 1024 }));
    const answer = findExtension(answered(step), ExtensionType.record_size_limit);
    expect(answer && decodeRecordSizeLimitExtension(answer.data)).toEqual({ ok: true, value: 1024 });
    expect(step.recordLimit).toEqual({ plaintext: 512, unprotectedToo: false, negotiatedBy: 'record_size_limit' });
  });

  it('takes a value above 2^14 as 2^14: a server "MUST NOT enforce" the protocol maximum (§4)', () => {
    expect(serverStart([encodeRecordSizeLimitExtension(0xffff)]).step.recordLimit?.plaintext).toBe(16384);
  });

  it('answers a record_size_limit under 64 with illegal_parameter, a wrong length with decode_error', () => {
    expect(serverStart([raw(ExtensionType.record_size_limit, '003f')]).step.failure?.alert).toBe(AlertDescription.illegal_parameter);
    expect(serverStart([raw(ExtensionType.record_size_limit, '02')]).step.failure?.alert).toBe(AlertDescription.decode_error);
    expect(serverStart([raw(ExtensionType.record_size_limit, '020000')]).step.failure?.alert).toBe(AlertDescription.decode_error);
  });

  it('echoes max_fragment_length and applies it to every record from flight 4 on', () => {
    const { step } = serverStart([encodeMaxFragmentLengthExtension(1024)]);
    expect(findExtension(answered(step), ExtensionType.max_fragment_length)?.data).toEqual(Uint8Array.of(2));
    expect(step.recordLimit).toEqual({ plaintext: 1024, unprotectedToo: true, negotiatedBy: 'max_fragment_length' });
  });

  it('answers a max_fragment_length code outside 1..4 with illegal_parameter, an empty one with decode_error', () => {
    expect(serverStart([raw(ExtensionType.max_fragment_length, '05')]).step.failure?.alert).toBe(AlertDescription.illegal_parameter);
    expect(serverStart([raw(ExtensionType.max_fragment_length, '')]).step.failure?.alert).toBe(AlertDescription.decode_error);
  });

  it('lets record_size_limit win when the client sends both (RFC 8449 §5): max_fragment_length is not answered', () => {
    const { step } = serverStart([encodeMaxFragmentLengthExtension(512), encodeRecordSizeLimitExtension(2048)]);
    expect(findExtension(answered(step), ExtensionType.max_fragment_length)).toBeUndefined();
    expect(step.recordLimit).toMatchObject({ plaintext: 2048, negotiatedBy: 'record_size_limit' });
  });
});

describe('record_size_limit and max_fragment_length on the client', () => {
  it('offers record_size_limit 2^14 by default, and the max_fragment_length value with it when one is asked for', () => {
    const extensionsOf = (options: Parameters<typeof clientOptions>[0]) => {
      const hello = decodeClientHello(handshakeMessages(new ClientHandshake(clientOptions(options)).start().flight!)[0].body);
      return hello.ok ? hello.value.extensions : [];
    };
    const plain = extensionsOf({});
    expect(decodeRecordSizeLimitExtension(findExtension(plain, ExtensionType.record_size_limit)!.data)).toEqual({ ok: true, value: 16384 });
    expect(findExtension(plain, ExtensionType.max_fragment_length)).toBeUndefined();
    const asking = extensionsOf({ maxFragmentLength: 512 });
    expect(findExtension(asking, ExtensionType.max_fragment_length)?.data).toEqual(Uint8Array.of(1));
    expect(decodeRecordSizeLimitExtension(findExtension(asking, ExtensionType.record_size_limit)!.data)).toEqual({ ok: true, value: 512 });
  });

  it("takes the server's record_size_limit, and its echo of max_fragment_length, as the limit on its own records", async () => {
    expect((await clientReads([encodeRecordSizeLimitExtension(256)])).recordLimit).toMatchObject({ plaintext: 256, unprotectedToo: false });
    expect((await clientReads([encodeMaxFragmentLengthExtension(512)], { maxFragmentLength: 512 })).recordLimit).toMatchObject({ plaintext: 512, unprotectedToo: true });
  });

  it('refuses a max_fragment_length other than the one asked for, both extensions at once, and a limit over 2^14, with illegal_parameter', async () => {
    expect((await clientReads([encodeMaxFragmentLengthExtension(1024)], { maxFragmentLength: 512 })).failure?.alert).toBe(AlertDescription.illegal_parameter);
    const both = [encodeMaxFragmentLengthExtension(512), encodeRecordSizeLimitExtension(512)];
    expect((await clientReads(both, { maxFragmentLength: 512 })).failure?.alert).toBe(AlertDescription.illegal_parameter);
    expect((await clientReads([encodeRecordSizeLimitExtension(16385)])).failure?.alert).toBe(AlertDescription.illegal_parameter);
    expect((await clientReads([raw(ExtensionType.record_size_limit, '0010')])).failure?.alert).toBe(AlertDescription.illegal_parameter);
  });

  it('refuses an unrequested max_fragment_length with unsupported_extension', async () => {
    expect((await clientReads([encodeMaxFragmentLengthExtension(512)])).failure?.alert).toBe(AlertDescription.unsupported_extension);
  });
});

describe('server_name on the server (RFC 6066 §3)', () => {
  const byName = new Map([['alpha.example', { cipherSuites: [PSK], pskIdentityHint: text('alpha') }]]);
  const hintOf = (step: HandshakeStep) => {
    const ske = handshakeMessages(step.flight!).find((m) => m.msgType === HandshakeType.server_key_exchange);
    const decoded = ske && decodeServerKeyExchangePsk(ske.body);
    return decoded?.ok ? new TextDecoder().decode(decoded.value.pskIdentityHint) : undefined;
  };

  it("serves a name it knows with that name's credentials, without regard to case, and acknowledges it with an empty server_name", () => {
    const { step } = serverStart([encodeServerNameExtension(text('Alpha.Example'))], serverOptions({ serverNames: { byName, refuseUnknown: false } }));
    expect(hintOf(step)).toBe('alpha');
    expect(findExtension(answered(step), ExtensionType.server_name)?.data).toEqual(new Uint8Array(0));
  });

  it('serves another name with the default credentials and does not acknowledge it, unless unknown names are refused', () => {
    const served = serverStart([encodeServerNameExtension(text('beta.example'))], serverOptions({ serverNames: { byName, refuseUnknown: false } }));
    expect(hintOf(served.step)).toBeUndefined();
    expect(findExtension(answered(served.step), ExtensionType.server_name)).toBeUndefined();
    const refused = serverStart([encodeServerNameExtension(text('beta.example'))], serverOptions({ serverNames: { byName, refuseUnknown: true } }));
    expect(refused.step.failure?.alert).toBe(AlertDescription.unrecognized_name);
  });

  it('serves a client that names nothing with the default credentials, even when unknown names are refused', () => {
    expect(serverStart([], serverOptions({ serverNames: { byName, refuseUnknown: true } })).step.failure).toBeUndefined();
  });

  it.each([
    ['an empty list', '0000'],
    ['an empty host_name', '0003 00 0000'],
    ['a name running past its list', '0005 00 0009 61'],
    ['the same name type twice', '0008 00 0001 61 00 0001 62'],
  ])('answers %s with decode_error or illegal_parameter, whether or not it serves names', (_, hex) => {
    const alert = serverStart([raw(ExtensionType.server_name, hex)]).step.failure?.alert;
    expect([AlertDescription.decode_error, AlertDescription.illegal_parameter]).toContain(alert);
  });

  it('does not decode a ClientHello that repeats an extension (RFC 5246 §7.4.1.4), so the cookie gate drops it before any state', () => {
    const hello = encodeClientHello(clientHello({ extensions: [encodeAlpnExtension([text('coap')]), { type: 1, data: Uint8Array.of(1) }] }));
    // Rewrite the max_fragment_length (type 1) into a second ALPN (type 16).
    const at = hello.length - 5;
    expect(Array.from(hello.subarray(at, at + 2))).toEqual([0, 1]);
    hello[at + 1] = ALPN;
    expect(decodeClientHello(hello)).toMatchObject({ ok: false, error: { kind: 'invalid' } });
  });
});
