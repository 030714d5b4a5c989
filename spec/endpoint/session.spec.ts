import { describe, expect, it } from 'vitest';
import { credentials, utf8 } from '../../lib/credentials/credential-store.js';
import { encodeAlert } from '../../lib/wire/alert.js';
import { ContentType, DTLS_1_2 } from '../../lib/wire/constants.js';
import { plainRecord } from '../operators/helpers/records.js';
import { SERVER_ADDRESS, received, startPair } from './helpers/pair.js';

async function established(options: Parameters<typeof startPair>[0] = {}) {
  const pair = await startPair(options);
  if (!pair.time.runUntil(() => pair.client.state === 'established', 5000)) throw new Error('no handshake');
  return { ...pair, session: pair.serverSessions[0] };
}

/** An epoch-0 (unprotected) record sent from the client's address. */
const forge = (contentType: number, payload: Uint8Array, sequenceNumber = 100) => plainRecord(contentType, payload, { version: DTLS_1_2, sequenceNumber });

describe('Session', () => {
  it('closes both sides cleanly on close_notify (RFC 5246 §7.2.1)', async () => {
    const { time, client, session, server, serverSessionEvents, clientEvents } = await established();
    client.close();
    expect(client.state).toBe('closed');
    time.advanceBy(10);
    expect(session.state).toBe('closed');
    expect(session.error).toBeUndefined();
    expect(client.error).toBeUndefined();
    expect(serverSessionEvents[0]).toContainEqual({ type: 'alert', direction: 'received', level: 'warning', description: 0, name: 'close_notify' });
    // The server answered close_notify with close_notify, which the closed client ignores.
    expect(serverSessionEvents[0]).toContainEqual({ type: 'alert', direction: 'sent', level: 'warning', description: 0, name: 'close_notify' });
    expect(clientEvents.at(-1)).toEqual({ type: 'closed', error: undefined });
    expect(server.sessionCount).toBe(0);
    expect(() => client.send(utf8('late'))).toThrow(expect.objectContaining({ code: 'ENOTCONN' }));
  });

  it('closes the client cleanly when the server session closes', async () => {
    const { time, client, session } = await established();
    const data: string[] = [];
    let completed = false;
    client.data$.subscribe({ next: (d) => data.push(new TextDecoder().decode(d)), complete: () => (completed = true) });
    session.send(utf8('bye'));
    session.close();
    time.advanceBy(10);
    expect(data).toEqual(['bye']);
    expect(client.state).toBe('closed');
    expect(client.error).toBeUndefined();
    expect(completed).toBe(true);
  });

  it('drops application data in epoch 0 after the handshake, and stays up', async () => {
    const { time, session, clientEnd } = await established();
    const got = received(session);
    const before = session.droppedRecords;
    clientEnd.send(forge(ContentType.application_data, utf8('plaintext injection')), SERVER_ADDRESS);
    time.advanceBy(10);
    expect(got).toEqual([]);
    expect(session.droppedRecords).toBe(before + 1);
    expect(session.state).toBe('established');
  });

  it('drops application data in epoch 0 during the handshake', async () => {
    // The client's flight 5 is held back so the server session stays in its handshake.
    const pair = await startPair({ deliver: (d, i) => !(d.from === 'client' && i === 4) });
    pair.time.advanceBy(10);
    const [session] = pair.serverSessions;
    const got = received(session);
    pair.clientEnd.send(forge(ContentType.application_data, utf8('early')), SERVER_ADDRESS);
    pair.time.runUntil(() => pair.client.state === 'established', 5000);
    expect(session.state).toBe('established');
    expect(got).toEqual([]);
  });

  it('never delivers data before its own handshake completes, even authentic data', async () => {
    // The server's flight 6 is lost once: the server is up, the client is not yet.
    const { time, client, serverSessions, clientEvents } = await startPair({ deliver: (d, i) => !(d.from === 'server' && i === 5) });
    time.advanceBy(10);
    const [session] = serverSessions;
    expect(session.state).toBe('established');
    expect(client.state).toBe('handshaking');
    const got = received(client);
    session.send(utf8('too early for the client'));
    time.advanceBy(10);
    expect(got).toEqual([]);
    expect(time.runUntil(() => client.state === 'established', 5000)).toBe(true);
    expect(got).toEqual([]);
    session.send(utf8('in time'));
    time.advanceBy(10);
    expect(got).toEqual(['in time']);
    expect(clientEvents.filter((e) => e.type === 'handshake-complete')).toHaveLength(1);
  });

  it('delivers a duplicated application record once (RFC 6347 §4.1.2.6 replay detection)', async () => {
    const { time, client, session, wire, clientEnd } = await established();
    const got = received(session);
    client.send(utf8('once'));
    time.advanceBy(10);
    const record = wire.at(-1)!.data;
    clientEnd.send(record, SERVER_ADDRESS);
    clientEnd.send(record, SERVER_ADDRESS);
    time.advanceBy(10);
    expect(got).toEqual(['once']);
  });

  it('ignores an unprotected alert after the handshake (anyone could have sent it)', async () => {
    const { time, session, clientEnd } = await established();
    clientEnd.send(forge(ContentType.alert, encodeAlert({ level: 2, description: 40 })), SERVER_ADDRESS);
    clientEnd.send(forge(ContentType.alert, encodeAlert({ level: 1, description: 0 }), 101), SERVER_ADDRESS);
    time.advanceBy(10);
    expect(session.state).toBe('established');
  });

  it('drops a record whose ciphertext was tampered with, and stays up', async () => {
    const { time, client, session, wire, clientEnd } = await established();
    const got = received(session);
    client.send(utf8('original'));
    time.advanceBy(10);
    const tampered = wire.at(-1)!.data.slice();
    tampered[tampered.length - 1] ^= 0x80;
    tampered[10] ^= 0x40; // a new record number, so it is not a mere replay
    clientEnd.send(tampered, SERVER_ADDRESS);
    time.advanceBy(10);
    expect(got).toEqual(['original']);
    expect(session.state).toBe('established');
  });

  it('fails a handshake whose peer sends a fatal alert with EALERT', async () => {
    // Hold flight 5 back so the server session is mid-handshake, then send it a fatal alert in epoch 0.
    const pair = await startPair({ deliver: (d, i) => !(d.from === 'client' && i === 4) });
    pair.time.advanceBy(10);
    const [session] = pair.serverSessions;
    pair.clientEnd.send(forge(ContentType.alert, encodeAlert({ level: 2, description: 40 })), SERVER_ADDRESS);
    pair.time.advanceBy(10);
    expect(session.error?.code).toBe('EALERT');
    expect(session.error?.alert?.name).toBe('handshake_failure');
  });

  it('writes the same NSS key log line on both sides when asked', async () => {
    const clientLines: string[] = [];
    const serverLines: string[] = [];
    await established({ client: { keyLog: (l) => clientLines.push(l) }, server: { keyLog: (l) => serverLines.push(l) } });
    expect(clientLines).toHaveLength(1);
    expect(clientLines[0]).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n$/);
    expect(serverLines).toEqual(clientLines);
  });

  it('reports the handshake on events$ in order on the server side', async () => {
    const { serverSessionEvents } = await established();
    expect(serverSessionEvents[0].map((e) => e.type)).toEqual(['handshake-start', 'flight-sent', 'flight-sent', 'handshake-complete']);
    expect(serverSessionEvents[0].filter((e) => e.type === 'flight-sent').map((e) => e.type === 'flight-sent' && e.flight)).toEqual([4, 6]);
  });

  it('carries records up to 2^14 bytes and refuses bigger ones with EMSGSIZE', async () => {
    const { time, client, session } = await established();
    let size = 0;
    session.data$.subscribe({ next: (d) => (size = d.length), error: () => undefined });
    client.send(new Uint8Array(16384).fill(7));
    time.advanceBy(10);
    expect(size).toBe(16384);
    expect(() => client.send(new Uint8Array(16385))).toThrow(expect.objectContaining({ code: 'EMSGSIZE' }));
  });
});

