import { interval } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../lib/credentials/credential-store.js';
import { DtlsError } from '../../lib/dtls-error.js';
import { CLIENT_ADDRESS, received, startPair, type PairOptions, type WireDatagram } from './helpers/pair.js';

/** Lets a spec decide, datagram by datagram, what the link delivers from now on. */
function link() {
  const state = { drop: (_d: WireDatagram) => false };
  return { state, deliver: (d: WireDatagram) => !state.drop(d) };
}

/** Without a NewSessionTicket, so that the records each side sends are the spec's alone. */
async function established13(options: Omit<PairOptions, 'deliver'> = {}) {
  const { state, deliver } = link();
  const pair = await startPair({ ...options, deliver, server: { versions: ['1.2', '1.3'], tickets: false, ...options.server }, client: { versions: ['1.3'], ...options.client } });
  if (!pair.time.runUntil(() => pair.client.state === 'established' || pair.client.state === 'closed', 10_000)) throw new Error('no handshake');
  return { ...pair, session: pair.serverSessions[0], link: state };
}

/** The low two bits of the epoch a protected record's unified header names (RFC 9147 §4): 3 for epoch 3, 0 for epoch 4. */
function epochBits(d: WireDatagram): number | undefined {
  const first = d.data[0];
  return (first & 0xe0) === 0x20 ? first & 0x03 : undefined;
}

/** The epoch bits of each datagram `from` sent since index `since` of the wire. */
function epochsSent(wire: readonly WireDatagram[], from: 'client' | 'server', since: number): Array<number | undefined> {
  return wire.slice(since).filter((d) => d.from === from).map(epochBits);
}

/** Sends a line each way and returns what arrived. */
function exchange(pair: Awaited<ReturnType<typeof established13>>, text: string): [string[], string[]] {
  const atServer = received(pair.session);
  const atClient = received(pair.client);
  pair.client.send(utf8(`${text} to server`));
  pair.session.send(utf8(`${text} to client`));
  pair.time.advanceBy(10);
  return [atServer, atClient];
}

describe('our KeyUpdate on request (RFC 9147 §8, RFC 8446 §4.6.3)', () => {
  it('switches our writing to the next epoch once the peer acknowledges it, and data flows both ways after', async () => {
    const pair = await established13();
    const { time, client, wire } = pair;
    const before = wire.length;
    let done = false;
    const update = client.updateKeys().then(() => (done = true));
    // Sent in epoch 3 (bits 3); not done before the ACK has come back.
    expect(epochsSent(wire, 'client', before)).toEqual([3]);
    expect(done).toBe(false);
    time.advanceBy(10);
    await update;
    const afterUpdate = wire.length;
    expect(exchange(pair, 'after')).toEqual([['after to server'], ['after to client']]);
    // Our writing moved to epoch 4 (bits 0); the server, not asked to update, still writes in 3.
    expect(epochsSent(wire, 'client', afterUpdate)).toEqual([0]);
    expect(epochsSent(wire, 'server', afterUpdate)).toEqual([3]);
  });

  it('with requestPeerUpdate the peer answers with its own, and both write in epoch 4', async () => {
    const pair = await established13();
    const update = pair.client.updateKeys({ requestPeerUpdate: true });
    pair.time.advanceBy(50);
    await update;
    const since = pair.wire.length;
    expect(exchange(pair, 'both updated')).toEqual([['both updated to server'], ['both updated to client']]);
    expect([...epochsSent(pair.wire, 'client', since), ...epochsSent(pair.wire, 'server', since)]).toEqual([0, 0]);
  });

  it('a server updates too, and updates follow each other (epochs 4, 5, 6)', async () => {
    const pair = await established13();
    for (let i = 0; i < 3; i++) {
      const update = pair.session.updateKeys();
      pair.time.advanceBy(10);
      await update;
    }
    const since = pair.wire.length;
    expect(exchange(pair, 'three times')).toEqual([['three times to server'], ['three times to client']]);
    // Epoch 6: bits 2.
    expect(epochsSent(pair.wire, 'server', since)).toEqual([2]);
  });

  it('a second call while one is outstanding waits for the same KeyUpdate', async () => {
    const pair = await established13();
    const before = pair.wire.length;
    const first = pair.client.updateKeys();
    const second = pair.client.updateKeys({ requestPeerUpdate: true });
    expect(pair.wire.slice(before).filter((d) => d.from === 'client')).toHaveLength(1);
    pair.time.advanceBy(10);
    await Promise.all([first, second]);
    const since = pair.wire.length;
    pair.client.send(utf8('one update'));
    pair.time.advanceBy(10);
    expect(epochsSent(pair.wire, 'client', since)).toEqual([0]);
  });

  it('rejects with EINVAL on a DTLS 1.2 session, and with ENOTCONN before the handshake and after the end', async () => {
    const pair12 = await startPair();
    await expect(pair12.client.updateKeys()).rejects.toMatchObject({ code: 'ENOTCONN' });
    pair12.time.runUntil(() => pair12.client.state === 'established', 10_000);
    await expect(pair12.client.updateKeys()).rejects.toMatchObject({ code: 'EINVAL' });
    const pair13 = await established13();
    await pair13.client.close();
    await expect(pair13.client.updateKeys()).rejects.toBeInstanceOf(DtlsError);
    await expect(pair13.client.updateKeys()).rejects.toMatchObject({ code: 'ENOTCONN' });
  });
});

