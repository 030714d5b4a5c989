import { describe, expect, it } from 'vitest';
import { utf8 } from '../../lib/credentials/credential-store.js';
import { DOWNGRADE_SENTINEL } from '../../lib/handshake/version-negotiation.js';
import { splitRecords } from '../../lib/record/split-records.js';
import { AlertDescription, decodeAlert } from '../../lib/wire/alert.js';
import { ContentType, DTLS_1_2, HandshakeType } from '../../lib/wire/constants.js';
import { encodeSupportedVersionsOffer } from '../../lib/wire/extensions.js';
import { decodeHandshakeFragments } from '../../lib/wire/handshake-header.js';
import { decodeServerHello } from '../../lib/wire/server-hello.js';
import { clientHello } from '../handshake/helpers/client-hello.js';
import { clientHelloDatagram } from '../operators/helpers/records.js';
import { SERVER_ADDRESS, received, startPair, type WireDatagram } from './helpers/pair.js';

const V13 = { versions: ['1.3'] as const };

async function established13(options: Parameters<typeof startPair>[0] = {}) {
  const pair = await startPair({ ...options, server: { versions: ['1.2', '1.3'], ...options.server }, client: { ...V13, ...options.client } });
  if (!pair.time.runUntil(() => pair.client.state === 'established' || pair.client.state === 'closed', 10_000)) throw new Error('no handshake');
  return { ...pair, session: pair.serverSessions[0] };
}

describe('DTLS 1.3 between our client and our server (RFC 9147)', () => {
  it('completes a PSK handshake through the HelloRetryRequest cookie and carries data both ways', async () => {
    const { time, client, session, clientEvents, wire } = await established13();
    expect(client.error).toBeUndefined();
    expect(client.state).toBe('established');
    expect(client.info).toMatchObject({ version: '1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', peer: { kind: 'psk', identity: 'Client_identity' } });
    expect(session.info).toMatchObject({ version: '1.3', peer: { kind: 'psk', identity: 'Client_identity' } });
    const atServer = received(session);
    const atClient = received(client);
    client.send(utf8('ping'));
    time.advanceBy(10);
    session.send(utf8('pong'));
    time.advanceBy(10);
    expect([atServer, atClient]).toEqual([['ping'], ['pong']]);
    expect(clientEvents.filter((e) => e.type === 'flight-sent').map((e) => e.type === 'flight-sent' && e.flight)).toEqual([1, 3, 5]);
    expect(wire.length).toBeGreaterThan(0);
  });
});

/** The ServerHello the server sent, from the recorded wire. */
function serverHello(wire: readonly WireDatagram[]) {
  for (const datagram of wire.filter((d) => d.from === 'server')) {
    for (const record of splitRecords(datagram.data).records) {
      if (record.header.contentType !== ContentType.handshake || record.header.epoch !== 0) continue;
      const fragments = decodeHandshakeFragments(record.fragment);
      const hello = fragments.ok ? fragments.value.find((f) => f.msgType === HandshakeType.server_hello) : undefined;
      const decoded = hello && decodeServerHello(hello.body);
      if (decoded?.ok) return decoded.value;
    }
  }
  throw new Error('no ServerHello on the wire');
}

/** The fatal alerts the server answered with, from the recorded wire. */
function serverAlerts(wire: readonly WireDatagram[]): number[] {
  return wire
    .filter((d) => d.from === 'server')
    .flatMap((d) => splitRecords(d.data).records.filter((r) => r.header.contentType === ContentType.alert))
    .flatMap((r) => {
      const alert = decodeAlert(r.fragment);
      return alert.ok ? [alert.value.description] : [];
    });
}

describe('the client\'s last flight and its ACK (RFC 9147 §7, §5.8)', () => {
  it('resends its Finished until the server acknowledges it, and the established server acknowledges the copy', async () => {
    let clientDatagrams = 0;
    let dropped = false;
    const { time, client, clientEvents, session } = await established13({
      // No NewSessionTicket: an epoch-3 record of the server would show it has our Finished as well as the ACK.
      server: { tickets: false },
      deliver: (d) => {
        if (d.from === 'client') clientDatagrams++;
        // The first server datagram after the client's Finished (its third datagram) is the ACK of it.
        if (d.from === 'server' && clientDatagrams >= 3 && !dropped) {
          dropped = true;
          return false;
        }
        return true;
      },
    });
    expect(dropped).toBe(true);
    expect(client.state).toBe('established');
    expect(session.state).toBe('established');
    expect(clientEvents).toContainEqual(expect.objectContaining({ type: 'retransmit', flight: 5, reason: 'timeout' }));
    const atServer = received(session);
    client.send(utf8('after the lost ACK'));
    time.advanceBy(10);
    expect(atServer).toEqual(['after the lost ACK']);
  });

  it('sends nothing more once its Finished is acknowledged', async () => {
    const { time, clientEvents, wire } = await established13();
    const sent = wire.filter((d) => d.from === 'client').length;
    time.advanceBy(60_000);
    expect(wire.filter((d) => d.from === 'client').length).toBe(sent);
    expect(clientEvents.filter((e) => e.type === 'retransmit')).toEqual([]);
  });
});

