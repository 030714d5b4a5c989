import { filter } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { CIPHER_SUITES } from '../../lib/crypto/cipher-suites.js';
import { DtlsError } from '../../lib/dtls-error.js';
import { utf8 } from '../../lib/credentials/credential-store.js';
import { connect, connect$, openClientSession } from '../../lib/endpoint/client.js';
import { createServer } from '../../lib/endpoint/server.js';
import type { Session } from '../../lib/endpoint/session.js';
import { MemoryHub, type HubFilter } from '../../lib/testing/index.js';
import { SERVER_ADDRESS, pskStore, received, sendTimes, startPair } from './helpers/pair.js';
import { VirtualTime } from '../../lib/testing/index.js';

const SUITES = CIPHER_SUITES.filter((s) => s.keyExchange === 'PSK' || s.keyExchange === 'ECDHE_PSK').map((s) => s.name);

describe('client and server over a memory link, in virtual time', () => {
  for (const name of SUITES) {
    it(`completes ${name} and echoes data both ways`, async () => {
      const pair = await startPair({ client: { cipherSuites: [name] } });
      const { time, client } = pair;
      expect(time.runUntil(() => client.state === 'established', 1000)).toBe(true);
      const [session] = pair.serverSessions;
      expect(session.state).toBe('established');
      expect(client.info).toEqual({ cipherSuite: name, peer: { kind: 'psk', identity: 'Client_identity' }, extendedMasterSecret: true, resumed: false });
      expect(session.info?.cipherSuite).toBe(name);
      session.data$.subscribe({ next: (d) => session.send(utf8(`echo:${new TextDecoder().decode(d)}`)), error: () => undefined });
      const echoed = received(client);
      client.send(utf8('hello'));
      client.send(utf8('world'));
      time.advanceBy(10);
      expect(echoed).toEqual(['echo:hello', 'echo:world']);
      // No retransmission was needed on a perfect link.
      expect(pair.clientEvents.filter((e) => e.type === 'retransmit')).toEqual([]);
      expect(pair.serverSessionEvents[0].filter((e) => e.type === 'retransmit')).toEqual([]);
    });
  }

  it('goes through the cookie exchange: the first ClientHello gets a HelloVerifyRequest and no session', async () => {
    const { time, client, serverEvents, wire } = await startPair();
    time.runUntil(() => client.state === 'established', 1000);
    expect(serverEvents.map((e) => e.type).slice(0, 2)).toEqual(['hello-verify-request', 'session-start']);
    // ClientHello, ClientHello+cookie, flight 5 from the client; HVR, flight 4, flight 6 from the server
    expect(wire.map((d) => d.from)).toEqual(['client', 'server', 'client', 'server', 'client', 'server']);
  });

  it('completes with a one-way delay on the link, in virtual time', async () => {
    const { time, client } = await startPair({ delay: 200 });
    expect(time.runUntil(() => client.state === 'established', 5000, 10)).toBe(true);
    // three round trips
    expect(time.now).toBe(1200);
  });

  it('fails with ETIMEDOUT after handshakeTimeout when the server never answers', async () => {
    const { time, client, serverSessions } = await startPair({ deliver: () => false, client: { handshakeTimeout: 10_000 } });
    time.advanceTo(9_999);
    expect(client.state).toBe('handshaking');
    time.advanceTo(10_000);
    expect(client.state).toBe('closed');
    expect(client.error).toBeInstanceOf(DtlsError);
    expect(client.error?.code).toBe('ETIMEDOUT');
    expect(serverSessions).toEqual([]);
  });

  it('retransmits its ClientHello at 1, 3, 7, 15 and 31 s within the default 60 s handshake timeout (RFC 6347 §4.2.4.1)', async () => {
    const { time, client, wire, clientEvents } = await startPair({ deliver: () => false });
    time.advanceTo(60_000);
    expect(client.error?.code).toBe('ETIMEDOUT');
    expect(sendTimes(wire, 'client')).toEqual([0, 1000, 3000, 7000, 15000, 31000]);
    expect(clientEvents.filter((e) => e.type === 'retransmit').map((e) => e.type === 'retransmit' && [e.flight, e.attempt, e.reason])).toEqual([
      [1, 1, 'timeout'],
      [1, 2, 'timeout'],
      [1, 3, 'timeout'],
      [1, 4, 'timeout'],
      [1, 5, 'timeout'],
    ]);
  });

  it('sends the same ClientHello bytes on retransmission, with fresh record sequence numbers', async () => {
    const { time, wire } = await startPair({ deliver: () => false });
    time.advanceTo(3_000);
    const sent = wire.filter((d) => d.from === 'client').map((d) => d.data);
    expect(sent).toHaveLength(3);
    // record header: type(1) version(2) epoch(2) seq(6) length(2)
    const seq = (d: Uint8Array) => d[10];
    expect(sent.map(seq)).toEqual([0, 1, 2]);
    expect(sent[1].subarray(11)).toEqual(sent[0].subarray(11));
  });

  it('honours a custom retransmission timer', async () => {
    const { time, wire } = await startPair({ deliver: () => false, client: { retransmit: { initialTimeout: 250, maxTimeout: 1000 } } });
    time.advanceTo(4_000);
    expect(sendTimes(wire, 'client')).toEqual([0, 250, 750, 1750, 2750, 3750]);
  });

  it('resends flight 5 at once when the server retransmits flight 4 (RFC 6347 §4.2.4)', async () => {
    // The client's first flight 5 (the 5th datagram) is lost, and its own timer is slower than the server's.
    const { time, client, wire, clientEvents } = await startPair({
      deliver: (d, i) => !(d.from === 'client' && i === 4),
      client: { retransmit: { initialTimeout: 5000, maxTimeout: 60_000 } },
    });
    expect(time.runUntil(() => client.state === 'established', 5000)).toBe(true);
    // The server timed out at 1 s and resent flight 4; the client answered with flight 5 straight away.
    expect(time.now).toBe(1000);
    expect(clientEvents.filter((e) => e.type === 'retransmit')).toEqual([
      { type: 'retransmit', flight: 5, messages: ['ClientKeyExchange', 'ChangeCipherSpec', 'Finished'], attempt: 1, reason: 'peer' },
    ]);
    expect(sendTimes(wire, 'server')).toEqual([0, 0, 1000, 1000]);
  });

  it('retransmits on both timers when both sides lose the same round trip at once', async () => {
    const { time, client, clientEvents } = await startPair({ deliver: (d, i) => !(d.from === 'client' && i === 4) });
    expect(time.runUntil(() => client.state === 'established', 5000)).toBe(true);
    expect(time.now).toBe(1000);
    expect(clientEvents.filter((e) => e.type === 'retransmit').length).toBeGreaterThanOrEqual(1);
  });

  it('gets the lost final flight 6 again by retransmitting flight 5: the server resends it on seeing flight 5 again', async () => {
    const { time, client, serverSessionEvents, wire } = await startPair({ deliver: (d, i) => !(d.from === 'server' && i === 5) });
    time.advanceTo(999);
    expect(client.state).toBe('handshaking');
    expect(time.runUntil(() => client.state === 'established', 5000)).toBe(true);
    expect(time.now).toBe(1000);
    expect(serverSessionEvents[0].filter((e) => e.type === 'retransmit')).toEqual([
      { type: 'retransmit', flight: 6, messages: ['NewSessionTicket', 'ChangeCipherSpec', 'Finished'], attempt: 1, reason: 'peer' },
    ]);
    // The final flight is never resent on a timer: nothing more is sent once both are up.
    const count = wire.length;
    time.advanceBy(120_000);
    expect(wire.length).toBe(count);
  });

  it('stops retransmitting once established', async () => {
    const { time, client, wire } = await startPair();
    time.runUntil(() => client.state === 'established', 1000);
    const count = wire.length;
    // (the default idle timeout, 120 s, would end the session with close_notify)
    time.advanceBy(110_000);
    expect(wire.length).toBe(count);
  });

  it('times out when its key is not the server key for the identity: the Finished does not authenticate and is dropped (RFC 6347 §4.1.2.7)', async () => {
    const { time, client, serverSessions } = await startPair({
      client: { credentials: pskStore('wrongPSK'), handshakeTimeout: 10_000 },
      server: { handshakeTimeout: 10_000 },
    });
    time.advanceTo(10_000);
    expect(client.error?.code).toBe('ETIMEDOUT');
    expect(serverSessions[0].error?.code).toBe('ETIMEDOUT');
    expect(serverSessions[0].droppedRecords).toBeGreaterThan(0);
  });

  it('fails with EALERT unknown_psk_identity for an identity the server does not know, and the server with ECREDENTIALS', async () => {
    const { time, client, serverSessions } = await startPair({ client: { credentials: pskStore('secretPSK', 'stranger') } });
    time.runUntil(() => client.state === 'closed', 5000);
    expect(client.error?.code).toBe('EALERT');
    expect(client.error?.alert?.name).toBe('unknown_psk_identity');
    expect(serverSessions[0].error?.code).toBe('ECREDENTIALS');
  });

  it('fails with EALERT handshake_failure when no cipher suite is shared', async () => {
    const { time, client } = await startPair({
      client: { cipherSuites: ['TLS_PSK_WITH_AES_128_CCM_8'] },
      server: { cipherSuites: ['TLS_PSK_WITH_AES_128_GCM_SHA256'] },
    });
    time.runUntil(() => client.state === 'closed', 5000);
    expect(client.error?.code).toBe('EALERT');
    expect(client.error?.alert?.name).toBe('handshake_failure');
  });

  // The stateless cookie gate cannot reassemble, so the ClientHello goes whole even above the mtu.
  it('connects with an mtu smaller than its ClientHello', async () => {
    const { time, client } = await startPair({ client: { mtu: 100, handshakeTimeout: 10_000 } });
    expect(time.runUntil(() => client.state === 'established', 10_000)).toBe(true);
  });

  it('refuses to send before the handshake completes with ENOTCONN', async () => {
    const { client } = await startPair();
    expect(() => client.send(utf8('too early'))).toThrow(expect.objectContaining({ code: 'ENOTCONN' }));
  });

  it('reports established on state$ exactly once', async () => {
    const { time, client } = await startPair();
    const states: string[] = [];
    client.state$.pipe(filter((s) => s !== 'handshaking')).subscribe((s) => states.push(s));
    time.runUntil(() => client.state === 'established', 1000);
    time.advanceBy(10_000);
    expect(states).toEqual(['established']);
  });
});

