import { describe, expect, it } from 'vitest';
import { credentials, utf8 } from '../../lib/credentials/credential-store.js';
import { openClientSession, type ClientOptions } from '../../lib/endpoint/client.js';
import { createServer, type ServerEvent, type ServerOptions } from '../../lib/endpoint/server.js';
import type { Session } from '../../lib/endpoint/session.js';
import type { SessionEvent } from '../../lib/endpoint/session-event.js';
import { VirtualTime } from '../../lib/testing/index.js';
import { AlertDescription } from '../../lib/wire/alert.js';
import { nobleProvider } from '../../lib/crypto/provider.js';
import { ConnectionIdUsage, encodeNewConnectionId, encodeRequestConnectionId } from '../../lib/wire/connection-id-messages.js';
import { ContentType, HandshakeType } from '../../lib/wire/constants.js';
import { encodeHandshakeMessage } from '../../lib/wire/handshake-header.js';
import { isUnifiedHeader, unifiedHeaderHasCid } from '../../lib/wire/unified-header.js';
import { Nat, SERVER_BEHIND_NAT } from '../network/helpers/nat.js';
import { pskStore, received, startPair, type WireDatagram } from './helpers/pair.js';

const V13 = { versions: ['1.3'] as const };

type PairOptions = NonNullable<Parameters<typeof startPair>[0]>;

/** Our 1.3 client against our server accepting 1.2 and 1.3, run until the client settles. */
async function handshake13(options: { client?: PairOptions['client']; server?: PairOptions['server'] } = {}) {
  const pair = await startPair({ server: { versions: ['1.2', '1.3'], ...options.server }, client: { ...V13, ...options.client } });
  pair.time.runUntil(() => pair.client.state !== 'handshaking', 10_000);
  return { ...pair, session: pair.serverSessions[0] };
}

describe('ALPN in DTLS 1.3 (RFC 7301; the answer in EncryptedExtensions)', () => {
  it('agrees on the server\'s preferred protocol among the client\'s, and both sessions say which', async () => {
    const { client, session } = await handshake13({ client: { alpn: ['h2', 'coap'] }, server: { alpn: ['coap', 'h2'] } });
    expect(client.state).toBe('established');
    expect(client.info).toMatchObject({ version: '1.3', alpn: 'coap' });
    expect(session.info).toMatchObject({ version: '1.3', alpn: 'coap' });
  });

  it('a server without ALPN leaves it unanswered; a server with no protocol in common refuses with no_application_protocol', async () => {
    const silent = await handshake13({ client: { alpn: ['coap'] } });
    expect(silent.client.state).toBe('established');
    expect(silent.client.info?.alpn).toBeUndefined();
    const refused = await handshake13({ client: { alpn: ['coap'] }, server: { alpn: ['h2'] } });
    expect(refused.client.error).toMatchObject({ code: 'EALERT', alert: { description: AlertDescription.no_application_protocol } });
  });
});

describe('server_name in DTLS 1.3 (RFC 6066 §3)', () => {
  /** The default tag's PSK, and another under tag 1 for the host name "b.example". */
  const store = () => credentials().psk({ tag: 0, identity: 'Client_identity', key: 'secretPSK' }).psk({ tag: 1, identity: 'b-client', key: 'b-secret' });

  it('the name picks its tag\'s PSK, and the server acknowledges it (its session says which name)', async () => {
    const { client, session } = await handshake13({
      client: { serverName: 'B.example', credentials: credentials().psk({ tag: 0, identity: 'b-client', key: 'b-secret' }) },
      server: { credentials: store(), serverNames: { 'b.example': 1 } },
    });
    expect(client.state).toBe('established');
    expect(session.info).toMatchObject({ serverName: 'b.example', peer: { kind: 'psk', identity: 'b-client' } });
  });

  it('a name the server does not serve is unrecognized_name when it refuses unknown names, and served with the default tag otherwise', async () => {
    const refused = await handshake13({ client: { serverName: 'c.example' }, server: { credentials: store(), serverNames: { 'b.example': 1 }, unknownServerName: 'refuse' } });
    expect(refused.client.error).toMatchObject({ code: 'EALERT', alert: { description: AlertDescription.unrecognized_name } });
    const served = await handshake13({ client: { serverName: 'c.example' }, server: { credentials: store(), serverNames: { 'b.example': 1 } } });
    expect(served.client.state).toBe('established');
    expect(served.session.info?.serverName).toBe('c.example');
  });
});