describe('Session with an asynchronous PSK lookup (a database)', () => {
  /** A server store whose key comes from a lookup the spec answers by hand. */
  function deferredStore() {
    const pending: Array<{ identity: string; answer: (key: Uint8Array | undefined) => void; fail: (e: Error) => void }> = [];
    const store = credentials().pskLookup(0, (identity) => new Promise((answer, fail) => pending.push({ identity: new TextDecoder().decode(identity), answer, fail })));
    return { store, pending };
  }
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('completes when the key arrives after the client already retransmitted flight 5', async () => {
    const { store, pending } = deferredStore();
    const { time, client, serverSessions } = await startPair({ server: { credentials: store } });
    time.advanceBy(10);
    expect(pending.map((p) => p.identity)).toEqual(['Client_identity']);
    time.advanceBy(2_000); // the client resends flight 5 at 1 s; the server is still waiting for its key
    expect(serverSessions[0].state).toBe('handshaking');
    pending[0].answer(utf8('secretPSK'));
    await settle();
    expect(time.runUntil(() => client.state === 'established', 5000)).toBe(true);
    expect(serverSessions[0].state).toBe('established');
    expect(pending).toHaveLength(1);
    const got = received(serverSessions[0]);
    client.send(utf8('after the lookup'));
    time.advanceBy(10);
    expect(got).toEqual(['after the lookup']);
  });

  it('fails the handshake with unknown_psk_identity when the lookup finds no key', async () => {
    const { store, pending } = deferredStore();
    const { time, client, serverSessions } = await startPair({ server: { credentials: store } });
    time.advanceBy(10);
    pending[0].answer(undefined);
    await settle();
    time.advanceBy(10);
    expect(serverSessions[0].error?.code).toBe('ECREDENTIALS');
    expect(client.error?.code).toBe('EALERT');
    expect(client.error?.alert?.name).toBe('unknown_psk_identity');
  });

  it('fails the handshake with internal_error when the lookup throws', async () => {
    const { store, pending } = deferredStore();
    const { time, client, serverSessions } = await startPair({ server: { credentials: store } });
    time.advanceBy(10);
    pending[0].fail(new Error('database down'));
    await settle();
    time.advanceBy(10);
    expect(serverSessions[0].error?.code).toBe('EHANDSHAKE');
    expect(client.error?.alert?.name).toBe('internal_error');
  });

  it('ignores a lookup that answers after the session was closed', async () => {
    const { store, pending } = deferredStore();
    const { time, serverSessions } = await startPair({ server: { credentials: store } });
    time.advanceBy(10);
    serverSessions[0].close();
    pending[0].answer(utf8('secretPSK'));
    await settle();
    time.advanceBy(10);
    expect(serverSessions[0].state).toBe('closed');
    expect(serverSessions[0].error).toBeUndefined();
  });
});
