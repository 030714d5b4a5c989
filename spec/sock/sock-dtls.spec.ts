import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { credentials, type CredentialStore } from '../../lib/credentials/credential-store.js';
import { DtlsError } from '../../lib/dtls-error.js';
import type { DatagramTransport } from '../../lib/transport/datagram.js';
import { memoryLink } from '../../lib/transport/memory.js';
import { sockDtlsCreate, type SockDtls, type SockDtlsRecvResult } from '../../lib/sock/sock-dtls.js';
import { SOCK_DTLS_1_0, SOCK_DTLS_1_2, SOCK_DTLS_1_3, SOCK_DTLS_CLIENT, SOCK_DTLS_SERVER, SOCK_NO_TIMEOUT } from '../../lib/sock/sock-dtls-constants.js';

const SERVER = { address: '10.0.0.2', port: 20220 };
const CLIENT = { address: '10.0.0.1', port: 12345 };
const SERVER_TAG = 10;
const CLIENT_TAG = 20;

const psk = (tag: number, identity = 'secretID') => credentials().psk({ tag, identity, key: 'secretPSK' });
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

const socks: SockDtls[] = [];
afterEach(() => socks.splice(0).forEach((s) => s.close()));

function socksOver(options: { server?: CredentialStore; client?: CredentialStore; serverless?: boolean } = {}): { server?: SockDtls; client: SockDtls; links: [DatagramTransport, DatagramTransport] } {
  const links = memoryLink(CLIENT, SERVER);
  const server = options.serverless ? undefined : sockDtlsCreate(links[1], SERVER_TAG, SOCK_DTLS_1_2, SOCK_DTLS_SERVER, { credentials: options.server ?? psk(SERVER_TAG), handshakeTimeout: 3000 });
  const client = sockDtlsCreate(links[0], CLIENT_TAG, SOCK_DTLS_1_2, SOCK_DTLS_CLIENT, { credentials: options.client ?? psk(CLIENT_TAG), handshakeTimeout: 3000 });
  if (server) socks.push(server);
  socks.push(client);
  return { server, client, links };
}

async function rejection(promise: Promise<unknown>): Promise<DtlsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DtlsError)) throw new Error(`expected a DtlsError, got ${String(error)}`);
  return error;
}

describe('sockDtlsCreate', () => {
  it('accepts DTLS 1.2 only, and only the two roles, like a tinydtls build of RIOT', () => {
    const [udp] = memoryLink();
    const code = (fn: () => unknown) => {
      try {
        fn();
        return 'ok';
      } catch (e) {
        return (e as DtlsError).code;
      }
    };
    expect(code(() => sockDtlsCreate(udp, 1, SOCK_DTLS_1_0, SOCK_DTLS_CLIENT, { credentials: psk(1) }))).toBe('EINVAL');
    expect(code(() => sockDtlsCreate(udp, 1, SOCK_DTLS_1_3, SOCK_DTLS_CLIENT, { credentials: psk(1) }))).toBe('EINVAL');
    expect(code(() => sockDtlsCreate(udp, 1, SOCK_DTLS_1_2, 7 as never, { credentials: psk(1) }))).toBe('EINVAL');
    expect(code(() => sockDtlsCreate(udp, 1, SOCK_DTLS_1_2, SOCK_DTLS_CLIENT, { credentials: psk(1) }).close())).toBe('ok');
  });
});