describe('connect, connect$ and option checks', () => {
  /** A server on a hub, and options for a client from 10.0.9.9 whose datagrams may be dropped. */
  function setup(dropClient = false, deliver: HubFilter = () => true) {
    const time = new VirtualTime();
    const hub = new MemoryHub(time.scheduler, (from, to, data, index) => !(dropClient && from.port === 9999) && deliver(from, to, data, index));
    const server = createServer({ credentials: pskStore(), transport: hub.endpoint(SERVER_ADDRESS), scheduler: time.scheduler });
    const serverSessions: Session[] = [];
    server.sessions$.subscribe((s) => serverSessions.push(s));
    let sent = 0;
    const transport = hub.endpoint({ address: '10.0.9.9', port: 9999 });
    const counting = { ...transport, send: (data: Uint8Array, peer: typeof SERVER_ADDRESS) => (sent++, transport.send(data, peer)) };
    const options = {
      host: SERVER_ADDRESS.address,
      port: SERVER_ADDRESS.port,
      credentials: pskStore(),
      transport: counting,
      scheduler: time.scheduler,
      keyLog: undefined,
    };
    return { time, options, server, serverSessions, sent: () => sent };
  }

  it('connect() resolves with the established session', async () => {
    const { time, options } = setup();
    const pending = connect(options);
    time.advanceBy(10);
    const session = await pending;
    expect(session.state).toBe('established');
  });

  it('connect() rejects with the DtlsError that ended the handshake', async () => {
    const { time, options } = setup(true);
    const pending = connect({ ...options, handshakeTimeout: 5000 });
    await Promise.resolve();
    time.advanceBy(5000);
    await expect(pending).rejects.toMatchObject({ name: 'DtlsError', code: 'ETIMEDOUT' });
  });

  it('connect$ emits the established session once, then completes when the session closes cleanly', async () => {
    const { time, options, serverSessions } = setup();
    const seen: Session[] = [];
    let completed = false;
    connect$(options).subscribe({ next: (s) => seen.push(s), complete: () => (completed = true) });
    await Promise.resolve();
    time.advanceBy(10);
    expect(seen.map((s) => s.state)).toEqual(['established']);
    expect(completed).toBe(false);
    void serverSessions[0].close();
    time.advanceBy(10);
    expect(completed).toBe(true);
  });

  it('connect$ errors with the DtlsError that failed the handshake', async () => {
    const { time, options } = setup(true);
    let failure: unknown;
    connect$({ ...options, handshakeTimeout: 5000 }).subscribe({ error: (e: unknown) => (failure = e) });
    await new Promise((resolve) => setImmediate(resolve));
    time.advanceBy(5000);
    expect(failure).toMatchObject({ name: 'DtlsError', code: 'ETIMEDOUT' });
  });

  it('connect$ unsubscribed after the handshake sends close_notify, and the server session ends cleanly (RFC 5246 §7.2.1)', async () => {
    const { time, options, serverSessions } = setup();
    let client: Session | undefined;
    const subscription = connect$(options).subscribe((s) => (client = s));
    await Promise.resolve();
    time.advanceBy(10);
    expect(serverSessions[0].state).toBe('established');
    const events: string[] = [];
    serverSessions[0].events$.subscribe((e) => events.push(e.type === 'alert' ? `${e.direction} ${e.name}` : e.type));
    subscription.unsubscribe();
    time.advanceBy(10);
    expect(client?.state).toBe('closed');
    expect(events).toEqual(['received close_notify', 'sent close_notify', 'closed']);
    expect(serverSessions[0].error).toBeUndefined();
  });

  it('connect$ unsubscribed during the handshake sends user_canceled and close_notify (RFC 5246 §7.2.2): the server stops retransmitting at once', async () => {
    // Flight 4 never reaches the client: the server keeps retransmitting it until it hears otherwise.
    const { time, options, serverSessions } = setup(false, (from, _to, _data, index) => from.port !== SERVER_ADDRESS.port || index === 0);
    const subscription = connect$(options).subscribe();
    await Promise.resolve();
    time.advanceBy(10);
    const server = serverSessions[0];
    expect(server.state).toBe('handshaking');
    const alerts: string[] = [];
    server.events$.subscribe({ next: (e) => e.type === 'alert' && alerts.push(`${e.direction} ${e.level} ${e.name}`), error: () => undefined });
    subscription.unsubscribe();
    time.advanceBy(10);
    expect(alerts).toEqual(['received warning user_canceled', 'received warning close_notify', 'sent warning close_notify']);
    expect(server.state).toBe('closed');
  });

  it('connect$ unsubscribed during the handshake stops retransmitting', async () => {
    const { time, options, sent } = setup(true);
    const subscription = connect$(options).subscribe();
    await new Promise((resolve) => setImmediate(resolve));
    time.advanceBy(1500);
    expect(sent()).toBe(2);
    subscription.unsubscribe();
    // user_canceled and close_notify, then nothing.
    expect(sent()).toBe(4);
    time.advanceBy(60_000);
    expect(sent()).toBe(4);
  });

  it('connect$ abandons the session when unsubscribed before it even opened, before its first flight', async () => {
    const { time, options, sent } = setup(true);
    connect$(options).subscribe().unsubscribe();
    await new Promise((resolve) => setImmediate(resolve));
    time.advanceBy(60_000);
    expect(sent()).toBe(0);
  });

  it('rejects options it cannot use with EINVAL', async () => {
    const { options } = setup();
    await expect(openClientSession({ ...options, mtu: 10 })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(openClientSession({ ...options, handshakeTimeout: 0 })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(openClientSession({ ...options, cipherSuites: ['TLS_NO_SUCH_SUITE'] })).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('rejects a store without credentials for the tag with ECREDENTIALS', async () => {
    const { options } = setup();
    await expect(openClientSession({ ...options, tag: 7 })).rejects.toMatchObject({ code: 'ECREDENTIALS' });
  });
});
