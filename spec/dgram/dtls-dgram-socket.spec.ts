import { once } from 'node:events';
import { Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { credentials, type CredentialStore } from '../../lib/credentials/credential-store.js';
import { DtlsError } from '../../lib/dtls-error.js';
import { createServer } from '../../lib/endpoint/server.js';
import type { DatagramTransport } from '../../lib/transport/datagram.js';
import { clientDgramSocket, type DtlsClientSocket } from '../../lib/dgram/dtls-client-socket.js';
import { serverDgramSocket, type DtlsServerSocket } from '../../lib/dgram/dtls-server-socket.js';
import { memoryLink } from '../../lib/transport/memory.js';
import { asyncScheduler } from 'rxjs';
import { Nat, SERVER_BEHIND_NAT } from '../network/helpers/nat.js';
import type { RemoteInfo } from 'node:dgram';

const SERVER = { address: '10.0.0.2', port: 2222 };
const CLIENT = { address: '10.0.0.1', port: 1111 };

const store = (identity = 'Client_identity'): CredentialStore => credentials().psk({ tag: 0, identity, key: 'secretPSK' });

const open: Array<{ close(): unknown; closed?: boolean }> = [];
afterEach(() => {
  for (const socket of open.splice(0)) if (!socket.closed) socket.close();
});

function pair(options: { serverIdentity?: string } = {}): { server: DtlsServerSocket; client: DtlsClientSocket; clientEnd: DatagramTransport } {
  const [clientEnd, serverEnd] = memoryLink(CLIENT, SERVER);
  const server = serverDgramSocket(createServer({ transport: serverEnd, credentials: store(options.serverIdentity), handshakeTimeout: 3000 }));
  const client = clientDgramSocket({ host: SERVER.address, port: SERVER.port, credentials: store(), transport: clientEnd, handshakeTimeout: 3000 });
  open.push(client, server);
  return { server, client, clientEnd };
}

function nextMessage(socket: Socket): Promise<[Buffer, RemoteInfo]> {
  return once(socket, 'message') as Promise<[Buffer, RemoteInfo]>;
}

function sendAsync(socket: Socket, ...args: unknown[]): Promise<number> {
  return new Promise((resolve, reject) => {
    (socket.send as (...a: unknown[]) => void)(...args, (error: Error | null, bytes: number) => (error ? reject(error) : resolve(bytes)));
  });
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'no error';
  } catch (error) {
    return error instanceof DtlsError ? error.code : String(error);
  }
}

describe('DtlsServerSocket', () => {
  it('is a real node:dgram Socket, so node-coap takes its instanceof dgram.Socket paths', () => {
    const { server } = pair();
    expect(server).toBeInstanceOf(Socket);
    expect(server.type).toBe('udp4');
    expect(server.address()).toEqual({ address: SERVER.address, port: SERVER.port, family: 'IPv4' });
  });

  it('emits application data as message(Buffer, rinfo) and routes send(msg, offset, length, port, address, cb) back to that session', async () => {
    const { server, client } = pair();
    const atServer = nextMessage(server);
    client.send('ping');
    const [msg, rinfo] = await atServer;
    expect(msg.toString()).toBe('ping');
    expect(rinfo).toEqual({ address: CLIENT.address, port: CLIENT.port, family: 'IPv4', size: 4 });
    expect(server.sessions).toHaveLength(1);

    const atClient = nextMessage(client);
    const reply = Buffer.from('__pong__');
    expect(await sendAsync(server, reply, 2, 4, rinfo.port, rinfo.address)).toBe(4);
    const [answer, from] = await atClient;
    expect(answer.toString()).toBe('pong');
    expect(from).toMatchObject({ address: SERVER.address, port: SERVER.port });
  });

  it('follows a session whose peer moved (a NAT rebinding, with a Connection ID): rinfo names the new port, and a reply to the new or the old one reaches the session', async () => {
    const nat = new Nat(asyncScheduler, 1);
    const server = serverDgramSocket(createServer({ transport: nat.server, credentials: store(), handshakeTimeout: 3000 }));
    const client = clientDgramSocket({ host: SERVER_BEHIND_NAT.address, port: SERVER_BEHIND_NAT.port, credentials: store(), transport: nat.client, connectionId: 'offer', handshakeTimeout: 3000 });
    open.push(client, server);
    const before = nextMessage(server);
    client.send('before');
    const [, oldInfo] = await before;
    const moved = nat.rebind();
    const after = nextMessage(server);
    // Long enough that both short replies fit what the new port has sent (RFC 9146 §6: until it is proven).
    const text = 'after the rebinding, with room for two short replies';
    client.send(text);
    const [msg, rinfo] = await after;
    expect(msg.toString()).toBe(text);
    expect(rinfo).toMatchObject({ address: moved.address, port: moved.port });
    for (const to of [rinfo, oldInfo]) {
      const atClient = nextMessage(client);
      expect(await sendAsync(server, Buffer.from('ok'), to.port, to.address)).toBe(2);
      expect((await atClient)[0].toString()).toBe('ok');
    }
    expect(server.unroutable).toBe(0);
  });

  it('drops a reply to a peer with no established session: no error, 0 bytes, an unroutable event', async () => {
    const { server } = pair();
    const unroutable = once(server, 'unroutable');
    expect(await sendAsync(server, Buffer.from('lost'), 4000, '10.9.9.9')).toBe(0);
    expect((await unroutable)[0]).toEqual({ peer: { address: '10.9.9.9', port: 4000 }, bytes: 4 });
    expect(server.unroutable).toBe(1);
  });

  it('refuses multicast, broadcast, TTL, bind, connect and remoteAddress', () => {
    const { server } = pair();
    expect(codeOf(() => server.addMembership('239.0.0.1'))).toBe('EINVAL');
    expect(codeOf(() => server.setMulticastLoopback(true))).toBe('EINVAL');
    expect(codeOf(() => server.setBroadcast(true))).toBe('EINVAL');
    expect(codeOf(() => server.setTTL(3))).toBe('EINVAL');
    expect(codeOf(() => server.bind(5684))).toBe('EINVAL');
    expect(codeOf(() => server.connect(5684))).toBe('EINVAL');
    expect(codeOf(() => server.remoteAddress())).toBe('ENOTCONN');
  });

  it('close() closes the DTLS server (close_notify to the client), emits close, and send afterwards throws ECLOSED', async () => {
    const { server, client } = pair();
    const atServer = nextMessage(server);
    client.send('hello');
    await atServer;
    const clientSession = client.session!;
    const closedByServer = new Promise((resolve) => clientSession.events$.subscribe({ next: (e) => e.type === 'closed' && resolve(e), error: () => undefined }));
    const closeEvent = once(server, 'close');
    server.close();
    await closeEvent;
    expect(await closedByServer).toEqual({ type: 'closed', error: undefined });
    expect(server.server.sessionCount).toBe(0);
    expect(codeOf(() => server.send('late', 1111, '10.0.0.1'))).toBe('ECLOSED');
  });
});

