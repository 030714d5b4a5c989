import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { credentials, utf8, type CredentialStore } from '../../lib/credentials/credential-store.js';
import { DOWNGRADE_SENTINEL } from '../../lib/handshake/version-negotiation.js';
import { splitRecords } from '../../lib/record/split-records.js';
import { AlertDescription, decodeAlert } from '../../lib/wire/alert.js';
import { ContentType, DTLS_1_2, DTLS_1_3, HandshakeType } from '../../lib/wire/constants.js';
import { decodeClientHello } from '../../lib/wire/client-hello.js';
import { ExtensionType, findExtension } from '../../lib/wire/extensions.js';
import { decodeHandshakeFragments } from '../../lib/wire/handshake-header.js';
import { decodeSupportedVersionsOffer } from '../../lib/wire/supported-versions-extension.js';
import { PEER_KEYS, readPem } from '../interop/helpers/peer-keys.js';
import { received, startPair, type PairOptions, type WireDatagram } from './helpers/pair.js';

const BOTH = ['1.2', '1.3'] as const;

async function dualClient(options: PairOptions = {}) {
  const pair = await startPair({ ...options, client: { versions: [...BOTH], ...options.client } });
  pair.time.runUntil(() => pair.client.state !== 'handshaking', 10_000);
  return pair;
}

/** Each handshake message on the wire from `from`, in the clear (epoch 0), as [msgType, body]. */
function clearMessages(wire: readonly WireDatagram[], from: 'client' | 'server') {
  return wire
    .filter((d) => d.from === from)
    .flatMap((d) => splitRecords(d.data).records)
    .filter((r) => r.header.contentType === ContentType.handshake && r.header.epoch === 0)
    .flatMap((r) => {
      const fragments = decodeHandshakeFragments(r.fragment);
      return fragments.ok ? fragments.value : [];
    });
}

/** Client records of epoch 0, by record sequence number. */
function clientEpoch0Sequence(wire: readonly WireDatagram[]): number[] {
  return wire
    .filter((d) => d.from === 'client')
    .flatMap((d) => splitRecords(d.data).records)
    .filter((r) => r.header.epoch === 0)
    .map((r) => Number(r.header.sequenceNumber));
}

function alertsFrom(wire: readonly WireDatagram[], from: 'client' | 'server'): number[] {
  return wire
    .filter((d) => d.from === from)
    .flatMap((d) => splitRecords(d.data).records.filter((r) => r.header.contentType === ContentType.alert && r.header.epoch === 0))
    .flatMap((r) => {
      const alert = decodeAlert(r.fragment);
      return alert.ok ? [alert.value.description] : [];
    });
}

