import { describe, expect, it } from 'vitest';
import { credentials, utf8 } from '../../lib/credentials/credential-store.js';
import { PEER_KEYS, readPem } from '../interop/helpers/peer-keys.js';
import { SessionResumption } from '../../lib/endpoint/session-resumption.js';
import type { RecordLayer13 } from '../../lib/endpoint/record-layer13.js';
import type { TicketState13 } from '../../lib/handshake/ticket-state13.js';
import { AlertDescription, AlertLevel, encodeAlert } from '../../lib/wire/alert.js';
import { ContentType } from '../../lib/wire/constants.js';
import { CLIENT_ADDRESS, received, startPair, type Pair, type PairOptions } from './helpers/pair.js';

const DELAY = 10;
const V13 = { versions: ['1.3'] as const };

/** A 1.3 pair whose full handshake is done, the server's ticket kept by the client, and the client closed. */
async function afterFullHandshake(options: PairOptions = {}): Promise<Pair> {
  const pair = await startPair({ delay: DELAY, ...options, server: { ...V13, ...options.server }, client: { ...V13, ...options.client } });
  expect(pair.time.runUntil(() => pair.client.resumption !== undefined && pair.serverSessions[0]?.state === 'established', 10_000)).toBe(true);
  expect(pair.client.info?.resumed).toBe(false);
  void pair.client.close();
  pair.time.advanceBy(1000);
  return pair;
}

/** Offers `resume` from a new client of the same pair and runs its handshake to its end. */
function offer(pair: Pair, resume: SessionResumption | Uint8Array, client: PairOptions['client'] = {}) {
  return pair.reconnect({ ...V13, resume, ...client }).then((session) => {
    const server = () => pair.serverSessions[pair.serverSessions.length - 1];
    pair.time.runUntil(() => session.state !== 'handshaking' && server()?.state !== 'handshaking', 10_000);
    return { client: session, server: server() };
  });
}

function state(resumption: SessionResumption): TicketState13 {
  return resumption.state as TicketState13;
}

describe('DTLS 1.3 resumption with NewSessionTicket (RFC 8446 §4.6.1, §2.2; RFC 9147 §5.8.4)', () => {
  it('the server sends a ticket after the handshake; the client keeps it (1.3, the suite, the server) and acknowledges it, so it is sent once', async () => {
    const pair = await startPair({ delay: DELAY, server: V13, client: V13 });
    expect(pair.time.runUntil(() => pair.client.resumption !== undefined, 10_000)).toBe(true);
    const resumption = pair.client.resumption!;
    expect(resumption).toMatchObject({ version: '1.3', hasTicket: true, cipherSuite: 'TLS_AES_128_GCM_SHA256', peer: { kind: 'psk', identity: 'Client_identity' } });
    // The session lifetime (default 2 h) in seconds.
    expect(state(resumption).lifetime).toBe(7200);
    const sent = pair.wire.filter((d) => d.from === 'server').length;
    pair.time.advanceBy(60_000);
    expect(pair.wire.filter((d) => d.from === 'server').length).toBe(sent);
  });

  it('resumes with the ticket: both say resumed, the peer identity comes from the ticket, data flows, and a new ticket comes', async () => {
    const pair = await afterFullHandshake();
    const first = pair.client.resumption!;
    const { client, server } = await offer(pair, first);
    expect(client.info).toMatchObject({ version: '1.3', resumed: true, peer: { kind: 'psk', identity: 'Client_identity' } });
    expect(server.info).toMatchObject({ version: '1.3', resumed: true, peer: { kind: 'psk', identity: 'Client_identity' } });
    const atServer = received(server);
    const atClient = received(client);
    client.send(utf8('resumed'));
    server.send(utf8('welcome back'));
    pair.time.advanceBy(DELAY * 2);
    expect([atServer, atClient]).toEqual([['resumed'], ['welcome back']]);
    expect(client.resumption).toBeDefined();
    expect(client.resumption).not.toBe(first);
  });

  it('survives a restart as bytes or base64', async () => {
    const pair = await afterFullHandshake();
    const saved = pair.client.resumption!.toString();
    const { client } = await offer(pair, SessionResumption.from(saved));
    expect(client.info?.resumed).toBe(true);
  });

  it('a ticket past the session lifetime gets a full handshake, never a failure', async () => {
    const pair = await afterFullHandshake({ server: { sessionLifetime: 60_000 } });
    expect(state(pair.client.resumption!).lifetime).toBe(60);
    pair.time.advanceBy(61_000);
    const { client, server } = await offer(pair, pair.client.resumption!);
    expect(client.state).toBe('established');
    expect([client.info?.resumed, server.info?.resumed]).toEqual([false, false]);
  });

  it('a ticket the server can no longer open (keys rotated) or a forged one gets a full handshake', async () => {
    const pair = await afterFullHandshake();
    const resumption = pair.client.resumption!;
    const forged = { ...state(resumption), ticket: state(resumption).ticket!.slice() };
    forged.ticket[forged.ticket.length - 1] ^= 1;
    const withForged = await offer(pair, new SessionResumption(forged));
    expect(withForged.client.state).toBe('established');
    expect(withForged.server.info?.resumed).toBe(false);
    void withForged.client.close();
    pair.time.advanceBy(1000);
    pair.server.setTicketKeys([new Uint8Array(48).fill(7)]);
    const rotated = await offer(pair, resumption);
    expect(rotated.client.state).toBe('established');
    expect(rotated.server.info?.resumed).toBe(false);
  });

  it('a ticket offered with the wrong PSK: its binder does not verify, the server answers decrypt_error', async () => {
    const pair = await afterFullHandshake();
    const resumption = pair.client.resumption!;
    const wrongKey = new SessionResumption({ ...state(resumption), psk: new Uint8Array(32).fill(1) });
    const { client, server } = await offer(pair, wrongKey);
    expect(client.state).toBe('closed');
    expect(client.error).toMatchObject({ code: 'EALERT', alert: { name: 'decrypt_error' } });
    expect(server.error?.message).toMatch(/binder/);
  });

  it('a 1.3 ticket offered by a 1.2 client resumes nothing there: a full 1.2 handshake', async () => {
    const pair = await afterFullHandshake({ server: { versions: ['1.2', '1.3'] } });
    const { client } = await offer(pair, pair.client.resumption!, { versions: ['1.2'] });
    expect(client.info).toMatchObject({ resumed: false });
    expect(client.info?.version).toBeUndefined();
  });

  it('the client forgets the ticket when a fatal alert ends the session (RFC 5246 §7.2.2)', async () => {
    const pair = await startPair({ delay: DELAY, server: V13, client: V13 });
    expect(pair.time.runUntil(() => pair.client.resumption !== undefined, 10_000)).toBe(true);
    pair.client.data$.subscribe({ error: () => undefined });
    const { records13 } = pair.serverSessions[0] as unknown as { records13: RecordLayer13 };
    const alert = records13.seal(records13.writeEpoch, ContentType.alert, encodeAlert({ level: AlertLevel.fatal, description: AlertDescription.internal_error }));
    pair.serverEnd.send(alert.record, CLIENT_ADDRESS);
    pair.time.advanceBy(100);
    expect(pair.client.state).toBe('closed');
    expect(pair.client.resumption).toBeUndefined();
  });

  it('a server with tickets off sends none', async () => {
    const pair = await startPair({ delay: DELAY, server: { ...V13, tickets: false }, client: V13 });
    expect(pair.time.runUntil(() => pair.client.state === 'established', 10_000)).toBe(true);
    pair.time.advanceBy(1000);
    expect(pair.client.resumption).toBeUndefined();
  });
});


