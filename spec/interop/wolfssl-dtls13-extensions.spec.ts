import { createSocket, type Socket } from 'node:dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, credentials, utf8, type Session } from '../../lib/index.js';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';
import { assertPeerPresent } from './helpers/peer-binary.js';
import { stopAllPeers, type PeerProcess } from './helpers/peer-process.js';
import { pskStore } from './helpers/psk.js';
import { recordSession } from './helpers/session-recorder.js';
import { startWolfsslClient, startWolfsslServer, WOLFSSL_MESSAGES, WOLFSSL_PSK, WOLFSSL_SUITES, wolfsslBinary, wolfsslHandshakes, wolfsslSendingCid } from './helpers/wolfssl.js';
import { expectWolfsslClientEchoed } from './helpers/wolfssl-client-cell.js';

const wolfServer = wolfsslBinary('server');
const wolfClient = wolfsslBinary('client');

/** A loopback handshake either finishes quickly or fails quickly. */
const FAST = { handshakeTimeout: 8000, retransmit: { initialTimeout: 250, maxTimeout: 2000 } } as const;
const SUITE = WOLFSSL_SUITES.TLS_AES_128_GCM_SHA256;
const hex = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('hex');
/** A CID as wolfSSL's examples print it: each byte in hex without its leading zero (see the helper). */
const wolfsslHex = (bytes: Uint8Array | undefined) => Array.from(bytes ?? [], (b) => b.toString(16)).join('');

/** Our credentials for wolfSSL's 1.3 PSK; its client names its identity after the suite's hash. */
const ourPsk = (identity: string = WOLFSSL_PSK.identity) => pskStore(identity, WOLFSSL_PSK.keyHex['1.3']);
const CLIENT_IDENTITY = `${WOLFSSL_PSK.identity}SHA256`;

async function echoesALine(session: Session): Promise<void> {
  const rec = recordSession(session);
  const message = `ping wolfSSL ${Math.random()}`;
  session.send(utf8(message));
  expect(await rec.received(message)).toBe(message);
}

function expectWolfssl13(peer: PeerProcess): void {
  expect(wolfsslHandshakes(peer.stdout)[0]).toMatchObject({ version: 'DTLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256' });
}

describe.skipIf(wolfServer.skip)('rx-dtls 1.3 client against the wolfSSL 5.7 example server: hello extensions and Connection IDs', () => {
  let bin: string;
  beforeEach(() => {
    bin = assertPeerPresent(wolfServer);
  });
  afterEach(stopAllPeers);

  it('ALPN: it chooses coap (-L C:coap) in its EncryptedExtensions, both say so, and it answers our message', async () => {
    // Its server skips the echo loop with -L (see the helper): it answers one message.
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.3', auth: 'psk', suites: SUITE, echo: false, args: ['-L', 'C:coap'] });
    const session = await connect({ host: '127.0.0.1', port, credentials: ourPsk(), versions: ['1.3'], alpn: ['h2', 'coap'], ...FAST });
    expect(session.info).toMatchObject({ version: '1.3', alpn: 'coap' });
    const rec = recordSession(session);
    session.send(utf8(WOLFSSL_MESSAGES.hello));
    expect(await rec.received(WOLFSSL_MESSAGES.serverReply)).toBe(WOLFSSL_MESSAGES.serverReply);
    await session.close();
    await peer.waitForExit();
    expectWolfssl13(peer);
    expect(peer.stdout).toContain('Sent ALPN protocol : coap (4)');
  });

  it('Connection IDs both ways (--cid AB): our records carry its CID 4142 from epoch 2 on, its records ours, and a line is echoed', async () => {
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.3', auth: 'psk', suites: SUITE, args: ['--cid', 'AB'] });
    const session = await connect({ host: '127.0.0.1', port, credentials: ourPsk(), versions: ['1.3'], connectionId: { length: 2 }, ...FAST });
    expect(hex(session.info?.connectionId?.send)).toBe('4142');
    expect(session.info?.connectionId?.receive).toHaveLength(2);
    await echoesALine(session);
    await session.close();
    await peer.waitForExit();
    expectWolfssl13(peer);
    expect(wolfsslSendingCid(peer.stdout)).toBe(wolfsslHex(session.info?.connectionId?.receive));
  });

  it('Connection IDs when we take none (connectionId: offer): it sends us records without one, ours carry its CID', async () => {
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.3', auth: 'psk', suites: SUITE, args: ['--cid', 'AB'] });
    const session = await connect({ host: '127.0.0.1', port, credentials: ourPsk(), versions: ['1.3'], connectionId: 'offer', ...FAST });
    expect(session.info?.connectionId).toEqual({ receive: new Uint8Array(0), send: utf8('AB') });
    await echoesALine(session);
    await session.close();
    await peer.waitForExit();
    expect(wolfsslSendingCid(peer.stdout)).toBe('');
  });

  it('server_name: its server (-S b.example) takes our name and serves us (its acknowledgement read), and a line is echoed', async () => {
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.3', auth: 'psk', suites: SUITE, args: ['-S', 'b.example'] });
    const session = await connect({ host: '127.0.0.1', port, credentials: ourPsk(), versions: ['1.3'], serverName: 'b.example', ...FAST });
    expect(session.info?.version).toBe('1.3');
    await echoesALine(session);
    await session.close();
    await peer.waitForExit();
    expectWolfssl13(peer);
  });

  it('server_name: another name is refused by it with unrecognized_name (so it did read ours)', async () => {
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.3', auth: 'psk', suites: SUITE, args: ['-S', 'b.example'] });
    const failed = connect({ host: '127.0.0.1', port, credentials: ourPsk(), versions: ['1.3'], serverName: 'c.example', ...FAST });
    await expect(failed).rejects.toMatchObject({ code: 'EALERT', alert: { name: 'unrecognized_name' } });
    await peer.waitForExit();
    expect(peer.stdout + peer.stderr).toContain('Unrecognized host name');
  });
});

