import { describe, expect, it } from 'vitest';
import { ClientExtensions13, answerExtensions13 } from '../../lib/handshake/hello-extensions13.js';
import { AlertDescription } from '../../lib/wire/alert.js';
import { encodeAlpnExtension } from '../../lib/wire/alpn-extension.js';
import { encodeConnectionIdExtension } from '../../lib/wire/connection-id-extension.js';
import { ExtensionType, decodeRecordSizeLimitExtension, encodeServerNameExtension, findExtension, type Extension } from '../../lib/wire/extensions.js';

const text = new TextEncoder();
const alpn = (...names: string[]) => encodeAlpnExtension(names.map((n) => text.encode(n)));
/** A record_size_limit extension with any value, even ones the encoder refuses. */
const recordSizeLimit = (value: number): Extension => ({ type: ExtensionType.record_size_limit, data: new Uint8Array([value >> 8, value & 0xff]) });
const limitOf = (extensions: readonly Extension[]) => {
  const found = findExtension(extensions, ExtensionType.record_size_limit);
  const decoded = found && decodeRecordSizeLimitExtension(found.data);
  return decoded?.ok ? decoded.value : undefined;
};

/** A client's extensions once a ServerHello (with no connection_id) answered its ClientHello: ours and `alsoSent`. */
function afterServerHello(options: ConstructorParameters<typeof ClientExtensions13>[0], alsoSent: readonly Extension[] = []): ClientExtensions13 {
  const client = new ClientExtensions13(options);
  const failure = client.onServerHello([], [...alsoSent, ...client.offer()]);
  if (failure) throw new Error(failure.reason);
  return client;
}

describe('the 1.3 client\'s hello extensions', () => {
  it('offers server_name (not for an IP address), ALPN, record_size_limit counting the inner type (RFC 8449 §4) and connection_id', () => {
    const offer = new ClientExtensions13({ serverName: 'a.example', alpn: ['coap'], recordSizeLimit: 100, connectionId: { own: new Uint8Array([7]), required: false } }).offer();
    expect(offer.map((e) => e.type)).toEqual([ExtensionType.server_name, ExtensionType.application_layer_protocol_negotiation, ExtensionType.record_size_limit, ExtensionType.connection_id]);
    expect(limitOf(offer)).toBe(101);
    const plain = new ClientExtensions13({ serverName: '127.0.0.1' }).offer();
    expect(plain.map((e) => e.type)).toEqual([ExtensionType.record_size_limit]);
    // The default, 2^14 of content, is 2^14 + 1 on the wire: "no limit" in TLS 1.3.
    expect(limitOf(plain)).toBe(16_385);
  });

  it('reads the server\'s ALPN and record_size_limit from EncryptedExtensions: the limit on our content is the value - 1', () => {
    const client = afterServerHello({ alpn: ['h2', 'coap'], recordSizeLimit: 200 });
    expect(client.onEncryptedExtensions([alpn('coap'), recordSizeLimit(65)])).toBeUndefined();
    expect(client.agreed()).toEqual({ negotiated: { alpn: 'coap', recordLimit: { plaintext: 64, unprotectedToo: false, negotiatedBy: 'record_size_limit' } }, receiveLimit: 200 });
  });

  it.each([
    ['an ALPN we did not offer', {}, [alpn('coap')], AlertDescription.unsupported_extension],
    ['a protocol we did not offer', { alpn: ['h2'] }, [alpn('coap')], AlertDescription.illegal_parameter],
    ['a record_size_limit below 64', {}, [recordSizeLimit(63)], AlertDescription.illegal_parameter],
    ['a record_size_limit above 2^14 + 1', {}, [recordSizeLimit(16_386)], AlertDescription.illegal_parameter],
    ['a key_share, which belongs in the ServerHello', {}, [{ type: ExtensionType.key_share, data: new Uint8Array(4) }], AlertDescription.illegal_parameter],
    ['a connection_id, which belongs in the ServerHello', { connectionId: { own: new Uint8Array(0), required: false } }, [encodeConnectionIdExtension(new Uint8Array(0))], AlertDescription.illegal_parameter],
    ['a server_name acknowledgement that is not empty', { serverName: 'a.example' }, [encodeServerNameExtension(text.encode('a.example'))], AlertDescription.decode_error],
    ['a server_name we did not send', {}, [{ type: ExtensionType.server_name, data: new Uint8Array(0) }], AlertDescription.unsupported_extension],
  ] as const)('refuses EncryptedExtensions with %s', (_, options, extensions, alert) => {
    expect(afterServerHello(options).onEncryptedExtensions(extensions)).toMatchObject({ alert });
  });

  it('takes in EncryptedExtensions what the rest of the ClientHello offered (supported_groups, an unknown type); unsolicited, either is unsupported_extension (RFC 8446 §4.2)', () => {
    const groups: Extension = { type: ExtensionType.supported_groups, data: new Uint8Array([0, 2, 0, 29]) };
    const unknown: Extension = { type: 0x1234, data: new Uint8Array(0) };
    expect(afterServerHello({}, [groups, unknown]).onEncryptedExtensions([groups, unknown])).toBeUndefined();
    expect(afterServerHello({}).onEncryptedExtensions([groups])).toMatchObject({ alert: AlertDescription.unsupported_extension });
    expect(afterServerHello({}).onEncryptedExtensions([unknown])).toMatchObject({ alert: AlertDescription.unsupported_extension });
  });

  it('reads connection_id in the ServerHello; one we did not offer is unsupported_extension, a missing one fails a client that requires CIDs', () => {
    const own = new Uint8Array([1, 2]);
    const offering = new ClientExtensions13({ connectionId: { own, required: false } });
    expect(offering.onServerHello([encodeConnectionIdExtension(new Uint8Array([9, 9, 9]))], offering.offer())).toBeUndefined();
    expect(offering.agreedConnectionIds).toEqual({ read: own, write: new Uint8Array([9, 9, 9]) });
    expect(new ClientExtensions13({}).onServerHello([encodeConnectionIdExtension(new Uint8Array(0))], [])).toMatchObject({ alert: AlertDescription.unsupported_extension });
    expect(new ClientExtensions13({ connectionId: { own, required: true } }).onServerHello([], [])).toMatchObject({ alert: AlertDescription.handshake_failure });
  });
});