describe('a client offering DTLS 1.2 and 1.3 in one ClientHello (RFC 8446 §4.2.1, RFC 9147 §5.3)', () => {
  it('gets 1.3 from a server that speaks it, and carries data', async () => {
    const { client, time, serverSessions, clientEvents } = await dualClient({ server: { versions: [...BOTH] } });
    expect(client.error).toBeUndefined();
    expect(client.info).toMatchObject({ version: '1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256' });
    const atServer = received(serverSessions[0]);
    client.send(utf8('over 1.3'));
    time.advanceBy(10);
    expect(atServer).toEqual(['over 1.3']);
    expect(clientEvents.filter((e) => e.type === 'flight-sent').map((e) => e.type === 'flight-sent' && e.flight)).toEqual([1, 3, 5]);
  });

  it('offers 1.3 then 1.2 in supported_versions, with both versions\' suites and extended_master_secret', async () => {
    const { wire } = await dualClient({ server: { versions: [...BOTH] } });
    const [first] = clearMessages(wire, 'client');
    const hello = decodeClientHello(first.body);
    if (!hello.ok) throw new Error('no ClientHello');
    const versions = findExtension(hello.value.extensions, ExtensionType.supported_versions);
    expect(versions && decodeSupportedVersionsOffer(versions.data)).toEqual({ ok: true, value: [DTLS_1_3, DTLS_1_2] });
    expect(hello.value.cipherSuites).toEqual(expect.arrayContaining([0x1301, 0xc0a8]));
    expect(findExtension(hello.value.extensions, ExtensionType.extended_master_secret)).toBeDefined();
    expect(hello.value.extensions.at(-1)?.type).toBe(ExtensionType.pre_shared_key);
  });

  it('falls back to 1.2 against a 1.2-only server: its HelloVerifyRequest, the same ClientHello with the cookie, and data', async () => {
    const { client, time, serverSessions, wire, clientEvents } = await dualClient();
    expect(client.error).toBeUndefined();
    expect(client.state).toBe('established');
    expect(client.info?.version).toBeUndefined();
    expect(client.info?.extendedMasterSecret).toBe(true);
    const hellos = clearMessages(wire, 'client').filter((m) => m.msgType === HandshakeType.client_hello);
    const [first, second] = hellos.map((m) => decodeClientHello(m.body));
    if (!first?.ok || !second?.ok) throw new Error('two ClientHellos expected');
    // RFC 6347 §4.2.1: the second ClientHello is the first with the cookie.
    expect({ ...second.value, cookie: new Uint8Array(0) }).toEqual(first.value);
    expect(second.value.cookie.length).toBeGreaterThan(0);
    // Epoch 0 record numbers go on across the change of record layer, never used twice.
    const numbers = clientEpoch0Sequence(wire);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(clientEvents.filter((e) => e.type === 'flight-sent').map((e) => e.type === 'flight-sent' && e.flight)).toEqual([1, 3, 5]);
    const atServer = received(serverSessions[0]);
    client.send(utf8('over 1.2'));
    time.advanceBy(10);
    expect(atServer).toEqual(['over 1.2']);
  });

  it('falls back through a lost HelloVerifyRequest: flight 1 is resent by the 1.3 side, and the 1.2 side takes the next answer', async () => {
    let droppedOne = false;
    const { client } = await dualClient({
      deliver: (d) => {
        if (d.from === 'server' && !droppedOne) return !(droppedOne = true);
        return true;
      },
    });
    expect(droppedOne).toBe(true);
    expect(client.error).toBeUndefined();
    expect(client.state).toBe('established');
  });

  it('aborts with illegal_parameter on a 1.2 ServerHello whose random ends with the downgrade sentinel, before the Finished can fail', async () => {
    // A server accepting only 1.2 puts no sentinel there; a relay writes it in, as a server
    // that speaks 1.3 would have if someone had stripped our 1.3 offer (RFC 8446 §4.1.3).
    const { client, wire } = await dualClient({
      linkOn: (_, direction) => map((d) => (direction === 'server-to-client' ? { ...d, data: withSentinel(d.data) } : d)),
    });
    expect(client.state).toBe('closed');
    expect(client.error).toMatchObject({ code: 'EHANDSHAKE', alert: { description: AlertDescription.illegal_parameter } });
    expect(client.error?.message).toMatch(/downgrade sentinel/);
    expect(alertsFrom(wire, 'client')).toEqual([AlertDescription.illegal_parameter]);
    // The client never got to its flight 5: the Finished the rewritten random would break was never sent.
    expect(wire.filter((d) => d.from === 'client').flatMap((d) => splitRecords(d.data).records).some((r) => r.header.contentType === ContentType.change_cipher_spec)).toBe(false);
  });

  it('negotiates ALPN, record_size_limit and a connection ID in whichever version the server answers, each offered once', async () => {
    const client = { alpn: ['coap'], recordSizeLimit: 512, connectionId: 'offer' } as const;
    const server = { alpn: ['coap'], recordSizeLimit: 1024, connectionId: { length: 4 } };
    for (const versions of [[...BOTH], ['1.2']] as const) {
      const { client: session, wire, serverSessions } = await dualClient({ client, server: { ...server, versions: [...versions] } });
      expect(session.error).toBeUndefined();
      expect(session.info).toMatchObject({ alpn: 'coap', peerRecordSizeLimit: 1024 });
      // Our 512 is written as 1.2 writes it; a 1.3 server reads it as 511 bytes per record (RFC 8449 §4), one fewer than asked.
      expect(serverSessions[0].info?.peerRecordSizeLimit).toBe(versions.length === 2 ? 511 : 512);
      expect(session.info?.connectionId?.send).toHaveLength(4);
      const hello = decodeClientHello(clearMessages(wire, 'client')[0].body);
      expect(hello.ok).toBe(true);
      const types = hello.ok ? hello.value.extensions.map((e) => e.type) : [];
      expect(types.filter((t) => t === ExtensionType.record_size_limit)).toHaveLength(1);
      expect(types.filter((t) => t === ExtensionType.application_layer_protocol_negotiation)).toHaveLength(1);
    }
  });

  it('leaves a 1.2-only client as it was: one version offered, no supported_versions', async () => {
    const { wire, client } = await dualClient({ client: { versions: ['1.2'] }, server: { versions: [...BOTH] } });
    expect(client.state).toBe('established');
    const [first] = clearMessages(wire, 'client');
    const hello = decodeClientHello(first.body);
    expect(hello.ok && findExtension(hello.value.extensions, ExtensionType.supported_versions)).toBeUndefined();
  });
});