/**
 * A NAT between wolfSSL's client and our server, in the spec: a UDP relay that forwards the
 * client's datagrams to the server from one socket, and from a second one (a new source port,
 * as a NAT binding that timed out gets) from the client's first application data record on
 * (a unified header of epoch 3: its low epoch bits 11), relaying the server's answers back.
 */
class RebindingRelay {
  readonly port: Promise<number>;
  private readonly front: Socket = createSocket('udp4');
  private readonly outside: Socket[] = [createSocket('udp4'), createSocket('udp4')];
  private client?: { address: string; port: number };
  private rebound = false;

  constructor(private readonly serverPort: number) {
    this.front.on('message', (data, from) => {
      this.client = { address: from.address, port: from.port };
      if (!this.rebound && (data[0] & 0xe3) === 0x23) this.rebound = true;
      this.outside[this.rebound ? 1 : 0].send(data, this.serverPort, '127.0.0.1');
    });
    for (const socket of this.outside) {
      socket.on('message', (data) => {
        if (this.client) this.front.send(data, this.client.port, this.client.address);
      });
      socket.bind(0, '127.0.0.1');
    }
    this.port = new Promise((resolve) => this.front.bind(0, '127.0.0.1', () => resolve(this.front.address().port)));
  }

  /** The source ports the server sees: before and after the rebinding. */
  sourcePorts(): number[] {
    return this.outside.map((s) => s.address().port);
  }

  close(): void {
    for (const socket of [this.front, ...this.outside]) socket.close();
  }
}

describe.skipIf(wolfClient.skip)('the wolfSSL 5.7 example client against an rx-dtls 1.3 server: hello extensions and Connection IDs', () => {
  let bin: string;
  let echo: EchoServer | undefined;
  let relay: RebindingRelay | undefined;
  beforeEach(() => {
    bin = assertPeerPresent(wolfClient);
  });
  afterEach(async () => {
    relay?.close();
    relay = undefined;
    await echo?.server.close();
    echo = undefined;
    await stopAllPeers();
  });

  it('ALPN: its client (-L C:coap) gets coap from our EncryptedExtensions, and its message is echoed', async () => {
    echo = await startEchoServer({ credentials: ourPsk(CLIENT_IDENTITY), versions: ['1.3'], alpn: ['coap'], ...FAST });
    const client = startWolfsslClient({ binary: bin, version: '1.3', auth: 'psk', suites: SUITE, port: echo.port, args: ['-L', 'C:coap'] });
    await expectWolfsslClientEchoed(client);
    expect(client.stdout).toContain('Received ALPN protocol : coap (4)');
    const { session } = await echo.firstSession();
    expect(session.info).toMatchObject({ version: '1.3', alpn: 'coap' });
  });

  it('Connection IDs both ways (--cid AB): we send its CID 4142, it sends ours, and its message is echoed', async () => {
    echo = await startEchoServer({ credentials: ourPsk(CLIENT_IDENTITY), versions: ['1.3'], connectionId: { length: 4 }, ...FAST });
    const client = startWolfsslClient({ binary: bin, version: '1.3', auth: 'psk', suites: SUITE, port: echo.port, args: ['--cid', 'AB'] });
    await expectWolfsslClientEchoed(client);
    const { session } = await echo.firstSession();
    expect(hex(session.info?.connectionId?.send)).toBe('4142');
    expect(wolfsslSendingCid(client.stdout)).toBe(wolfsslHex(session.info?.connectionId?.receive));
  });

  it('a NAT rebinding of its client with a CID: the session follows it to the new port, and its message is echoed there', async () => {
    echo = await startEchoServer({ credentials: ourPsk(CLIENT_IDENTITY), versions: ['1.3'], connectionId: { length: 4 }, ...FAST });
    relay = new RebindingRelay(echo.port);
    const client = startWolfsslClient({ binary: bin, version: '1.3', auth: 'psk', suites: SUITE, port: await relay.port, args: ['--cid', 'AB'] });
    await expectWolfsslClientEchoed(client);
    const { session, events } = await echo.firstSession();
    const [before, after] = relay.sourcePorts();
    expect(events.filter((e) => e.type === 'peer-address-changed')).toEqual([
      { type: 'peer-address-changed', from: { address: '127.0.0.1', port: before }, to: { address: '127.0.0.1', port: after } },
    ]);
    expect(session.peer.port).toBe(after);
    expect(echo.server.sessionCount).toBeLessThanOrEqual(1);
  });

  it('server_name: its client (-S b.example) is served with that name\'s PSK and acknowledged, and its message is echoed', async () => {
    const store = credentials()
      .psk({ tag: 0, identity: 'someone-else', key: 'not the key' })
      .psk({ tag: 1, identity: CLIENT_IDENTITY, key: Buffer.from(WOLFSSL_PSK.keyHex['1.3'], 'hex') });
    echo = await startEchoServer({ credentials: store, versions: ['1.3'], serverNames: { 'b.example': 1 }, ...FAST });
    const client = startWolfsslClient({ binary: bin, version: '1.3', auth: 'psk', suites: SUITE, port: echo.port, args: ['-S', 'b.example'] });
    await expectWolfsslClientEchoed(client);
    const { session } = await echo.firstSession();
    expect(session.info).toMatchObject({ version: '1.3', serverName: 'b.example', peer: { kind: 'psk', identity: CLIENT_IDENTITY } });
  });
});