describe('record_size_limit in DTLS 1.3 (RFC 8449 §4: the value counts the inner content type)', () => {
  it('a client taking 100 bytes per record: the server may send it 100, not 101; the client is not limited by the server\'s default', async () => {
    const { client, session, time } = await handshake13({ client: { recordSizeLimit: 100 } });
    expect(session.info?.peerRecordSizeLimit).toBe(100);
    expect(client.info?.peerRecordSizeLimit).toBeUndefined();
    const atClient = received(client);
    session.send(new Uint8Array(100));
    time.advanceBy(10);
    expect(atClient).toHaveLength(1);
    expect(() => session.send(new Uint8Array(101))).toThrow(expect.objectContaining({ code: 'EMSGSIZE', message: expect.stringContaining('record_size_limit') }));
  });

  it('a ticket that does not fit the client\'s limit is not sent (post-handshake messages go whole in one record): the session lives, without resumption', async () => {
    const small = await handshake13({ client: { recordSizeLimit: 100 } });
    small.time.advanceBy(10);
    expect(small.client.state).toBe('established');
    expect(small.client.resumption).toBeUndefined();
    const large = await handshake13({ client: { recordSizeLimit: 1000 } });
    large.time.advanceBy(10);
    expect(large.client.resumption).toBeDefined();
  });

  it('a record over the limit we announced ends the session with record_overflow', async () => {
    const { client, session, time } = await handshake13({ client: { recordSizeLimit: 100 } });
    // A peer ignoring our limit: the server's session seals past its own check.
    const internals = session as unknown as { seal(contentType: number, data: Uint8Array): Uint8Array; transmit(datagram: Uint8Array): void };
    internals.transmit(internals.seal(ContentType.application_data, new Uint8Array(101)));
    time.advanceBy(10);
    expect(client.error).toMatchObject({ code: 'EMSGSIZE', alert: { description: AlertDescription.record_overflow } });
    expect(session.error).toMatchObject({ code: 'EALERT', alert: { description: AlertDescription.record_overflow } });
  });
});

/** The records of the wire that are protected (unified header) and who sent them. */
function protectedRecords(wire: readonly WireDatagram[]): { from: string; withCid: boolean }[] {
  return wire.filter((d) => isUnifiedHeader(d.data[0])).map((d) => ({ from: d.from, withCid: unifiedHeaderHasCid(d.data[0]) }));
}

describe('Connection IDs in DTLS 1.3 (RFC 9146 in the hellos, RFC 9147 §9)', () => {
  it('negotiated in ClientHello and ServerHello; every protected record from epoch 2 on carries the receiver\'s CID, when it has one', async () => {
    const { client, session, wire, time } = await handshake13({ client: { connectionId: 'offer' }, server: { connectionId: { length: 4 } } });
    expect(client.state).toBe('established');
    expect(session.info?.connectionId?.receive).toHaveLength(4);
    expect(client.info?.connectionId).toEqual({ receive: new Uint8Array(0), send: session.info?.connectionId?.receive });
    client.send(utf8('with a CID'));
    time.advanceBy(10);
    const records = protectedRecords(wire);
    // The client's records carry the server's CID; the server's carry none, the client's being empty.
    expect(records.filter((r) => r.from === 'client').every((r) => r.withCid)).toBe(true);
    expect(records.filter((r) => r.from === 'server').some((r) => r.withCid)).toBe(false);
  });

  it('a client CID of its own: the server\'s records carry it too, and data flows both ways', async () => {
    const { client, session, wire, time } = await handshake13({ client: { connectionId: { length: 3 } }, server: { connectionId: { length: 4 } } });
    expect(client.info?.connectionId?.receive).toHaveLength(3);
    expect(session.info?.connectionId?.send).toEqual(client.info?.connectionId?.receive);
    const atServer = received(session);
    const atClient = received(client);
    client.send(utf8('ping'));
    session.send(utf8('pong'));
    time.advanceBy(10);
    expect([atServer, atClient]).toEqual([['ping'], ['pong']]);
    expect(protectedRecords(wire).every((r) => r.withCid)).toBe(true);
  });

  it('a server with CIDs off ignores the offer; a client that requires them then fails', async () => {
    const ignored = await handshake13({ client: { connectionId: 'offer' }, server: { connectionId: false } });
    expect(ignored.client.state).toBe('established');
    expect(ignored.client.info?.connectionId).toBeUndefined();
    const required = await handshake13({ client: { connectionId: 'require' }, server: { connectionId: false } });
    expect(required.client.error).toMatchObject({ code: 'EHANDSHAKE', message: expect.stringContaining('connection IDs') });
  });
});