/** The fixture certificate and key (its own CA, CN=localhost) for a server; trusting it, for a client. */
const certificateStore = (): CredentialStore =>
  credentials().x509({ tag: 0, certificate: readPem(PEER_KEYS.certificate), privateKey: readPem(PEER_KEYS.privateKey) });
const trustOnly = (): CredentialStore => credentials().x509({ tag: 0, ca: readPem(PEER_KEYS.certificate) });

describe('a client offering both versions with certificates only (no PSK)', () => {
  const certificates = (versions: readonly ('1.2' | '1.3')[]): PairOptions => ({
    server: { versions: [...versions], credentials: certificateStore() },
    client: { credentials: trustOnly(), serverName: 'localhost' },
  });

  it('gets 1.3 with the server certificate from a server that speaks it, padded as a certificate-only hello is', async () => {
    const { client, serverEvents } = await dualClient(certificates(BOTH));
    expect(client.error).toBeUndefined();
    expect(client.info).toMatchObject({ version: '1.3', peer: { kind: 'x509', subject: 'CN=localhost' } });
    expect(serverEvents.filter((e) => e.type === 'dropped')).toEqual([]);
  });

  it('falls back to 1.2 ECDHE_ECDSA with a 1.2-only server', async () => {
    const { client } = await dualClient(certificates(['1.2']));
    expect(client.error).toBeUndefined();
    expect(client.info?.version).toBeUndefined();
    expect(client.info).toMatchObject({ cipherSuite: expect.stringMatching(/^TLS_ECDHE_ECDSA_/), peer: { kind: 'x509', subject: 'CN=localhost' } });
  });
});

/** The datagram with each ServerHello's random ending in the downgrade sentinel (1.2 records: a 13-byte header, then the fragment). */
function withSentinel(datagram: Uint8Array): Uint8Array {
  const out = datagram.slice();
  for (let offset = 0; offset + 13 <= out.length; offset += 13 + ((out[offset + 11] << 8) | out[offset + 12])) {
    const epoch = (out[offset + 3] << 8) | out[offset + 4];
    const fragment = offset + 13;
    if (out[offset] === ContentType.handshake && epoch === 0 && out[fragment] === HandshakeType.server_hello) {
      // handshake header (12) + server_version (2) + random (32): its last 8 bytes.
      out.set(DOWNGRADE_SENTINEL, fragment + 12 + 2 + 32 - DOWNGRADE_SENTINEL.length);
    }
  }
  return out;
}