describe('the 1.3 server\'s answers', () => {
  it('answers ALPN, server_name (empty) and record_size_limit in EncryptedExtensions, connection_id in the ServerHello', () => {
    const pskLookup = () => undefined;
    const answer = answerExtensions13(
      [encodeServerNameExtension(text.encode('B.example')), alpn('h2', 'coap'), recordSizeLimit(101), encodeConnectionIdExtension(new Uint8Array(0))],
      {
        alpn: { protocols: ['coap'] },
        recordSizeLimit: 500,
        serverNames: { byName: new Map([['b.example', { pskLookup }]]), refuseUnknown: false },
        connectionId: { own: new Uint8Array([4, 4, 4, 4]), required: false },
      },
    );
    if (!answer.ok) throw new Error(answer.failure.reason);
    expect(answer.value.serverHello.map((e) => e.type)).toEqual([ExtensionType.connection_id]);
    expect(answer.value.encryptedExtensions.map((e) => e.type)).toEqual([ExtensionType.server_name, ExtensionType.application_layer_protocol_negotiation, ExtensionType.record_size_limit]);
    expect(findExtension(answer.value.encryptedExtensions, ExtensionType.server_name)?.data).toEqual(new Uint8Array(0));
    expect(limitOf(answer.value.encryptedExtensions)).toBe(501);
    expect(answer.value.credentials?.pskLookup).toBe(pskLookup);
    expect(answer.value.agreed).toEqual({
      negotiated: { alpn: 'coap', serverName: 'b.example', recordLimit: { plaintext: 100, unprotectedToo: false, negotiatedBy: 'record_size_limit' } },
      connectionIds: { read: new Uint8Array([4, 4, 4, 4]), write: new Uint8Array(0) },
      receiveLimit: 500,
    });
  });

  it('answers nothing the client did not send, and does not enforce the 1.3 maximum on a client\'s larger limit (RFC 8449 §4)', () => {
    const silent = answerExtensions13([], { alpn: { protocols: ['coap'] }, connectionId: { own: new Uint8Array([1]), required: false } });
    expect(silent).toEqual({ ok: true, value: { serverHello: [], encryptedExtensions: [], credentials: undefined, agreed: {} } });
    const large = answerExtensions13([recordSizeLimit(40_000)], {});
    expect(large.ok && large.value.agreed.negotiated?.recordLimit?.plaintext).toBe(16_384);
  });

  it.each([
    ['no protocol in common', [alpn('h2')], { alpn: { protocols: ['coap'] } }, AlertDescription.no_application_protocol],
    ['a record_size_limit below 64', [recordSizeLimit(10)], {}, AlertDescription.illegal_parameter],
    ['a name it refuses', [encodeServerNameExtension(text.encode('c.example'))], { serverNames: { byName: new Map(), refuseUnknown: true } }, AlertDescription.unrecognized_name],
    ['no connection_id when it requires CIDs', [], { connectionId: { own: new Uint8Array([1]), required: true } }, AlertDescription.handshake_failure],
  ] as const)('refuses %s', (_, extensions, options, alert) => {
    const answer = answerExtensions13(extensions, options);
    expect(answer.ok ? undefined : answer.failure.alert).toBe(alert);
  });
});