describe("our KeyUpdate's ACK lost (RFC 9147 §7, §8, virtual time)", () => {
  it('is resent on the timer in the old epoch; the peer acknowledges the copy without following it twice', async () => {
    const pair = await established13();
    const { time, client, wire, link } = pair;
    // The server's first answer (the ACK of our KeyUpdate) is lost.
    let lost = 0;
    link.drop = (d) => d.from === 'server' && lost++ === 0;
    const before = wire.length;
    const update = client.updateKeys();
    time.advanceBy(500);
    expect(lost).toBe(1);
    // Only the KeyUpdate so far: nothing was acknowledged.
    expect(epochsSent(wire, 'client', before)).toEqual([3]);
    time.advanceBy(1000);
    await update;
    // The copy went out in epoch 3 again (a new record), after the retransmission timer (1 s).
    expect(epochsSent(wire, 'client', before)).toEqual([3, 3]);
    expect(wire.filter((d) => d.from === 'client').at(-1)!.time - wire.slice(before).find((d) => d.from === 'client')!.time).toBe(1000);
    // Had the server followed the copy to epoch 5, our epoch-4 records would not open.
    expect(exchange(pair, 'after the lost ACK')).toEqual([['after the lost ACK to server'], ['after the lost ACK to client']]);
  });

  it('arms no timer once acknowledged: nothing more is sent for a minute', async () => {
    const pair = await established13();
    const update = pair.client.updateKeys();
    pair.time.advanceBy(10);
    await update;
    const sent = pair.wire.length;
    pair.time.advanceBy(60_000);
    expect(pair.wire.length).toBe(sent);
  });

  it('gives up with ETIMEDOUT on a peer that never acknowledges and says nothing, after maxSilentTimeouts timers', async () => {
    const pair = await established13();
    pair.link.drop = (d) => d.from === 'server';
    const start = pair.time.now;
    const update = pair.client.updateKeys();
    pair.time.advanceBy(60_000);
    await expect(update).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(pair.client.state).toBe('closed');
    expect(pair.client.error?.message).toMatch(/our KeyUpdate/);
    // Sent at 0, resent at 1, 3 and 7 s; the fourth silent expiry (15 s) ends it.
    expect(pair.wire.filter((d) => d.from === 'client' && d.time >= start).map((d) => d.time - start)).toEqual([0, 1000, 3000, 7000]);
  });

  it('gives up at handshakeTimeout on a peer that keeps talking but never acknowledges', async () => {
    const pair = await established13({ client: { handshakeTimeout: 20_000 } });
    // Its records reach us, its ACKs (the short datagrams) do not: it is not silent.
    pair.link.drop = (d) => d.from === 'server' && d.data.length < 60;
    const chatter = interval(1000, pair.time.scheduler).subscribe(() => pair.session.send(utf8('x'.repeat(100))));
    const update = pair.client.updateKeys();
    pair.time.advanceBy(120_000);
    chatter.unsubscribe();
    await expect(update).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(pair.client.error?.message).toMatch(/did not acknowledge our KeyUpdate in 20000 ms/);
  });
});

describe('KeyUpdate at the AEAD usage limits (RFC 9147 §4.5.3)', () => {
  it("sends one by itself once our key has protected half its limit, and the peer's reading follows", async () => {
    // A limit of 8 records for AES-128-GCM: 'update-advised' from the 4th record on.
    const pair = await established13({ client: { aeadLimits13: { protected: { AES_128_GCM: 8 } } } });
    const atServer = received(pair.session);
    const since = pair.wire.length;
    for (let i = 0; i < 6; i++) {
      pair.client.send(utf8(`record ${i}`));
      pair.time.advanceBy(10);
    }
    expect(atServer).toEqual([0, 1, 2, 3, 4, 5].map((i) => `record ${i}`));
    // Four records in epoch 3 (half the limit), our KeyUpdate right after the fourth (still epoch 3), then epoch 4 (bits 0).
    expect(epochsSent(pair.wire, 'client', since)).toEqual([3, 3, 3, 3, 3, 0, 0]);
  });

  it('at the limit itself, with our KeyUpdate unacknowledged, seals nothing more: send throws ENOBUFS, and the session ends with it', async () => {
    const pair = await established13({ client: { aeadLimits13: { protected: { AES_128_GCM: 8 } } } });
    // The server's ACKs (short datagrams) are lost.
    pair.link.drop = (d) => d.from === 'server' && d.data.length < 60;
    // 4 records, our KeyUpdate (the 5th), 3 more: 8, the limit.
    for (let i = 0; i < 7; i++) pair.client.send(utf8(`record ${i}`));
    expect(() => pair.client.send(utf8('one too many'))).toThrow(expect.objectContaining({ code: 'ENOBUFS' }));
    pair.time.advanceBy(2000);
    expect(pair.client.state).toBe('closed');
    expect(pair.client.error).toMatchObject({ code: 'ENOBUFS' });
  });

  it('asks the peer to update (update_requested) once its key saw half its forgery limit', async () => {
    const pair = await established13({ client: { aeadLimits13: { forgeries: { AES_128_GCM: 4 } } } });
    const atClient = received(pair.client);
    // Two forged records in the server's epoch 3: its real records with the tag altered.
    const real = pair.wire.filter((d) => d.from === 'server' && epochBits(d) === 3).at(-1)!.data;
    for (let i = 0; i < 2; i++) {
      const forged = real.slice();
      forged[forged.length - 1] ^= 0xff;
      pair.serverEnd.send(forged, CLIENT_ADDRESS);
    }
    const since = pair.wire.length;
    pair.time.advanceBy(50);
    pair.session.send(utf8('in epoch 4'));
    pair.time.advanceBy(10);
    expect(atClient).toEqual(['in epoch 4']);
    expect(epochsSent(pair.wire, 'server', since).at(-1)).toBe(0);
  });
});
