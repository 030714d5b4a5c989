import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DtlsError, connect, established, openClientSession, UdpTransport, utf8, type ServerEvent, type Session } from '../../lib/index.js';
import { ImpairmentProxy, type ProxyDirection } from '../../lib/impairment/impairment-proxy.js';
import { startEchoServer } from '../interop/helpers/echo-server.js';
import { startOpensslServer } from '../interop/helpers/openssl.js';
import { assertPeerPresent, peerBinary } from '../interop/helpers/peer-binary.js';
import { stopAllPeers } from '../interop/helpers/peer-process.js';
import { pskStore } from '../interop/helpers/psk.js';
import { recordSession } from '../interop/helpers/session-recorder.js';

const openssl = peerBinary('openssl');
const SUITE = 'TLS_PSK_WITH_AES_128_CCM_8';
/** Real time: a short first timer keeps the runs short (RFC 6347 §4.2.4.1 allows shorter timers than 1 s). */
const CLIENT = { credentials: pskStore(), cipherSuites: [SUITE], retransmit: { initialTimeout: 200, maxTimeout: 2000 }, handshakeTimeout: 30_000 } as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const proxies: ImpairmentProxy[] = [];
const sockets: UdpTransport[] = [];
afterEach(async () => {
  proxies.splice(0).forEach((p) => p.close());
  sockets.splice(0).forEach((s) => s.close());
  await stopAllPeers();
});

async function proxy(target: number, options: { seed?: number; loss?: number; lost?: Record<ProxyDirection, number> } = {}): Promise<ImpairmentProxy> {
  const { seed = 0, loss = 0, lost } = options;
  const p = await ImpairmentProxy.start({
    target: { address: '127.0.0.1', port: target },
    toTarget: { seed: seed * 2, loss },
    toClient: { seed: seed * 2 + 1, loss },
    onImpairment: (direction) => lost && lost[direction]++,
  });
  proxies.push(p);
  return p;
}

/** Sends numbered lines until one comes back (each may be lost either way); resolves with what came back. */
async function echoThroughLoss(session: Session, tries = 30): Promise<string> {
  const rec = recordSession(session);
  for (let i = 0; i < tries && rec.data.length === 0; i++) {
    session.send(utf8(`ping ${i}\n`));
    await sleep(150);
  }
  return new TextDecoder().decode(rec.data[0] ?? new Uint8Array(0));
}

describe.skipIf(openssl.skip)('our client through a lossy UDP proxy to openssl s_server -dtls1_2 -listen (real time)', () => {
  let bin: string;
  beforeEach(() => {
    bin = assertPeerPresent(openssl);
  });

  // Each seed is a fixed loss pattern per direction. These lose datagrams both ways and need
  // retransmissions, yet finish in seconds: with other seeds the handshake waits up to 15 s on
  // s_server's own 1 s doubling timer, because s_server does not answer a retransmitted
  // ClientHello by resending its flight 4 (it resends only on its timer).
  const cases = [
    { loss: 0.2, seeds: [1, 4, 11] },
    { loss: 0.3, seeds: [1, 4, 9] },
  ];
  for (const { loss, seeds } of cases) {
    it(`completes the handshake and exchanges data at ${loss * 100}% loss each way (seeds ${seeds.join(', ')})`, { timeout: 60_000 }, async () => {
      const runs = await Promise.all(
        seeds.map(async (seed) => {
          const { port } = await startOpensslServer({ binary: bin, cipher: 'PSK-AES128-CCM8', naccept: 1 });
          const lost: Record<ProxyDirection, number> = { 'to-target': 0, 'to-client': 0 };
          const p = await proxy(port, { seed, loss, lost });
          const session = await openClientSession({ host: '127.0.0.1', port: p.address().port, ...CLIENT });
          const { events } = recordSession(session);
          await established(session);
          const echoed = await echoThroughLoss(session);
          return { seed, cipherSuite: session.info?.cipherSuite, echoed, lost, retransmits: events.filter((e) => e.type === 'retransmit').length };
        }),
      );
      for (const run of runs) {
        expect(run.cipherSuite).toBe(SUITE);
        expect(run.echoed).toMatch(/^ping \d+\n$/);
      }
      // The link really lost datagrams in both directions.
      expect(runs.reduce((n, r) => n + r.lost['to-target'], 0)).toBeGreaterThan(0);
      expect(runs.reduce((n, r) => n + r.lost['to-client'], 0)).toBeGreaterThan(0);
      expect(runs.reduce((n, r) => n + r.retransmits, 0)).toBeGreaterThan(0);
    });
  }

  it('after a NAT rebinding (the proxy moves us to a new port), nothing we send reaches s_server and nothing comes back', async () => {
    const { peer, port } = await startOpensslServer({ binary: bin, cipher: 'PSK-AES128-CCM8', naccept: 1 });
    const p = await proxy(port);
    const session = await connect({ host: '127.0.0.1', port: p.address().port, ...CLIENT });
    const rec = recordSession(session);
    session.send(utf8('before\n'));
    await rec.received('before\n');

    await p.rebind();
    session.send(utf8('after\n'));
    await sleep(500);
    expect(peer.stdout).toBe('before\n');
    expect(rec.data).toHaveLength(1);
    expect(session.state).toBe('established');
  });
});

