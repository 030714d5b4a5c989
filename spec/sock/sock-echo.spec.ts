import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { merge } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { clientCredentials, runEchoClient } from '../../examples/sock-echo-client.js';
import { runEchoServer, serverCredentials } from '../../examples/sock-echo-server.js';
import { credentials } from '../../lib/credentials/credential-store.js';
import type { DatagramTransport } from '../../lib/transport/datagram.js';
import { memoryLink } from '../../lib/transport/memory.js';
import { UdpTransport } from '../../lib/transport/udp.js';

/** The seed 003 echo server and client (examples/sock-echo-*.ts) run against each other in one process. */
const SERVER = { address: '10.0.0.2', port: 20220 };
const key = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/peers', name), 'utf8');

let stop: AbortController;
let running: Promise<void> | undefined;
const transports: DatagramTransport[] = [];
afterEach(async () => {
  stop.abort();
  await running;
  transports.splice(0).forEach((t) => t.close());
});

function serve(udp: DatagramTransport, options: Parameters<typeof runEchoServer>[1] = {}): string[] {
  stop = new AbortController();
  const log: string[] = [];
  running = runEchoServer(udp, { ...options, signal: stop.signal, log: (line) => log.push(line) });
  return log;
}

describe('sock echo examples', () => {
  it('echo HELLO over an in-memory link with the seed’s PSK, the client logging as the seed does', async () => {
    const [clientEnd, serverEnd] = memoryLink({ address: '10.0.0.1', port: 12345 }, SERVER);
    const serverLog = serve(serverEnd);
    const clientLog: string[] = [];
    expect(await runEchoClient(clientEnd, SERVER, { log: (line) => clientLog.push(line) })).toBe('HELLO');
    expect(clientLog).toEqual(['Session with 10.0.0.2:20220: TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256', 'Sent 5 bytes', 'Received 5 bytes: HELLO']);
    expect(serverLog).toContain('Received 5 bytes -- echo!');
  });

  it('echo over UDP on 127.0.0.1, several clients in turn, each on its own socket', async () => {
    const serverUdp = await UdpTransport.bind({ host: '127.0.0.1', port: 0 });
    transports.push(serverUdp);
    serve(serverUdp);
    const remote = { address: '127.0.0.1', port: serverUdp.address().port };
    for (const message of ['first', 'second', 'third']) {
      const udp = await UdpTransport.bind({ host: '127.0.0.1', port: 0 });
      transports.push(udp);
      expect(await runEchoClient(udp, remote, { message })).toBe(message);
    }
  });

  it('keeps serving after a client with the wrong key fails its handshake', async () => {
    const [clientEnd, serverEnd] = memoryLink({ address: '10.0.0.1', port: 12345 }, SERVER);
    const [otherEnd, otherServerEnd] = memoryLink({ address: '10.0.0.3', port: 999 }, SERVER);
    // Two links into one server transport: merge what the server receives, route what it sends.
    const merged: DatagramTransport = {
      datagrams$: merge(serverEnd.datagrams$, otherServerEnd.datagrams$),
      send: (data, peer) => (peer.address === '10.0.0.3' ? otherServerEnd : serverEnd).send(data, peer),
      address: () => SERVER,
      close: () => undefined,
    };
    serve(merged);
    const wrong = credentials().psk({ tag: 20, identity: 'secretID', key: 'not the key' });
    await expect(runEchoClient(otherEnd, SERVER, { credentials: wrong, timeout: 300, handshakeTimeout: 300 })).rejects.toMatchObject({ code: expect.stringMatching(/ETIMEDOUT|EALERT/) });
    expect(await runEchoClient(clientEnd, SERVER)).toBe('HELLO');
  });

  it('echo with ECDSA raw public keys: the server’s credential trusts the client key, the client pins the server key', async () => {
    const serverPublic = new X509Certificate(key('ecdsa-p256-cert.pem')).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const [clientEnd, serverEnd] = memoryLink({ address: '10.0.0.1', port: 12345 }, SERVER);
    const serverLog = serve(serverEnd, { credentials: serverCredentials({ privateKey: key('ecdsa-p256-key.pem'), clientKeys: [key('rpk-p256-pub.pem')] }), clientAuth: 'required' });
    const clientLog: string[] = [];
    const reply = await runEchoClient(clientEnd, SERVER, {
      credentials: clientCredentials({ privateKey: key('rpk-p256-key.pem'), serverKey: serverPublic }),
      log: (line) => clientLog.push(line),
    });
    expect(reply).toBe('HELLO');
    expect(clientLog[0]).toMatch(/TLS_ECDHE_ECDSA_WITH_/);
    expect(serverLog.some((line) => /New session .*TLS_ECDHE_ECDSA_WITH_/.test(line))).toBe(true);
  });
});