describe('a DTLS 1.3 client behind a NAT that rebinds (RFC 9146 §6)', () => {
  async function behindNat(connectionId: ClientOptions['connectionId'], server: Partial<ServerOptions> = {}) {
    const time = new VirtualTime();
    const nat = new Nat(time.scheduler);
    const dtls = createServer({ transport: nat.server, credentials: pskStore(), scheduler: time.scheduler, versions: ['1.3'], ...server });
    const events: ServerEvent[] = [];
    const sessions: Session[] = [];
    const sessionEvents: SessionEvent[] = [];
    dtls.events$.subscribe((e) => events.push(e));
    dtls.sessions$.subscribe((s) => {
      sessions.push(s);
      s.events$.subscribe({ next: (e) => sessionEvents.push(e), error: () => undefined });
    });
    const opening = openClientSession({ ...V13, host: SERVER_BEHIND_NAT.address, port: SERVER_BEHIND_NAT.port, transport: nat.client, credentials: pskStore(), scheduler: time.scheduler, keyLog: undefined, connectionId });
    time.advanceBy(1);
    const client = await opening;
    expect(time.runUntil(() => client.state === 'established' && sessions[0]?.state === 'established', 10_000)).toBe(true);
    return { time, nat, server: dtls, events, atServer: sessions[0], sessionEvents, client };
  }

  it('with a CID the server finds the session by it at the new port, follows the client there, and data flows both ways', async () => {
    const { time, nat, server, atServer, sessionEvents, client, events } = await behindNat('offer');
    const atOld = received(atServer);
    const atClient = received(client);
    client.send(utf8('before'));
    time.advanceBy(100);
    const before = nat.publicAddress;
    const after = nat.rebind();
    client.send(utf8('after the rebinding'));
    time.advanceBy(100);
    expect(atServer.peer).toEqual(after);
    expect(sessionEvents.filter((e) => e.type === 'peer-address-changed')).toEqual([{ type: 'peer-address-changed', from: before, to: after }]);
    atServer.send(utf8('reply'));
    time.advanceBy(100);
    expect(atOld).toEqual(['before', 'after the rebinding']);
    expect(atClient).toEqual(['reply']);
    expect(nat.lostAtNat).toEqual([]);
    expect(events.filter((e) => e.type === 'dropped')).toEqual([]);
    expect(server.sessionCount).toBe(1);
  });

  it('a record with an unknown CID is dropped (an event, nothing kept); a forged one with the session\'s CID moves nothing and delivers nothing', async () => {
    const { time, nat, server, atServer, sessionEvents, client, events } = await behindNat('offer');
    const sent: Uint8Array[] = [];
    const send = nat.client.send.bind(nat.client);
    nat.client.send = (data, peer) => {
      sent.push(data.slice());
      return send(data, peer);
    };
    const atServerData = received(atServer);
    client.send(utf8('genuine'));
    time.advanceBy(100);
    const genuine = sent.at(-1)!;
    expect(unifiedHeaderHasCid(genuine[0])).toBe(true);
    const spoofed = { address: '203.0.113.66', port: 4444 };
    const inject = (data: Uint8Array) => (nat.server as unknown as { datagrams$: { source: { next(d: unknown): void } } }).datagrams$.source.next({ data, peer: spoofed });

    const unknown = genuine.slice();
    unknown[1] ^= 0xff;
    inject(unknown);
    const forged = genuine.slice();
    forged[forged.length - 1] ^= 1;
    inject(forged);
    // The genuine record again, replayed from elsewhere: authentic, but not newer than what came.
    inject(genuine);
    time.advanceBy(100);
    expect(events.filter((e) => e.type === 'dropped')).toEqual([{ type: 'dropped', peer: spoofed, reason: 'unknown connection ID' }]);
    expect(atServerData).toEqual(['genuine']);
    expect(atServer.peer).toEqual(nat.publicAddress);
    expect(sessionEvents.filter((e) => e.type === 'peer-address-changed')).toEqual([]);
    expect(server.sessionCount).toBe(1);
  });
});