describe('SockDtls', () => {
  it('session init then recv: both sides get a handshake result, then data flows both ways', async () => {
    const { server, client } = socksOver();
    const init = await client.sessionInit(SERVER);
    expect(init.started).toBe(true);
    expect(await client.sessionInit(SERVER)).toEqual({ session: init.session, started: false });

    const done = await client.recv(2000);
    expect(done).toEqual({ type: 'handshake', session: init.session });
    expect(init.session.info?.peer).toEqual({ kind: 'psk', identity: 'secretID' });
    const atServer = await server!.recv(2000);
    expect(atServer.type).toBe('handshake');
    expect(atServer.session.ep).toEqual(CLIENT);

    expect(await client.send(init.session, 'HELLO', 0)).toBe(5);
    const echo = (await server!.recv(2000)) as Extract<SockDtlsRecvResult, { type: 'data' }>;
    expect(echo.type).toBe('data');
    expect(text(echo.data)).toBe('HELLO');
    expect(echo.session).toBe(atServer.session);
    await server!.send(echo.session, echo.data);
    const reply = await client.recv(2000);
    expect(reply.type === 'data' && text(reply.data)).toBe('HELLO');
  });

  it('send without a session: ENOTCONN with timeout 0; with a timeout it handshakes, and recv does not report that handshake', async () => {
    const { server, client } = socksOver();
    const session = client.sessionFor(SERVER);
    expect(session.state).toBe('none');
    expect((await rejection(client.send(session, 'x', 0))).code).toBe('ENOTCONN');
    expect(await client.send(session, 'on demand', 2000)).toBe(9);
    expect(session.state).toBe('established');
    expect((await rejection(client.recv(0))).code).toBe('EAGAIN');
    // The server had nobody waiting: it reports the handshake, then the data.
    expect((await server!.recv(2000)).type).toBe('handshake');
    const data = await server!.recv(2000);
    expect(data.type === 'data' && text(data.data)).toBe('on demand');
  });

  it('recv says EAGAIN at once for timeout 0, ETIMEDOUT after a wait, and rejects a record longer than maxlen with ENOBUFS, dropping it', async () => {
    const { server, client } = socksOver();
    expect((await rejection(server!.recv(0))).code).toBe('EAGAIN');
    expect((await rejection(server!.recv(50))).code).toBe('ETIMEDOUT');

    const session = await client.sessionCreate(SERVER, 2000);
    await client.send(session, '0123456789', 0);
    expect((await server!.recv(2000)).type).toBe('handshake');
    const tooSmall = await rejection(server!.recv(2000, 4));
    expect(tooSmall.code).toBe('ENOBUFS');
    expect((await rejection(server!.recv(50))).code).toBe('ETIMEDOUT');
  });

  it('session destroy sends close_notify; the handle then needs a new handshake, which a send with a timeout makes', async () => {
    const { server, client } = socksOver();
    const session = await client.sessionCreate(SERVER, 2000);
    const first = session.dtls!;
    expect((await server!.recv(2000)).type).toBe('handshake');

    client.sessionDestroy(session);
    expect(first.state).toBe('closed');
    expect((await rejection(client.send(session, 'x', 0))).code).toBe('ENOTCONN');
    await client.send(session, 'again', 2000);
    expect(session.dtls).not.toBe(first);
    // The server saw the first session end cleanly and the second one start.
    expect((await server!.recv(2000)).type).toBe('handshake');
    const data = await server!.recv(2000);
    expect(data.type === 'data' && text(data.data)).toBe('again');
  });

  it('rejects recv with the DtlsError of a handshake it started that the server refused', async () => {
    const { client } = socksOver({ server: psk(SERVER_TAG, 'someone_else') });
    await client.sessionInit(SERVER);
    const error = await rejection(client.recv(2000));
    expect(error.code).toBe('EALERT');
    expect(error.alert?.name).toBe('unknown_psk_identity');
  });

  it('send with a timeout gives up with ETIMEDOUT when nobody answers, and abandons the handshake', async () => {
    const { client } = socksOver({ serverless: true });
    const session = client.sessionFor(SERVER);
    const error = await rejection(client.send(session, 'x', 100));
    expect(error.code).toBe('ETIMEDOUT');
    expect(session.state).toBe('closed');
    // That failure went to the send that waited, not to recv.
    expect((await rejection(client.recv(0))).code).toBe('EAGAIN');
  });

  it('a server cannot start a session: send to an unknown peer is ENOTCONN whatever the timeout', async () => {
    const { server, client } = socksOver();
    await client.sessionCreate(SERVER, 2000);
    const hs = await server!.recv(2000);
    server!.sessionDestroy(hs.session);
    expect((await rejection(server!.send(hs.session, 'x', 500))).code).toBe('ENOTCONN');
    expect((await rejection(server!.sessionInit(CLIENT))).code).toBe('EINVAL');
  });

  it('close fails a pending recv with EINVAL, closes the sessions, and leaves the UDP transport open', async () => {
    const { server, client, links } = socksOver();
    const session = await client.sessionCreate(SERVER, 2000);
    const pending = server!.recv(SOCK_NO_TIMEOUT);
    const serverHandshake = await pending;
    expect(serverHandshake.type).toBe('handshake');
    const blocked = server!.recv(SOCK_NO_TIMEOUT);
    server!.close();
    expect((await rejection(blocked)).code).toBe('EINVAL');
    await expect.poll(() => session.state).toBe('closed');
    expect(session.dtls?.error).toBeUndefined();

    // The same UDP transport serves a new DTLS sock.
    const again = sockDtlsCreate(links[1], SERVER_TAG, SOCK_DTLS_1_2, SOCK_DTLS_SERVER, { credentials: psk(SERVER_TAG) });
    socks.push(again);
    await client.send(session, 'to the new sock', 2000);
    expect((await again.recv(2000)).type).toBe('handshake');
    const data = await again.recv(2000);
    expect(data.type === 'data' && text(data.data)).toBe('to the new sock');
  });

  it('validates endpoints and timeouts with EINVAL', async () => {
    const { client } = socksOver({ serverless: true });
    expect((await rejection(client.sessionInit({ address: 'not-an-ip', port: 1 }))).code).toBe('EINVAL');
    expect((await rejection(client.sessionInit({ address: '10.0.0.2', port: 0 }))).code).toBe('EINVAL');
    expect((await rejection(client.recv(-1))).code).toBe('EINVAL');
    expect((await rejection(client.send(client.sessionFor(SERVER), 'x', Number.NaN))).code).toBe('EINVAL');
  });

  it('iterates with for await until closed', async () => {
    const { server, client } = socksOver();
    const session = await client.sessionCreate(SERVER, 2000);
    for (const word of ['a', 'b', 'c']) await client.send(session, word, 0);
    const seen: string[] = [];
    for await (const result of server!) {
      seen.push(result.type === 'data' ? text(result.data) : result.type);
      if (seen.length === 4) server!.close();
    }
    expect(seen).toEqual(['handshake', 'a', 'b', 'c']);
  });

  it('serves ECDSA raw public keys under the tag, as credman holds them (the server also has the PSK)', async () => {
    const key = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/peers', name), 'utf8');
    // The server's credential is ecdsa-p256 and trusts rpk-p256 as its one client key; the client pins the server.
    const serverPub = key('ecdsa-p256-cert.pem');
    const serverStore = psk(SERVER_TAG).ecdsa({ tag: SERVER_TAG, privateKey: key('ecdsa-p256-key.pem'), trustedPeers: [key('rpk-p256-pub.pem')] });
    const clientStore = credentials().ecdsa({ tag: CLIENT_TAG, privateKey: key('rpk-p256-key.pem'), trustedPeers: [publicKeyOf(serverPub)] });
    const links = memoryLink(CLIENT, SERVER);
    const server = sockDtlsCreate(links[1], SERVER_TAG, SOCK_DTLS_1_2, SOCK_DTLS_SERVER, { credentials: serverStore, clientAuth: 'required' });
    const client = sockDtlsCreate(links[0], CLIENT_TAG, SOCK_DTLS_1_2, SOCK_DTLS_CLIENT, { credentials: clientStore });
    socks.push(server, client);
    const session = await client.sessionCreate(SERVER, 2000);
    expect(session.info?.cipherSuite).toMatch(/^TLS_ECDHE_ECDSA_WITH_/);
    expect(session.info?.peer.kind).toBe('raw-public-key');
    const atServer = await server.recv(2000);
    expect(atServer.session.info?.peer.kind).toBe('raw-public-key');
  });
});

/** The SubjectPublicKeyInfo PEM of the certificate's key. */
function publicKeyOf(certificatePem: string): string {
  return new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'pem' }).toString();
}
