import { describe, expect, it } from 'vitest';
import { utf8 } from '../../lib/credentials/credential-store.js';
import { openClientSession, type ClientOptions } from '../../lib/endpoint/client.js';
import { createServer, type ServerEvent, type ServerOptions } from '../../lib/endpoint/server.js';
import type { DtlsError } from '../../lib/dtls-error.js';
import type { Session } from '../../lib/endpoint/session.js';
import type { SessionEvent } from '../../lib/endpoint/session-event.js';
import { VirtualTime } from '../../lib/testing/index.js';
import { pskStore, received } from '../endpoint/helpers/pair.js';
import { Nat, SERVER_BEHIND_NAT } from './helpers/nat.js';

const IDLE_TIMEOUT = 120_000;

async function setUp(connectionId: ClientOptions['connectionId']) {
  const time = new VirtualTime();
  const nat = new Nat(time.scheduler);
  const server = createServer({ transport: nat.server, credentials: pskStore(), scheduler: time.scheduler, idleTimeout: IDLE_TIMEOUT });
  const events: ServerEvent[] = [];
  const sessions: Session[] = [];
  const sessionEvents: SessionEvent[] = [];
  server.events$.subscribe((e) => events.push(e));
  server.sessions$.subscribe((s) => {
    sessions.push(s);
    s.events$.subscribe({ next: (e) => sessionEvents.push(e), error: () => undefined });
  });
  const connect = async () => {
    const session = await openClientSession({
      host: SERVER_BEHIND_NAT.address,
      port: SERVER_BEHIND_NAT.port,
      transport: nat.client,
      credentials: pskStore(),
      scheduler: time.scheduler,
      keyLog: undefined,
      connectionId,
    });
    expect(time.runUntil(() => session.state === 'established' && sessions.at(-1)?.state === 'established', 10_000)).toBe(true);
    return session;
  };
  return { time, nat, server, events, sessions, sessionEvents, connect };
}

/**
 * A NAT rebinding: the client keeps its socket, the NAT gives it a new public port, and
 * the server sees datagrams of a known session from an unknown address. With a
 * Connection ID (RFC 9146) the server finds the session by it and follows the peer
 * (§6); without one, nothing ties the datagrams to the session.
 */
describe('NAT rebinding mid-session', () => {
  it('with a Connection ID the session survives: the server finds it by its CID, follows the client to its new port, says so in an event, and both directions carry data after it', async () => {
    const { time, nat, server, events, sessions, sessionEvents, connect } = await setUp('offer');
    const client = await connect();
    const [atServer] = sessions;
    expect(atServer.info?.connectionId?.receive).toHaveLength(4);
    expect(client.info?.connectionId?.send).toEqual(atServer.info?.connectionId?.receive);
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
    // Shorter than what came from the new port, so it goes before the port is proven.
    atServer.send(utf8('reply'));
    client.send(utf8('after 2'));
    time.advanceBy(100);
    atServer.send(utf8('a longer one, now that the new port is proven'));
    time.advanceBy(100);

    expect(atOld).toEqual(['before', 'after the rebinding', 'after 2']);
    expect(atClient).toEqual(['reply', 'a longer one, now that the new port is proven']);
    expect(nat.lostAtNat).toEqual([]);
    // Nothing met the cookie gate, and the server keeps one session, at the new address.
    expect(events.filter((e) => e.type !== 'hello-verify-request' && e.type !== 'session-start')).toEqual([]);
    expect(server.sessionCount).toBe(1);
    expect(client.state).toBe('established');
  });

  it('until the new port is proven, the server sends it no more bytes than it received from it', async () => {
    const { time, nat, sessions, connect } = await setUp('offer');
    const client = await connect();
    const [atServer] = sessions;
    const atClient = received(client);
    nat.rebind();
    client.send(utf8('x'));
    time.advanceBy(100);
    // A reply larger than the one datagram that came from the new port stays home...
    atServer.send(new Uint8Array(200));
    // ...one that fits the credit goes.
    atServer.send(utf8('y'));
    time.advanceBy(100);
    expect(atClient).toEqual(['y']);
    // The client speaks again from where our bytes went: the port is proven, the limit gone.
    client.send(utf8('z'));
    time.advanceBy(100);
    atServer.send(new Uint8Array(200));
    time.advanceBy(100);
    expect(atClient).toHaveLength(2);
  });

  it('without a Connection ID (the client does not offer one) the server drops the records from the new port and the session is stranded until it idles out', async () => {
    const { time, nat, events, sessions, connect } = await setUp(false);
    const client = await connect();
    const [old] = sessions;
    expect(old.info?.connectionId).toBeUndefined();
    const atOld = received(old);
    client.send(utf8('before'));
    time.advanceBy(100);
    const after = nat.rebind();
    client.send(utf8('after'));
    time.advanceBy(100);
    // Each record from the new port meets the cookie gate, which only knows ClientHellos.
    expect(events.filter((e) => e.type === 'dropped')).toEqual([{ type: 'dropped', peer: after, reason: 'not an epoch-0 handshake record' }]);
    expect(atOld).toEqual(['before']);
    old.send(utf8('reply to the old port'));
    time.advanceBy(100);
    expect(nat.lostAtNat).toHaveLength(1);
    time.advanceBy(IDLE_TIMEOUT * 1.5);
    expect(old.state).toBe('closed');
  });
});