describe('NewConnectionId and RequestConnectionId once established (RFC 9147 §9)', () => {
  /** What a session's internals give a spec playing a peer that sends its own post-handshake messages. */
  type Internals = {
    seal(contentType: number, data: Uint8Array): Uint8Array;
    transmit(datagram: Uint8Array): void;
    records13: { writeConnectionId(cid: Uint8Array): void; acceptConnectionId(cid: Uint8Array): void };
  };
  const internals = (session: Session) => session as unknown as Internals;
  const sendHandshake = (session: Session, msgType: number, body: Uint8Array, messageSeq = 100) =>
    internals(session).transmit(internals(session).seal(ContentType.handshake, encodeHandshakeMessage(msgType, messageSeq, body)));

  it('the server answers a RequestConnectionId with fresh CIDs it routes to the session: records with one of them reach it', async () => {
    const draws: Uint8Array[] = [];
    const provider = { ...nobleProvider, randomBytes: (n: number) => {
      const bytes = nobleProvider.randomBytes(n);
      if (n === 4) draws.push(bytes);
      return bytes;
    } };
    const pair = await handshake13({ client: { connectionId: { length: 2 } }, server: { connectionId: { length: 4 }, provider } });
    const { client, session, time, wire, serverEvents } = pair;
    const atServer = received(session);
    const before = draws.length;
    const sentBefore = wire.filter((d) => d.from === 'server').length;
    sendHandshake(client, HandshakeType.request_connection_id, encodeRequestConnectionId({ numCids: 2 }));
    time.advanceBy(10);
    const issued = draws.slice(before);
    expect(issued).toHaveLength(2);
    // Its NewConnectionId (and its ACK of our request) went out.
    expect(wire.filter((d) => d.from === 'server').length).toBeGreaterThan(sentBefore);
    // Our client never switches on its own: the spec moves it to the second spare.
    internals(client).records13.writeConnectionId(issued[1]);
    client.send(utf8('with a spare CID'));
    time.advanceBy(10);
    expect(atServer).toEqual(['with a spare CID']);
    const lastFromClient = wire.filter((d) => d.from === 'client').at(-1)!.data;
    expect(Array.from(lastFromClient.subarray(1, 5))).toEqual(Array.from(issued[1]));
    expect(serverEvents.filter((e) => e.type === 'dropped')).toEqual([]);
    expect(client.state).toBe('established');
  });

  it('cid_immediate: the peer\'s new CID is in our records from then on', async () => {
    const { client, session, time, wire } = await handshake13({ client: { connectionId: { length: 2 } }, server: { connectionId: { length: 4 } } });
    const next = new Uint8Array([0xab, 0xcd]);
    // The client's new CID, as its NewConnectionId gives it (and as its reading would accept it).
    internals(client).records13.acceptConnectionId(next);
    sendHandshake(client, HandshakeType.new_connection_id, encodeNewConnectionId({ cids: [next], usage: ConnectionIdUsage.cid_immediate }));
    time.advanceBy(10);
    const atClient = received(client);
    session.send(utf8('to the new CID'));
    time.advanceBy(10);
    expect(atClient).toEqual(['to the new CID']);
    const lastFromServer = wire.filter((d) => d.from === 'server').at(-1)!.data;
    expect(Array.from(lastFromServer.subarray(1, 3))).toEqual([0xab, 0xcd]);
  });

  it('a NewConnectionId to a server that writes no CID (the client took none) is unexpected_message', async () => {
    const { client, session, time } = await handshake13({ client: { connectionId: 'offer' }, server: { connectionId: { length: 4 } } });
    sendHandshake(client, HandshakeType.new_connection_id, encodeNewConnectionId({ cids: [new Uint8Array([1])], usage: ConnectionIdUsage.cid_immediate }));
    time.advanceBy(10);
    expect(session.error).toMatchObject({ code: 'EHANDSHAKE', alert: { description: AlertDescription.unexpected_message } });
    expect(client.error).toMatchObject({ code: 'EALERT', alert: { description: AlertDescription.unexpected_message } });
  });

  it('a RequestConnectionId to a client that reads no CID is unexpected_message; a repeated one (same message_seq) is answered once', async () => {
    const draws: Uint8Array[] = [];
    const provider = { ...nobleProvider, randomBytes: (n: number) => {
      const bytes = nobleProvider.randomBytes(n);
      if (n === 4) draws.push(bytes);
      return bytes;
    } };
    const refused = await handshake13({ client: { connectionId: 'offer' }, server: { connectionId: { length: 4 } } });
    sendHandshake(refused.session, HandshakeType.request_connection_id, encodeRequestConnectionId({ numCids: 1 }));
    refused.time.advanceBy(10);
    expect(refused.client.error).toMatchObject({ code: 'EHANDSHAKE', alert: { description: AlertDescription.unexpected_message } });

    const { client, time } = await handshake13({ client: { connectionId: { length: 2 } }, server: { connectionId: { length: 4 }, provider } });
    const before = draws.length;
    sendHandshake(client, HandshakeType.request_connection_id, encodeRequestConnectionId({ numCids: 1 }), 7);
    sendHandshake(client, HandshakeType.request_connection_id, encodeRequestConnectionId({ numCids: 1 }), 7);
    time.advanceBy(10);
    expect(draws.length - before).toBe(1);
  });
});
