// Servers given one masterSecret agree on cookie secrets and ticket keys with nothing exchanged
// (issue 16): each verifies the others' cookies and resumes the others' tickets, across a
// rotation, whenever each was started; servers with different masters share nothing. Virtual time.
import { describe, expect, it } from 'vitest';
import { openClientSession } from '../../lib/endpoint/client.js';
import { createServer, type DtlsServer, type ServerOptions } from '../../lib/endpoint/server.js';
import type { SessionResumption } from '../../lib/endpoint/session-resumption.js';
import type { Session } from '../../lib/endpoint/session.js';
import { SharedSecrets } from '../../lib/handshake/shared-secrets.js';
import type { Datagram, PeerAddress } from '../../lib/transport/datagram.js';
import { MemoryHub, VirtualTime } from '../../lib/testing/index.js';
import { clientHelloDatagram, cookieIn, pskClientHello } from '../fuzz/helpers/hello.js';
import { pskStore } from './helpers/pair.js';

const ROTATION = 10_000;
const LIFETIME = 600_000;
const CLIENT: PeerAddress = { address: '10.0.9.1', port: 7000 };
const masterOne = new Uint8Array(32).fill(0x5a);
const masterTwo = new Uint8Array(32).fill(0xa5);

/** A HelloVerifyRequest's cookie and the random of the ClientHello it answered. */
interface Cookie {
  readonly cookie: Uint8Array;
  readonly random: Uint8Array;
}

/** Servers on one memory network and one virtual clock; each started when the spec says. */
function cluster() {
  const time = new VirtualTime();
  const hub = new MemoryHub(time.scheduler);
  const replies: Datagram[] = [];
  const client = hub.endpoint(CLIENT);
  client.datagrams$.subscribe((d) => replies.push(d));
  const lines: string[] = [];
  let servers = 0;
  const start = (options: Partial<ServerOptions>): DtlsServer => {
    const server = createServer({
      credentials: pskStore(),
      cookieRotation: ROTATION,
      sessionLifetime: LIFETIME,
      log: (line) => lines.push(line),
      ...options,
      transport: hub.endpoint({ address: '10.0.0.2', port: 6000 + ++servers }),
      scheduler: time.scheduler,
    });
    return server;
  };
  let hellos = 0;
  /** The cookie `server` gives the client now, for a ClientHello (random) of its own: a new handshake wherever it goes next. */
  const cookieFrom = (server: DtlsServer, random = new Uint8Array(32).fill(++hellos)): Cookie => {
    client.send(clientHelloDatagram(pskClientHello(random)), server.address());
    time.advanceBy(1);
    const cookie = cookieIn(replies[replies.length - 1].data);
    if (!cookie) throw new Error('no HelloVerifyRequest');
    return { cookie, random };
  };
  /** Whether `server` starts a session for the client's second ClientHello, carrying the cookie. */
  const accepts = (server: DtlsServer, { cookie, random }: Cookie): boolean => {
    const before = server.sessionCount;
    client.send(clientHelloDatagram(pskClientHello(random, { cookie }), { messageSeq: 1, recordSeq: 1 }), server.address());
    time.advanceBy(1);
    return server.sessionCount === before + 1;
  };
  /** A client from its own port: a full handshake, or a resumption when given one; resolves once it ended either way. */
  let clientPort = 8000;
  const handshake = async (server: DtlsServer, resume?: SessionResumption): Promise<Session> => {
    const session = await openClientSession({
      credentials: pskStore(),
      keyLog: undefined,
      resume,
      host: server.address().address,
      port: server.address().port,
      transport: hub.endpoint({ address: CLIENT.address, port: clientPort++ }),
      scheduler: time.scheduler,
    });
    expect(time.runUntil(() => session.state === 'established', 10_000)).toBe(true);
    return session;
  };
  return { time, start, cookieFrom, accepts, handshake, lines };
}