describe('NAT rebinding through the UDP proxy against an rx-dtls server (real time)', () => {
  it('with a Connection ID (RFC 9146) the session survives: the server follows the client to its new port and the echo comes back', async () => {
    const echo = await startEchoServer({ credentials: pskStore() });
    const p = await proxy(echo.port);
    const socket = await UdpTransport.bind({ host: '127.0.0.1', port: 0 });
    sockets.push(socket);
    try {
      const session = await connect({ host: '127.0.0.1', port: p.address().port, transport: socket, connectionId: 'offer', ...CLIENT });
      const rec = recordSession(session);
      session.send(utf8('before'));
      await rec.received('before');
      const [after] = await p.rebind();
      session.send(utf8('after the rebinding'));
      expect(await rec.received('after the rebinding')).toBe('beforeafter the rebinding');
      expect(echo.sessions.map((s) => s.session.peer)).toEqual([after]);
      session.close();
    } finally {
      echo.server.close();
    }
  });

  it('without a Connection ID the server drops the records from the new port, the client does not notice, and a new handshake from the new port works', async () => {
    const echo = await startEchoServer({ credentials: pskStore() });
    const events: ServerEvent[] = [];
    echo.server.events$.subscribe((e) => events.push(e));
    const p = await proxy(echo.port);
    // One client socket for both sessions: the device keeps its socket, the NAT changes its port.
    const socket = await UdpTransport.bind({ host: '127.0.0.1', port: 0 });
    sockets.push(socket);
    try {
      const old = await connect({ host: '127.0.0.1', port: p.address().port, transport: socket, ...CLIENT });
      const oldRec = recordSession(old);
      old.send(utf8('before'));
      await oldRec.received('before');
      const [{ upstream: before }] = p.clients();

      const [after] = await p.rebind();
      old.send(utf8('after'));
      await sleep(300);
      expect(events.filter((e) => e.type === 'dropped')).toEqual([{ type: 'dropped', peer: after, reason: 'not an epoch-0 handshake record' }]);
      expect(oldRec.data.map((d) => new TextDecoder().decode(d))).toEqual(['before']);
      expect(old.state).toBe('established');
      expect(echo.sessions.map((s) => s.session.peer)).toEqual([before]);

      old.abandon(new DtlsError('ECLOSED', 'no answer since the rebinding'));
      const fresh = await connect({ host: '127.0.0.1', port: p.address().port, transport: socket, ...CLIENT });
      const freshRec = recordSession(fresh);
      fresh.send(utf8('again'));
      expect(await freshRec.received('again')).toBe('again');
      expect(echo.sessions.map((s) => s.session.peer)).toEqual([before, after]);
      // The stranded session is still there until the idle timeout.
      expect(echo.sessions[0].session.state).toBe('established');
      fresh.close();
    } finally {
      echo.server.close();
    }
  });
});