describe('version negotiation at a server that accepts 1.3 (RFC 8446 §4.2.1, §4.1.3)', () => {
  it('gives a 1.2-only client DTLS 1.2, with the downgrade sentinel ending its ServerHello.random', async () => {
    const { time, client, wire } = await startPair({ server: { versions: ['1.2', '1.3'] } });
    expect(time.runUntil(() => client.state === 'established', 10_000)).toBe(true);
    expect(client.info?.version).toBeUndefined();
    expect(serverHello(wire).random.subarray(24)).toEqual(DOWNGRADE_SENTINEL);
  });

  it('leaves the sentinel out where only 1.2 is accepted', async () => {
    const { time, client, wire } = await startPair();
    expect(time.runUntil(() => client.state === 'established', 10_000)).toBe(true);
    expect(serverHello(wire).random.subarray(24)).not.toEqual(DOWNGRADE_SENTINEL);
  });

  it('refuses a 1.2 client with protocol_version when it accepts only 1.3, keeping no state', async () => {
    const { time, client, wire, serverSessions, serverEvents } = await startPair({ server: { versions: ['1.3'] } });
    time.runUntil(() => client.state === 'closed', 10_000);
    expect(client.error).toMatchObject({ code: 'EALERT', alert: { description: AlertDescription.protocol_version } });
    expect(serverAlerts(wire)).toEqual([AlertDescription.protocol_version]);
    expect(serverSessions).toEqual([]);
    expect(serverEvents).toContainEqual(expect.objectContaining({ type: 'dropped', reason: expect.stringMatching(/does not offer DTLS 1.3/) }));
    // The alert refusing it is no cookie: nothing reports one.
    expect(serverEvents.filter((e) => e.type === 'hello-verify-request')).toEqual([]);
  });

  it('reports its cookie answer with the version it belongs to: a HelloRetryRequest for a 1.3 client, a HelloVerifyRequest for a 1.2 one', async () => {
    for (const [versions, expected] of [[['1.3'], '1.3'], [['1.2'], '1.2']] as const) {
      const { time, client, serverEvents } = await startPair({ server: { versions: ['1.2', '1.3'] }, client: { versions: [...versions] } });
      expect(time.runUntil(() => client.state === 'established', 10_000)).toBe(true);
      expect(serverEvents.filter((e) => e.type === 'hello-verify-request')).toEqual([expect.objectContaining({ version: expected })]);
    }
  });

  it("never takes NSS's draft code point 0x7f2b for 1.3: alone it gets protocol_version, beside 1.2 a HelloVerifyRequest (1.2)", async () => {
    const { time, clientEnd, wire } = await startPair({ server: { versions: ['1.2', '1.3'] }, client: { handshakeTimeout: 1 } });
    time.advanceBy(10);
    const before = wire.length;
    const offering = (versions: number[]) => clientHello({ cipherSuites: [0x1301, 0xc0a8], extensions: [encodeSupportedVersionsOffer(versions)] });
    clientEnd.send(clientHelloDatagram(offering([0x7f2b])), SERVER_ADDRESS);
    time.advanceBy(10);
    expect(serverAlerts(wire.slice(before))).toEqual([AlertDescription.protocol_version]);
    clientEnd.send(clientHelloDatagram(offering([0x7f2b, DTLS_1_2])), SERVER_ADDRESS);
    time.advanceBy(10);
    const answer = wire.slice(before).filter((d) => d.from === 'server').at(-1)!;
    const [record] = splitRecords(answer.data).records;
    const fragments = decodeHandshakeFragments(record.fragment);
    expect(fragments.ok && fragments.value[0].msgType).toBe(HandshakeType.hello_verify_request);
  });
});
