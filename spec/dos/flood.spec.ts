// A flood of spoofed ClientHellos (RFC 6347 §4.2.1): the server answers each with a
// HelloVerifyRequest no larger than the ClientHello, keeps no per-peer state, and its
// heap stays flat. In memory with 100,000 random source addresses and ports, and over
// loopback UDP from many source ports with a smaller count.
import { createSocket, type Socket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { listen } from '../../lib/endpoint/server.js';
import type { Datagram } from '../../lib/transport/datagram.js';
import { clientHelloDatagram, cookieIn, pskClientHello } from '../fuzz/helpers/hello.js';
import { Prng } from '../wire/helpers/prng.js';
import { mb, settledHeap } from './helpers/heap.js';
import { PSK_STORE, SpoofedServer } from './helpers/spoofed-server.js';

/** Where the ClientHello random sits in the datagram: record header 13, handshake header 12, client_version 2. */
const RANDOM_OFFSET = 13 + 12 + 2;

describe('a flood of spoofed ClientHellos', () => {
  it('100,000 from random addresses and ports: a HelloVerifyRequest each, none larger than its ClientHello, no session, flat heap', () => {
    const p = new Prng(100_000);
    const FLOOD = 100_000;
    let replies = 0;
    let largest = 0;
    let oversized = 0;
    let sizeOfCurrent = 0;
    const flooded = new SpoofedServer({}, (reply: Datagram) => {
      replies++;
      largest = Math.max(largest, reply.data.length);
      if (reply.data.length > sizeOfCurrent) oversized++;
    });
    // Hellos of several real shapes: a constrained client's, one with extensions, one with a session id.
    const templates = [
      clientHelloDatagram(pskClientHello(new Uint8Array(32))),
      clientHelloDatagram(pskClientHello(new Uint8Array(32), { extensions: [{ type: 23, data: new Uint8Array(0) }, { type: 0xff01, data: new Uint8Array([0]) }] })),
      clientHelloDatagram(pskClientHello(new Uint8Array(32), { sessionId: new Uint8Array(32).fill(9), cipherSuites: [0xc0a8] })),
    ];
    const send = (i: number): void => {
      const datagram = templates[i % templates.length];
      datagram.set(p.bytes(32), RANDOM_OFFSET);
      sizeOfCurrent = datagram.length;
      flooded.transport.deliver(datagram, { address: `${p.range(1, 223)}.${p.int(256)}.${p.int(256)}.${p.range(1, 254)}`, port: p.range(1, 65535) });
    };
    // Warm up (JIT, lazily built tables) before the baseline.
    for (let i = 0; i < 5_000; i++) send(i);
    const before = settledHeap();
    const started = performance.now();
    let peakSessions = 0;
    for (let i = 0; i < FLOOD; i++) {
      send(i);
      if (i % 1_000 === 0) peakSessions = Math.max(peakSessions, flooded.server.sessionCount);
    }
    const seconds = (performance.now() - started) / 1000;
    const after = settledHeap();
    flooded.clock.advanceBy(1);
    console.info(
      `flood: ${FLOOD} spoofed ClientHellos in ${seconds.toFixed(2)} s (${(FLOOD / seconds).toFixed(0)}/s), ` +
        `heap ${mb(before)} -> ${mb(after)} (${mb(after - before)}), largest HelloVerifyRequest ${largest} bytes, ClientHellos ${templates.map((t) => t.length).join('/')} bytes`,
    );
    expect(replies).toBe(FLOOD + 5_000);
    expect(flooded.helloVerifyRequests).toBe(FLOOD + 5_000);
    expect(oversized).toBe(0);
    expect(flooded.server.sessionCount).toBe(0);
    expect(peakSessions).toBe(0);
    expect(flooded.events).toEqual([]);
    // Flat: nothing per hello is kept (100,000 hellos held would be well over 10 MiB).
    expect(after - before).toBeLessThan(2 * 1024 * 1024);
    flooded.server.close();
  }, 120_000);

  it('the gate refuses to answer a ClientHello smaller than its HelloVerifyRequest would be', () => {
    const flooded = new SpoofedServer();
    const dropped: string[] = [];
    flooded.server.events$.subscribe((e) => e.type === 'dropped' && dropped.push(e.reason));
    // A well-formed hello whose record claims fewer bytes than the HVR would need is impossible
    // (the random alone is 32 bytes); a truncated one is malformed: neither gets an answer.
    const hello = clientHelloDatagram(pskClientHello(new Uint8Array(32)));
    flooded.transport.deliver(hello.subarray(0, 50), { address: '192.0.2.1', port: 1 });
    expect(flooded.transport.replies).toEqual([]);
    expect(dropped).toEqual(['malformed datagram']);
    flooded.transport.deliver(hello, { address: '192.0.2.1', port: 1 });
    expect(flooded.transport.replies).toHaveLength(1);
    expect(flooded.transport.replies[0].data.length).toBeLessThanOrEqual(hello.length);
    flooded.server.close();
  });
});

describe('a flood of ClientHellos over loopback UDP', () => {
  it('10,000 from 50 source ports: each answered, never amplified, no session, flat heap', async () => {
    const SOCKETS = 50;
    const PER_SOCKET = 200;
    const server = await listen({ host: '127.0.0.1', port: 0, credentials: PSK_STORE });
    const port = server.address().port;
    const sockets: Socket[] = [];
    let answered = 0;
    let amplified = 0;
    let helloLength = 0;
    try {
      for (let s = 0; s < SOCKETS; s++) {
        const socket = createSocket('udp4');
        socket.on('message', (message) => {
          answered++;
          if (message.length > helloLength || !cookieIn(new Uint8Array(message))) amplified++;
        });
        await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
        sockets.push(socket);
      }
      const p = new Prng(10_000);
      const burst = async (round: number): Promise<void> => {
        const target = answered + SOCKETS;
        for (const socket of sockets) {
          const hello = clientHelloDatagram(pskClientHello(p.bytes(32)), { recordSeq: round });
          helloLength = hello.length;
          socket.send(hello, port, '127.0.0.1');
        }
        // Pace by the answers so socket buffers do not overflow; a lost datagram is not our subject.
        const deadline = Date.now() + 2_000;
        while (answered < target && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
      };
      for (let round = 0; round < 20; round++) await burst(round);
      const before = settledHeap();
      for (let round = 20; round < PER_SOCKET; round++) await burst(round);
      const after = settledHeap();
      console.info(`udp flood: ${SOCKETS * PER_SOCKET} ClientHellos from ${SOCKETS} ports, ${answered} answered, heap ${mb(before)} -> ${mb(after)}`);
      expect(answered).toBeGreaterThanOrEqual(SOCKETS * PER_SOCKET * 0.99);
      expect(amplified).toBe(0);
      expect(server.sessionCount).toBe(0);
      expect(after - before).toBeLessThan(2 * 1024 * 1024);
    } finally {
      sockets.forEach((s) => s.close());
      server.close();
    }
  }, 120_000);
});