describe('DtlsClientSocket', () => {
  it('handshakes on the first send, holds the datagrams until established, then sends them in order', async () => {
    const { server, client } = pair();
    const received: string[] = [];
    server.on('message', (msg) => received.push(msg.toString()));
    expect(client.session).toBeUndefined();
    const sent = [sendAsync(client, 'one'), sendAsync(client, Buffer.from('two')), sendAsync(client, ['th', 'ree'])];
    expect(await Promise.all(sent)).toEqual([3, 3, 5]);
    expect(client.session?.state).toBe('established');
    await expect.poll(() => received).toEqual(['one', 'two', 'three']);
    expect(client.address()).toEqual({ ...CLIENT, family: 'IPv4' });
  });

  it('connect() handshakes eagerly, emits connect, and then knows its remote address', async () => {
    const { client } = pair();
    expect(codeOf(() => client.remoteAddress())).toBe('ENOTCONN');
    client.connect(SERVER.port, SERVER.address);
    await once(client, 'connect');
    expect(client.remoteAddress()).toEqual({ ...SERVER, family: 'IPv4' });
  });

  it('refuses a destination other than its server: EINVAL in the callback, or an error event without one', async () => {
    const { client } = pair();
    await expect(sendAsync(client, 'x', 5683, SERVER.address)).rejects.toMatchObject({ code: 'EINVAL' });
    const error = once(client, 'error');
    client.send('x', 0, 1, SERVER.port, '10.0.0.99');
    expect((await error)[0]).toMatchObject({ code: 'EINVAL' });
    expect(client.session).toBeUndefined();
  });

  it('accepts the destination node-coap passes (the server host and port)', async () => {
    const { server, client } = pair();
    const atServer = nextMessage(server);
    expect(await sendAsync(client, Buffer.from('abc'), 0, 3, SERVER.port, SERVER.address)).toBe(3);
    expect((await atServer)[0].toString()).toBe('abc');
  });

  it('starts a new session on the next send after the server closed the previous one', async () => {
    const { server, client } = pair();
    const first = nextMessage(server);
    await sendAsync(client, 'first');
    await first;
    const firstSession = client.session!;
    server.sessions[0].close();
    await expect.poll(() => firstSession.state).toBe('closed');

    const second = nextMessage(server);
    await sendAsync(client, 'second');
    expect((await second)[0].toString()).toBe('second');
    expect(client.session).not.toBe(firstSession);
    expect(client.session?.state).toBe('established');
  });

  it('fails the sends that waited for a handshake the server refused, with the DtlsError', async () => {
    const { client } = pair({ serverIdentity: 'someone_else' });
    const failure = await sendAsync(client, 'x').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DtlsError);
    expect((failure as DtlsError).code).toBe('EALERT');
    expect((failure as DtlsError).alert?.name).toBe('unknown_psk_identity');
  });

  it('bind(port, address) binds its own UDP socket before the first session, then emits listening', async () => {
    const client = clientDgramSocket({ host: '127.0.0.1', port: 9, credentials: store() });
    open.push(client);
    expect(codeOf(() => client.address())).toBe('EINVAL');
    client.bind(0, '127.0.0.1');
    await once(client, 'listening');
    const { address, port, family } = client.address();
    expect({ address, family }).toEqual({ address: '127.0.0.1', family: 'IPv4' });
    expect(port).toBeGreaterThan(0);
    expect(codeOf(() => client.bind(0, '127.0.0.1'))).toBe('EINVAL');
  });
});