describe('Connection ID options end to end', () => {
  async function handshake(server: ServerOptions['connectionId'], client: ClientOptions['connectionId']) {
    const time = new VirtualTime();
    const nat = new Nat(time.scheduler);
    const dtls = createServer({ transport: nat.server, credentials: pskStore(), scheduler: time.scheduler, connectionId: server });
    const sessions: Session[] = [];
    dtls.sessions$.subscribe((s) => sessions.push(s));
    const session = openClientSession({ host: SERVER_BEHIND_NAT.address, port: SERVER_BEHIND_NAT.port, transport: nat.client, credentials: pskStore(), scheduler: time.scheduler, keyLog: undefined, connectionId: client });
    time.advanceBy(10_000);
    const s = await session;
    const failed: DtlsError | undefined = s.error ?? sessions[0]?.error;
    const outcome = failed
      ? { error: `${failed.code} ${failed.message}` }
      : { client: s.info?.connectionId, server: sessions[0]?.info?.connectionId, established: s.state === 'established' && sessions[0]?.state === 'established' };
    dtls.close();
    return outcome;
  }

  it('a server with CIDs off ignores the offer; a client that requires them then fails', async () => {
    expect(await handshake(false, 'offer')).toEqual({ client: undefined, server: undefined, established: true });
    expect(await handshake(undefined, false)).toEqual({ client: undefined, server: undefined, established: true });
    expect(await handshake(false, 'require')).toMatchObject({ error: expect.stringMatching(/^EHANDSHAKE .*connection IDs/) });
  });

  it('a server that requires CIDs refuses a client that does not offer them', async () => {
    expect(await handshake({ required: true }, false)).toMatchObject({ error: expect.stringMatching(/handshake_failure/) });
    expect(await handshake({ required: true }, 'offer')).toMatchObject({ server: { receive: expect.any(Uint8Array), send: new Uint8Array(0) }, established: true });
  });

  it('a client asking for a CID of its own gets records with it', async () => {
    const { client, server, established } = (await handshake({ length: 6 }, { length: 2 })) as {
      client: { receive: Uint8Array; send: Uint8Array };
      server: unknown;
      established: boolean;
    };
    expect(established).toBe(true);
    expect(client.receive).toHaveLength(2);
    expect(client.send).toHaveLength(6);
    expect(server).toEqual({ receive: client.send, send: client.receive });
  });
});