describe('servers given one masterSecret (issue 16: secrets that need no coordination)', () => {
  it("verify each other's cookies, across a rotation, though started at different times", () => {
    const c = cluster();
    const a = c.start({ masterSecret: masterOne });
    c.time.advanceTo(1.5 * ROTATION);
    const b = c.start({ masterSecret: masterOne.slice() });
    // The same period: the same secret, whichever server is asked.
    const same = new Uint8Array(32).fill(0xee);
    expect(c.cookieFrom(b, same).cookie).toEqual(c.cookieFrom(a, same).cookie);
    const fromA = c.cookieFrom(a);
    // The next period: b rotated on its own, and still takes a's cookie of the period before.
    c.time.advanceTo(2 * ROTATION + 1);
    expect(c.accepts(b, fromA)).toBe(true);
    const fromB = c.cookieFrom(b);
    c.time.advanceTo(3 * ROTATION + 1);
    expect(c.accepts(a, fromB)).toBe(true);
    // Two rotations on, a's cookie is stale at b as it would be at a.
    c.time.advanceTo(4 * ROTATION + 1);
    expect(c.accepts(b, fromB)).toBe(false);
    void a.close();
    void b.close();
  });

  it('with different masters, or none, take none of the others\' cookies', () => {
    const c = cluster();
    const one = c.start({ masterSecret: masterOne });
    const two = c.start({ masterSecret: masterTwo });
    const own = c.start({});
    expect(c.accepts(two, c.cookieFrom(one))).toBe(false);
    expect(c.accepts(own, c.cookieFrom(one))).toBe(false);
    expect(c.accepts(one, c.cookieFrom(own))).toBe(false);
    // Each takes its own.
    expect(c.accepts(one, c.cookieFrom(one))).toBe(true);
    for (const server of [one, two, own]) void server.close();
  });

  it("resume each other's tickets, across a ticket-key period, though started at different times", async () => {
    const c = cluster();
    const a = c.start({ masterSecret: masterOne });
    c.time.advanceTo(LIFETIME - 5_000);
    const first = await c.handshake(a);
    const ticket = first.resumption!;
    void first.close();
    // b starts in the next ticket-key period: its current key is a's next one, a's current its previous.
    c.time.advanceTo(LIFETIME + 1_000);
    const b = c.start({ masterSecret: masterOne });
    const atB = await c.handshake(b, ticket);
    expect(atB.info?.resumed).toBe(true);
    // And the ticket b sealed in its period resumes at a.
    const again = await c.handshake(a, atB.resumption!);
    expect(again.info?.resumed).toBe(true);
    void a.close();
    void b.close();
  });

  it("with different masters resume none of the others' tickets: a full handshake instead", async () => {
    const c = cluster();
    const one = c.start({ masterSecret: masterOne });
    const two = c.start({ masterSecret: masterTwo });
    const own = c.start({});
    const first = await c.handshake(one);
    expect((await c.handshake(two, first.resumption!)).info?.resumed).toBe(false);
    expect((await c.handshake(own, first.resumption!)).info?.resumed).toBe(false);
    expect((await c.handshake(one, first.resumption!)).info?.resumed).toBe(true);
    for (const server of [one, two, own]) void server.close();
  });

  it('a ticketKeys list given too seals and opens the tickets instead of the derived keys', async () => {
    const c = cluster();
    const ticketKeys = [new Uint8Array(48).fill(4)];
    const listed = c.start({ masterSecret: masterOne, ticketKeys });
    const derived = c.start({ masterSecret: masterOne });
    const alsoListed = c.start({ ticketKeys });
    const first = await c.handshake(listed);
    expect((await c.handshake(derived, first.resumption!)).info?.resumed).toBe(false);
    expect((await c.handshake(alsoListed, first.resumption!)).info?.resumed).toBe(true);
    for (const server of [listed, derived, alsoListed]) void server.close();
  });

  it('never put the master or a derived secret in the debug log', async () => {
    const c = cluster();
    const a = c.start({ masterSecret: masterOne });
    c.cookieFrom(a);
    const first = await c.handshake(a);
    await c.handshake(a, first.resumption!);
    void a.close();
    c.time.advanceBy(1_000);
    expect(c.lines.length).toBeGreaterThan(10);
    const derived = new SharedSecrets(masterOne);
    const secrets = [masterOne, derived.cookieSecret(0), derived.ticketKey(0).subarray(16)];
    const log = c.lines.join('\n');
    for (const secret of secrets) {
      for (const text of [Buffer.from(secret).toString('hex'), Buffer.from(secret).toString('base64'), secret.join(', '), secret.join(',')]) {
        expect(log).not.toContain(text.slice(0, 12));
      }
    }
  });
});
