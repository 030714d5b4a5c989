import { describe, expect, it } from 'vitest';
import { utf8 } from '../../lib/credentials/credential-store.js';
import { SessionResumption } from '../../lib/endpoint/session-resumption.js';
import type { Session } from '../../lib/endpoint/session.js';
import { received, startPair, type Pair, type PairOptions } from '../endpoint/helpers/pair.js';
import { ECDHE_ECDSA_SUITE } from '../network/helpers/suites.js';

const DELAY = 50;

/** A pair whose first handshake (a full one) is done and whose client has closed; the server keeps what resumes it. */
async function afterFullHandshake(options: PairOptions = {}): Promise<Pair> {
  const pair = await startPair({ delay: DELAY, ...options });
  expect(pair.time.runUntil(() => pair.client.state === 'established' && pair.serverSessions[0]?.state === 'established', 10_000)).toBe(true);
  expect(pair.client.info?.resumed).toBe(false);
  void pair.client.close();
  pair.time.advanceBy(1000);
  return pair;
}

function establish(pair: Pair, client: Session): void {
  const server = () => pair.serverSessions[pair.serverSessions.length - 1];
  expect(pair.time.runUntil(() => client.state === 'established' && server()?.state === 'established', 10_000)).toBe(true);
}

function flights(events: readonly { type: string; flight?: number; messages?: readonly string[] }[]): string[] {
  return events.filter((e) => e.type === 'flight-sent').map((e) => `${e.flight}: ${e.messages!.join(', ')}`);
}

describe('session resumption (RFC 5246 §7.3) between rx-dtls endpoints', () => {
  it('resumes by RFC 5077 ticket: ServerHello, NewSessionTicket, ChangeCipherSpec, Finished, then the client Finished; data both ways', async () => {
    const pair = await afterFullHandshake();
    const resumption = pair.client.resumption!;
    expect(resumption.hasTicket).toBe(true);
    expect(pair.server.cachedSessions).toBe(0);
    // The full handshake issued the ticket in flight 6, before the ChangeCipherSpec (RFC 5077 §3.3).
    expect(flights(pair.serverSessionEvents[0])).toContain('6: NewSessionTicket, ChangeCipherSpec, Finished');

    const clientEventsBefore = pair.clientEvents.length;
    const again = await pair.reconnect({ resume: resumption });
    establish(pair, again);
    expect(again.info).toMatchObject({ resumed: true, cipherSuite: pair.client.info?.cipherSuite, peer: { kind: 'psk', identity: 'Client_identity' }, extendedMasterSecret: true });
    expect(pair.serverSessions[1].info).toMatchObject({ resumed: true, peer: { kind: 'psk', identity: 'Client_identity' } });
    expect(flights(pair.serverSessionEvents[1])).toEqual(['4: ServerHello, NewSessionTicket, ChangeCipherSpec, Finished']);
    expect(flights(pair.clientEvents.slice(clientEventsBefore))).toEqual(['1: ClientHello', '3: ClientHello', '5: ChangeCipherSpec, Finished']);
    expect(pair.clientEvents.slice(clientEventsBefore)).toContainEqual(expect.objectContaining({ type: 'handshake-complete', resumed: true }));
    // The renewed ticket resumes again.
    expect(again.resumption?.hasTicket).toBe(true);

    const atServer = received(pair.serverSessions[1]);
    const atClient = received(again);
    again.send(utf8('resumed'));
    pair.serverSessions[1].send(utf8('welcome back'));
    pair.time.advanceBy(DELAY);
    expect([atServer, atClient]).toEqual([['resumed'], ['welcome back']]);
  });

  it('resumes by session ID from the server cache when the client asks for no ticket', async () => {
    const pair = await afterFullHandshake({ client: { tickets: false } });
    const resumption = pair.client.resumption!;
    expect(resumption.hasTicket).toBe(false);
    expect(pair.server.cachedSessions).toBe(1);
    const again = await pair.reconnect({ tickets: false, resume: resumption });
    establish(pair, again);
    expect(again.info?.resumed).toBe(true);
    expect(flights(pair.serverSessionEvents[1])).toEqual(['4: ServerHello, ChangeCipherSpec, Finished']);
  });

  it('survives a restart as base64: the saved session resumes', async () => {
    const pair = await afterFullHandshake();
    const saved = pair.client.resumption!.toString();
    const again = await pair.reconnect({ resume: saved });
    establish(pair, again);
    expect(again.info?.resumed).toBe(true);
    expect(SessionResumption.from(saved).cipherSuite).toBe(pair.client.info?.cipherSuite);
  });

  it('resumes an ECDHE-ECDSA session without a certificate on the wire: the server is still the X.509 peer it proved to be', async () => {
    const suite = ECDHE_ECDSA_SUITE;
    const client = { credentials: suite.client(), cipherSuites: [suite.iana], serverName: suite.serverName };
    const pair = await afterFullHandshake({ server: { credentials: suite.server(), cipherSuites: [suite.iana] }, client });
    const again = await pair.reconnect({ ...client, resume: pair.client.resumption! });
    establish(pair, again);
    expect(again.info).toMatchObject({ resumed: true, cipherSuite: suite.iana, peer: { kind: 'x509', subject: 'CN=localhost' } });
    expect(flights(pair.serverSessionEvents[1])).toEqual(['4: ServerHello, NewSessionTicket, ChangeCipherSpec, Finished']);
  });

  it('gives nothing to resume when the server neither caches nor issues tickets', async () => {
    const pair = await afterFullHandshake({ server: { tickets: false, sessionCacheSize: 0 } });
    expect(pair.client.resumption).toBeUndefined();
  });
});
