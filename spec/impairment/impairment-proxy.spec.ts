import { firstValueFrom, take, timeout, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImpairmentKind } from '../../lib/impairment/impair.js';
import type { Datagram, PeerAddress } from '../../lib/transport/datagram.js';
import { ImpairmentProxy, type ImpairmentProxyOptions, type ProxyDirection } from '../../lib/impairment/impairment-proxy.js';
import { UdpTransport } from '../../lib/transport/udp.js';

const text = (d: Datagram) => new TextDecoder().decode(d.data);
const bytes = (s: string) => new TextEncoder().encode(s);
const settle = (ms = 100) => new Promise((r) => setTimeout(r, ms));

const open: Array<{ close(): void }> = [];
afterEach(() => {
  open.splice(0).forEach((o) => o.close());
});

async function socket(): Promise<UdpTransport> {
  const s = await UdpTransport.bind({ host: '127.0.0.1', port: 0 });
  open.push(s);
  return s;
}

/** A UDP target that answers every datagram with "echo:" and what came, and remembers who sent it. */
async function echoTarget() {
  const s = await socket();
  const seen: Array<{ from: PeerAddress; text: string }> = [];
  s.datagrams$.subscribe((d) => {
    seen.push({ from: d.peer, text: text(d) });
    s.send(bytes(`echo:${text(d)}`), d.peer);
  });
  return { address: s.address(), seen, socket: s };
}

async function proxyTo(target: PeerAddress, options: Omit<ImpairmentProxyOptions, 'target'> = {}) {
  const proxy = await ImpairmentProxy.start({ target, ...options });
  open.push(proxy);
  return proxy;
}

function collect(s: UdpTransport, count: number, ms = 2000): Promise<string[]> {
  return firstValueFrom(s.datagrams$.pipe(take(count), toArray(), timeout(ms))).then((ds) => ds.map(text));
}

describe('ImpairmentProxy (UDP on loopback)', () => {
  it('forwards both ways unchanged without impairment, the target seeing the proxy, not the client', async () => {
    const target = await echoTarget();
    const proxy = await proxyTo(target.address);
    const client = await socket();
    const replies = collect(client, 3);
    for (const m of ['a', 'b', 'c']) client.send(bytes(m), proxy.address());
    expect(await replies).toEqual(['echo:a', 'echo:b', 'echo:c']);
    const [{ upstream }] = proxy.clients();
    expect(target.seen.map((s) => s.from)).toEqual(Array(3).fill(upstream));
    expect(upstream.port).not.toBe(client.address().port);
    expect(proxy.clients()).toEqual([{ client: client.address(), upstream }]);
  });

  it('gives each client its own outgoing port and sends each reply back to its own client', async () => {
    const target = await echoTarget();
    const proxy = await proxyTo(target.address);
    const [one, two] = [await socket(), await socket()];
    const [atOne, atTwo] = [collect(one, 2), collect(two, 2)];
    one.send(bytes('one-1'), proxy.address());
    two.send(bytes('two-1'), proxy.address());
    one.send(bytes('one-2'), proxy.address());
    two.send(bytes('two-2'), proxy.address());
    expect([await atOne, await atTwo]).toEqual([['echo:one-1', 'echo:one-2'], ['echo:two-1', 'echo:two-2']]);
    const ports = new Set(target.seen.map((s) => s.from.port));
    expect(ports.size).toBe(2);
  });

  it('drops datagrams per direction as told, and reports each impairment with its direction', async () => {
    const target = await echoTarget();
    const reported: Array<[ProxyDirection, ImpairmentKind]> = [];
    const proxy = await proxyTo(target.address, { toClient: { seed: 1, loss: 1 }, onImpairment: (direction, kind) => reported.push([direction, kind]) });
    const client = await socket();
    const got: string[] = [];
    client.datagrams$.subscribe((d) => got.push(text(d)));
    for (const m of ['x', 'y']) client.send(bytes(m), proxy.address());
    await settle(200);
    // The requests reached the target; every answer was lost on the way back.
    expect(target.seen.map((s) => s.text)).toEqual(['x', 'y']);
    expect(got).toEqual([]);
    expect(reported).toEqual([
      ['to-client', 'loss'],
      ['to-client', 'loss'],
    ]);
  });

  it('loses the same datagrams for the same seed (seeded loss towards the target)', async () => {
    const run = async () => {
      const target = await echoTarget();
      const proxy = await proxyTo(target.address, { toTarget: { seed: 42, loss: 0.5 } });
      const client = await socket();
      for (let i = 0; i < 40; i++) {
        client.send(bytes(`m${i}`), proxy.address());
        // One at a time, so loopback never reorders and the seed alone decides.
        await settle(2);
      }
      await settle(150);
      return target.seen.map((s) => s.text);
    };
    const [first, second] = [await run(), await run()];
    expect(first).toEqual(second);
    expect(first.length).toBeGreaterThan(5);
    expect(first.length).toBeLessThan(35);
  });

  it('rebind() moves a client to a new outgoing port: the target sees the new port, and what it sends to the old one is lost', async () => {
    const target = await echoTarget();
    const proxy = await proxyTo(target.address);
    const client = await socket();
    const first = collect(client, 1);
    client.send(bytes('before'), proxy.address());
    expect(await first).toEqual(['echo:before']);
    const [{ upstream: before }] = proxy.clients();

    const [after] = await proxy.rebind();
    expect(after.port).not.toBe(before.port);
    expect(proxy.clients()).toEqual([{ client: client.address(), upstream: after }]);
    const got: string[] = [];
    client.datagrams$.subscribe((d) => got.push(text(d)));
    client.send(bytes('after'), proxy.address());
    await settle();
    expect(target.seen.map((s) => [s.text, s.from.port])).toEqual([
      ['before', before.port],
      ['after', after.port],
    ]);
    // The target answering the old port reaches nobody.
    target.socket.send(bytes('to the old port'), before);
    await settle();
    expect(got).toEqual(['echo:after']);
  });

  it('rebindOnNextDatagram() sends the next datagram, and those right behind it, from a new port, in order', async () => {
    const target = await echoTarget();
    const proxy = await proxyTo(target.address);
    const client = await socket();
    const first = collect(client, 1);
    client.send(bytes('before'), proxy.address());
    expect(await first).toEqual(['echo:before']);
    const [{ upstream: before }] = proxy.clients();

    proxy.rebindOnNextDatagram();
    const rest = collect(client, 3);
    for (const t of ['after 1', 'after 2', 'after 3']) client.send(bytes(t), proxy.address());
    expect(await rest).toEqual(['echo:after 1', 'echo:after 2', 'echo:after 3']);
    const [{ upstream: after }] = proxy.clients();
    expect(after.port).not.toBe(before.port);
    expect(target.seen.map((s) => [s.text, s.from.port])).toEqual([
      ['before', before.port],
      ['after 1', after.port],
      ['after 2', after.port],
      ['after 3', after.port],
    ]);
  });

  it('passes on only what the target sends to a client port, not datagrams from anyone else', async () => {
    const target = await echoTarget();
    const proxy = await proxyTo(target.address);
    const client = await socket();
    const first = collect(client, 1);
    client.send(bytes('hello'), proxy.address());
    await first;
    const stranger = await socket();
    const got: string[] = [];
    client.datagrams$.subscribe((d) => got.push(text(d)));
    stranger.send(bytes('spoof'), proxy.clients()[0].upstream);
    await settle();
    expect(got).toEqual([]);
  });
});
