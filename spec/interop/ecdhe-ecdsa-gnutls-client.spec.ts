import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { credentials, DtlsError, type ServerOptions } from '../../lib/index.js';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { stopAllPeers } from './helpers/peer-process.js';
import { ECDSA_SUITES } from './helpers/ecdsa-suites.js';
import { echoPattern, ecdsaPriority, gnutlsDescription, printedPublicKeys, startGnutlsCertClient, type GnutlsCertClientOptions } from './helpers/gnutls-cert.js';
import { GROUPS, PEER_KEYS, readPem } from './helpers/peer-keys.js';

const gnutls = peerBinary('gnutls-cli');

/** DER SubjectPublicKeyInfo of a PEM public or private key. */
const spkiOf = (pem: string) => new Uint8Array(createPublicKey(pem).export({ type: 'spki', format: 'der' }));
const fingerprint = (spki: Uint8Array) => createHash('sha256').update(spki).digest('hex');
const pemOf = (spki: Uint8Array) => createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString().trim();

/** The description gnutls-cli gives the group in "(ECDHE-SECP256R1)". */
const GNUTLS_GROUP_NAME: Record<string, string> = { 'GROUP-SECP256R1': 'SECP256R1', 'GROUP-X25519': 'X25519' };

describe.skipIf(gnutls.skip)('gnutls-cli --udp against an rx-dtls server with ECDSA P-256 credentials', () => {
  let bin: string;
  let dir: string;
  let echo: EchoServer | undefined;
  beforeAll(() => {
    bin = assertPeerPresent(gnutls);
    dir = mkdtempSync(join(tmpdir(), 'rx-dtls-ecdsa-gnutls-'));
  });
  afterEach(async () => {
    echo?.server.close();
    echo = undefined;
    await stopAllPeers();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Echoes a line through gnutls-cli, ends its input, and checks both sides closed cleanly. */
  async function echoAndClose(name: string, server: Omit<ServerOptions, 'transport'>, client: Omit<GnutlsCertClientOptions, 'binary' | 'port'>) {
    echo = await startEchoServer(server);
    const peer = startGnutlsCertClient({ binary: bin, port: echo.port, ...client });
    const message = `ping ${name} ${Math.random()}\n`;
    peer.write(message);
    const session = await echo.firstSession();
    const complete = await session.next('handshake-complete');
    await peer.waitForStdout(echoPattern(message));
    expect(await session.received(message)).toBe(message);
    peer.endInput();
    expect((await peer.waitForExit()).code, peer.describe()).toBe(0);
    expect(peer.stdout).toContain('- Peer has closed the GnuTLS connection');
    expect((await session.closed()).error).toBeUndefined();
    return { complete, stdout: peer.stdout };
  }

  describe('X.509', () => {
    const x509Server = () =>
      credentials().x509({ tag: 0, certificate: readPem(PEER_KEYS.certificate), privateKey: readPem(PEER_KEYS.privateKey), ca: readPem(PEER_KEYS.certificate) });

    describe.each(ECDSA_SUITES)('$gnutls', ({ iana, gnutls: cipher }) => {
      it.each(GROUPS)(`completes ${iana} over ECDHE $label; gnutls-cli trusts our chain for 127.0.0.1`, async (group) => {
        const { complete, stdout } = await echoAndClose(
          `${cipher}-${group.label}`,
          { credentials: x509Server() },
          { priority: ecdsaPriority({ cipher, group: group.gnutls }), caFile: PEER_KEYS.certificate },
        );
        expect(complete).toMatchObject({ cipherSuite: iana, peer: { kind: 'anonymous' }, extendedMasterSecret: true });
        expect(stdout).toContain('- Status: The certificate is trusted.');
        expect(gnutlsDescription(stdout)).toEqual(['DTLS1.2-X.509', `ECDHE-${GNUTLS_GROUP_NAME[group.gnutls]}`, 'ECDSA-SHA256', cipher]);
      });
    });

    it('with clientAuth required, authenticates the client certificate gnutls-cli sends', async () => {
      const { complete, stdout } = await echoAndClose(
        'x509-mutual',
        { credentials: x509Server(), clientAuth: 'required' },
        {
          priority: ecdsaPriority({ cipher: 'AES-128-GCM' }),
          caFile: PEER_KEYS.certificate,
          x509: { certificate: PEER_KEYS.certificate, privateKey: PEER_KEYS.privateKey },
        },
      );
      expect(complete).toMatchObject({ cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', peer: { kind: 'x509', subject: 'CN=localhost' } });
      expect(stdout).toContain('- Successfully sent 1 certificate(s) to server.');
    });
  });

  describe('raw public keys (RFC 7250)', () => {
    /** Our server's raw key is the certificate's key pair; the client's is the committed RPK pair. */
    const serverKey = () => readPem(PEER_KEYS.privateKey);
    const clientSpki = () => spkiOf(readPem(PEER_KEYS.rawPublicKey));
    const rawKey = { publicKey: PEER_KEYS.rawPublicKey, privateKey: PEER_KEYS.rawPrivateKey };

    it.each(GROUPS)('mutual: our server trusts the client key, gnutls-cli receives our key, over ECDHE $label with AES-128-CCM-8', async (group) => {
      const store = credentials().ecdsa({ tag: 0, privateKey: serverKey(), trustedPeers: [readPem(PEER_KEYS.rawPublicKey)] });
      const { complete, stdout } = await echoAndClose(
        `rpk-${group.label}`,
        { credentials: store, clientAuth: 'required' },
        { priority: ecdsaPriority({ cipher: 'AES-128-CCM-8', group: group.gnutls, rawPublicKeys: true }), rawKey },
      );
      expect(complete).toMatchObject({
        cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8',
        peer: { kind: 'raw-public-key', fingerprint: fingerprint(clientSpki()), spki: clientSpki() },
      });
      // gnutls-cli cannot pin a raw key itself (--tofu fails on it in 3.7), so the spec pins it:
      // the one key gnutls-cli received is our server's.
      expect(printedPublicKeys(stdout)).toEqual([pemOf(spkiOf(serverKey()))]);
      expect(gnutlsDescription(stdout)).toEqual(['DTLS1.2-Raw Public Key', `ECDHE-${GNUTLS_GROUP_NAME[group.gnutls]}`, 'ECDSA-SHA256', 'AES-128-CCM-8']);
      expect(stdout).toContain('- Successfully sent 1 certificate(s) to server.');
    });

    it('mutual with an async trust callback: it is asked about the client SPKI and its yes admits the client', async () => {
      const asked: Uint8Array[] = [];
      const wanted = fingerprint(clientSpki());
      const store = credentials().ecdsa({
        tag: 0,
        privateKey: serverKey(),
        trust: async (spki) => {
          asked.push(spki.slice());
          await new Promise((r) => setTimeout(r, 20));
          return fingerprint(spki) === wanted;
        },
      });
      const { complete } = await echoAndClose(
        'rpk-callback',
        { credentials: store, clientAuth: 'required' },
        { priority: ecdsaPriority({ cipher: 'CHACHA20-POLY1305', rawPublicKeys: true }), rawKey },
      );
      expect(asked).toEqual([clientSpki()]);
      expect(complete).toMatchObject({ cipherSuite: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', peer: { kind: 'raw-public-key', fingerprint: wanted } });
    });

    it('a server holding both an X.509 certificate and a raw key sends the raw key to a client that only takes raw keys (RFC 7250 §4.2)', async () => {
      const store = credentials()
        .x509({ tag: 0, certificate: readPem(PEER_KEYS.certificate), privateKey: readPem(PEER_KEYS.privateKey) })
        .ecdsa({ tag: 0, privateKey: readPem(PEER_KEYS.rawPrivateKey) });
      const { complete, stdout } = await echoAndClose(
        'rpk-and-x509',
        { credentials: store },
        { priority: ecdsaPriority({ cipher: 'AES-128-GCM', rawPublicKeys: true }), rawKey },
      );
      expect(complete).toMatchObject({ cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', peer: { kind: 'anonymous' } });
      // The raw key's public half, not the certificate's key.
      expect(printedPublicKeys(stdout)).toEqual([pemOf(spkiOf(readPem(PEER_KEYS.rawPrivateKey)))]);
      expect(printedPublicKeys(stdout)).not.toContain(pemOf(spkiOf(readPem(PEER_KEYS.privateKey))));
      expect(stdout).toContain('- Certificate type: Raw Public Key');
    });

    it('refuses a raw public key it does not trust with bad_certificate; gnutls-cli reports the alert and fails', async () => {
      const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const strangerKey = { publicKey: join(dir, 'stranger-pub.pem'), privateKey: join(dir, 'stranger-key.pem') };
      writeFileSync(strangerKey.publicKey, stranger.publicKey.export({ type: 'spki', format: 'pem' }));
      writeFileSync(strangerKey.privateKey, stranger.privateKey.export({ type: 'pkcs8', format: 'pem' }));
      echo = await startEchoServer({
        credentials: credentials().ecdsa({ tag: 0, privateKey: serverKey(), trustedPeers: [readPem(PEER_KEYS.rawPublicKey)] }),
        clientAuth: 'required',
      });
      const peer = startGnutlsCertClient({
        binary: bin,
        port: echo.port,
        priority: ecdsaPriority({ cipher: 'AES-128-CCM-8', rawPublicKeys: true }),
        rawKey: strangerKey,
      });
      peer.write('never delivered\n');
      const session = await echo.firstSession();
      const closed = await session.closed();
      expect(closed.error).toBeInstanceOf(DtlsError);
      expect(closed.error).toMatchObject({ code: 'EHANDSHAKE', alert: { level: 'fatal', name: 'bad_certificate' } });
      expect(session.data).toEqual([]);
      expect((await peer.waitForExit()).code).not.toBe(0);
      expect(peer.stdout + peer.stderr).toContain('Received alert [42]');
    });
  });
});
