import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, credentials, DtlsError, utf8 } from '../../lib/index.js';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { stopAllPeers } from './helpers/peer-process.js';
import { recordSession } from './helpers/session-recorder.js';
import { startOpensslCertClient, startOpensslCertServer } from './helpers/openssl-cert.js';
import { PEER_KEYS } from './helpers/peer-keys.js';
import { certificateChain, type GeneratedChain } from './helpers/throwaway-certs.js';

const openssl = peerBinary('openssl');

const FAST = { handshakeTimeout: 4000, retransmit: { initialTimeout: 250, maxTimeout: 1000 } } as const;
const CIPHER = { iana: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', openssl: 'ECDHE-ECDSA-AES128-GCM-SHA256' };
/** Either alert fits a chain whose "CA" is not one (RFC 5246 §7.2.2); OpenSSL itself reports X509_V_ERR_INVALID_CA. */
const INVALID_ISSUER_ALERTS = ['bad_certificate', 'unknown_ca'];

/**
 * Chains of more than one certificate, between rx-dtls and openssl, both
 * ways: a root we trust, an intermediate the peer sends, and a forged chain
 * whose intermediate is an end-entity certificate (basicConstraints CA:FALSE).
 */
describe.skipIf(openssl.skip)('X.509 chains with intermediates between rx-dtls and openssl', () => {
  let bin: string;
  let dir: string;
  let pki: GeneratedChain;
  let echo: EchoServer | undefined;
  const read = (path: string) => readFileSync(path, 'utf8');
  beforeAll(() => {
    bin = assertPeerPresent(openssl);
    dir = mkdtempSync(join(tmpdir(), 'rx-dtls-chains-'));
    pki = certificateChain(bin, dir);
  });
  afterEach(async () => {
    echo?.server.close();
    echo = undefined;
    await stopAllPeers();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const trustRoot = () => credentials().x509({ tag: 0, ca: read(pki.root.certificate) });

  describe('rx-dtls client, s_server sending leaf + intermediate', () => {
    it('verifies the chain up to the root it trusts and reports both certificates', async () => {
      const { peer, port } = await startOpensslCertServer({
        binary: bin,
        cipher: CIPHER.openssl,
        certificate: pki.leaf.certificate,
        privateKey: pki.leaf.privateKey,
        certificateChain: pki.intermediate.certificate,
        naccept: 1,
      });
      const session = await connect({ host: '127.0.0.1', port, credentials: trustRoot(), cipherSuites: [CIPHER.iana], ...FAST });
      const rec = recordSession(session);
      expect(session.info?.peer).toMatchObject({ kind: 'x509', subject: 'CN=localhost' });
      expect((session.info?.peer as { chain: readonly Uint8Array[] }).chain).toHaveLength(2);
      session.send(utf8('through the chain\n'));
      expect(await rec.received('through the chain')).toBe('through the chain\n');
      peer.endInput();
      expect((await rec.closed()).error).toBeUndefined();
    });

    // RFC 5280 §6.1.4 (k): every issuer in the path must carry basicConstraints cA TRUE.
    // Otherwise anyone holding any certificate from a trusted CA can mint one for any name.
    it('refuses a chain whose intermediate is an end-entity certificate (CA:FALSE)', async () => {
      const { port } = await startOpensslCertServer({
        binary: bin,
        cipher: CIPHER.openssl,
        certificate: pki.forged.certificate,
        privateKey: pki.forged.privateKey,
        certificateChain: pki.endEntity.certificate,
        naccept: 1,
        echo: false,
      });
      const result = await connect({ host: '127.0.0.1', port, credentials: trustRoot(), cipherSuites: [CIPHER.iana], ...FAST }).then(
        (session) => {
          session.close();
          return session.info;
        },
        (e: unknown) => e,
      );
      expect(result, 'the client accepted the forged chain').toBeInstanceOf(DtlsError);
      expect(result).toMatchObject({ code: 'EHANDSHAKE' });
      expect(INVALID_ISSUER_ALERTS).toContain((result as DtlsError).alert?.name);
    });
  });

  describe('rx-dtls server', () => {
    it('sends its leaf + intermediate (a PEM chain), which s_client verifies against the root alone', async () => {
      const store = credentials().x509({ tag: 0, certificate: pki.leafChain, privateKey: read(pki.leaf.privateKey) });
      echo = await startEchoServer({ credentials: store });
      const client = startOpensslCertClient({ binary: bin, port: echo.port, cipher: CIPHER.openssl, caFile: pki.root.certificate });
      client.write('chain\n');
      expect(await client.waitForStdout('chain\n')).toBe('chain\n');
      expect(client.stderr).toMatch(/depth=2 CN = rx-dtls test root\s+verify return:1\s+depth=1 CN = rx-dtls test intermediate\s+verify return:1\s+depth=0 CN = localhost\s+verify return:1/);
      client.endInput();
      expect((await client.waitForExit()).code).toBe(0);
    });

    it('with clientAuth required, accepts s_client\'s leaf + intermediate against the root', async () => {
      const store = credentials().x509({ tag: 0, certificate: pki.leafChain, privateKey: read(pki.leaf.privateKey), ca: read(pki.root.certificate) });
      echo = await startEchoServer({ credentials: store, clientAuth: 'required' });
      const client = startOpensslCertClient({
        binary: bin,
        port: echo.port,
        cipher: CIPHER.openssl,
        caFile: pki.root.certificate,
        certificate: pki.leaf.certificate,
        privateKey: pki.leaf.privateKey,
        certificateChain: pki.intermediate.certificate,
      });
      client.write('mutual chain\n');
      const session = await echo.firstSession();
      const complete = await session.next('handshake-complete');
      expect(complete.peer).toMatchObject({ kind: 'x509', subject: 'CN=localhost' });
      expect((complete.peer as { chain: readonly Uint8Array[] }).chain).toHaveLength(2);
      expect(await client.waitForStdout('mutual chain\n')).toBe('mutual chain\n');
      client.endInput();
      expect((await client.waitForExit()).code).toBe(0);
    });

    it('with clientAuth required, refuses a client chain whose intermediate is an end-entity certificate (CA:FALSE)', async () => {
      const store = credentials().x509({ tag: 0, certificate: pki.leafChain, privateKey: read(pki.leaf.privateKey), ca: read(pki.root.certificate) });
      echo = await startEchoServer({ credentials: store, clientAuth: 'required' });
      const client = startOpensslCertClient({
        binary: bin,
        port: echo.port,
        cipher: CIPHER.openssl,
        caFile: pki.root.certificate,
        certificate: pki.forged.certificate,
        privateKey: pki.forged.privateKey,
        certificateChain: pki.endEntity.certificate,
      });
      client.write('forged\n');
      const session = await echo.firstSession();
      await Promise.any([session.next('handshake-complete', 3000), session.closed(3000)]).catch(() => undefined);
      expect(session.events.some((e) => e.type === 'handshake-complete'), 'the server accepted the forged chain').toBe(false);
      const closed = await session.closed();
      expect(closed.error).toBeInstanceOf(DtlsError);
      expect(closed.error).toMatchObject({ code: 'EHANDSHAKE' });
      expect(INVALID_ISSUER_ALERTS).toContain(closed.error?.alert?.name);
      expect(session.data).toEqual([]);
    });
  });

  it('rx-dtls client sends its leaf + intermediate, which s_server -Verify 1 checks against the root', async () => {
    const { peer, port } = await startOpensslCertServer({ binary: bin, cipher: CIPHER.openssl, requireClientCertificate: pki.root.certificate, naccept: 1 });
    // s_server itself presents the committed CN=localhost certificate.
    const store = credentials().x509({ tag: 0, certificate: pki.leafChain, privateKey: read(pki.leaf.privateKey), ca: read(PEER_KEYS.certificate) });
    const session = await connect({ host: '127.0.0.1', port, credentials: store, cipherSuites: [CIPHER.iana], ...FAST });
    const rec = recordSession(session);
    session.send(utf8('client chain\n'));
    expect(await rec.received('client chain')).toBe('client chain\n');
    expect(peer.stderr).toMatch(/depth=2 CN = rx-dtls test root\s+verify return:1\s+depth=1 CN = rx-dtls test intermediate\s+verify return:1\s+depth=0 CN = localhost\s+verify return:1/);
    peer.endInput();
    expect((await rec.closed()).error).toBeUndefined();
  });
});