describe('DTLS 1.3 resumption of a certificate session', () => {
  const serverStore = () =>
    credentials()
      .x509({ tag: 0, certificate: readPem(PEER_KEYS.certificate), privateKey: readPem(PEER_KEYS.privateKey), ca: readPem(PEER_KEYS.certificate) })
      .psk({ tag: 0, identity: 'Client_identity', key: 'secretPSK' });
  const trustOnly = () => credentials().x509({ tag: 0, ca: readPem(PEER_KEYS.certificate) });

  it("a client that trusts the server's certificate resumes with its ticket: no Certificate this time, and the server's X.509 identity comes from the ticket", async () => {
    const pair = await afterFullHandshake({ server: { credentials: serverStore() }, client: { credentials: trustOnly(), serverName: 'localhost' } });
    expect(pair.client.info?.peer).toMatchObject({ kind: 'x509', subject: 'CN=localhost' });
    const before = pair.serverSessionEvents.length;
    const { client, server } = await offer(pair, pair.client.resumption!, { credentials: trustOnly(), serverName: 'localhost' });
    expect(client.info).toMatchObject({ version: '1.3', resumed: true, peer: { kind: 'x509', subject: 'CN=localhost' } });
    expect(server.info).toMatchObject({ resumed: true, peer: { kind: 'anonymous' } });
    const flight4 = pair.serverSessionEvents[before].find((e) => e.type === 'flight-sent' && e.flight === 4);
    expect(flight4).toMatchObject({ messages: ['ServerHello', 'EncryptedExtensions', 'Finished'] });
  });

  it('a server with certificates only gives a client offering a ticket a full certificate handshake', async () => {
    const certOnly = () => credentials().x509({ tag: 0, certificate: readPem(PEER_KEYS.certificate), privateKey: readPem(PEER_KEYS.privateKey) });
    const pair = await afterFullHandshake({ server: { credentials: certOnly() }, client: { credentials: trustOnly(), serverName: 'localhost' } });
    const { client } = await offer(pair, pair.client.resumption!, { credentials: trustOnly(), serverName: 'localhost' });
    expect(client.info).toMatchObject({ resumed: false, peer: { kind: 'x509', subject: 'CN=localhost' } });
  });
});
