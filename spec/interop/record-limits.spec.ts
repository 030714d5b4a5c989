// record_size_limit (RFC 8449) and max_fragment_length (RFC 6066 §4) against real peers:
// gnutls-cli --recordsize (512, its minimum), NSS tstclnt (announces 2^14), OpenSSL 3.0 (knows
// only max_fragment_length: the negative case for record_size_limit), openssl -maxfraglen both roles.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, credentials, UdpTransport, utf8 } from '../../lib/index.js';
import { ExtensionType, decodeRecordSizeLimitExtension, findExtension } from '../../lib/wire/extensions.js';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';
import { startGnutlsClient } from './helpers/gnutls.js';
import { helloExtensions, recordLengths } from './helpers/hello-extensions.js';
import { startOpensslServer } from './helpers/openssl.js';
import { startOpensslCertClient } from './helpers/openssl-cert.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { PEER_KEYS, readPem } from './helpers/peer-keys.js';
import { PeerProcess, stopAllPeers } from './helpers/peer-process.js';
import { pskStore } from './helpers/psk.js';
import { recordSession } from './helpers/session-recorder.js';
import { gnutlsPriority } from './helpers/suites.js';
import { partialFragments, tapTransport } from './helpers/tap-transport.js';
import { certificateChain } from './helpers/throwaway-certs.js';

const openssl = peerBinary('openssl');
const gnutls = peerBinary('gnutls-cli');
const tstclnt = peerBinary('tstclnt');
const FAST = { handshakeTimeout: 5000, retransmit: { initialTimeout: 250, maxTimeout: 1000 } } as const;
/** The AEAD overhead of an AES-GCM record (explicit nonce and tag): protected records carry it on top of the plaintext. */
const GCM_OVERHEAD = 8 + 16;
const x509Store = () => credentials().x509({ tag: 0, certificate: readPem(PEER_KEYS.certificate), privateKey: readPem(PEER_KEYS.privateKey) });
const recordSizeLimitOf = (extensions: ReturnType<typeof helloExtensions>) => {
  const extension = extensions && findExtension(extensions, ExtensionType.record_size_limit);
  const decoded = extension && decodeRecordSizeLimitExtension(extension.data);
  return decoded?.ok ? decoded.value : undefined;
};

let echo: EchoServer | undefined;
afterEach(async () => {
  echo?.server.close();
  echo = undefined;
  await stopAllPeers();
});

describe.skipIf(gnutls.skip)('record_size_limit with gnutls-cli --recordsize=512', () => {
  let bin: string;
  beforeEach(() => {
    bin = assertPeerPresent(gnutls);
  });

  it("honours gnutls-cli's 512: a reply within it is echoed, one over it is EMSGSIZE before anything is sent", async () => {
    echo = await startEchoServer({ credentials: pskStore(), respond: () => undefined });
    const client = startGnutlsClient({ binary: bin, port: echo.port, priority: gnutlsPriority('PSK', 'AES-128-CCM-8'), extraArgs: ['--recordsize=512'] });
    const line = `${'r'.repeat(400)}\n`;
    client.write(line);
    const server = await echo.firstSession();
    expect(await server.next('handshake-complete')).toMatchObject({ peerRecordSizeLimit: 512 });
    expect(await server.received(line)).toBe(line);
    expect(() => server.session.send(new Uint8Array(513))).toThrow(expect.objectContaining({ code: 'EMSGSIZE' }));
    server.session.send(utf8(`${'e'.repeat(510)}\n`));
    await client.waitForStdout(`${'e'.repeat(510)}`);
    client.endInput();
    expect((await client.waitForExit()).code).toBe(0);
  });
});

describe.skipIf(tstclnt.skip)('record_size_limit with NSS tstclnt -P client', () => {
  let bin: string;
  beforeEach(() => {
    bin = assertPeerPresent(tstclnt);
  });

  it('reads the 2^14 tstclnt announces (no limit), answers with ours, and echoes a line', async () => {
    const transport = tapTransport(await UdpTransport.bind({ host: '127.0.0.1', port: 0 }));
    echo = await startEchoServer({ credentials: x509Store(), transport, recordSizeLimit: 1024 });
    const client = PeerProcess.start(bin, ['-P', 'client', '-V', 'tls1.2:tls1.2', '-D', '-o', '-h', '127.0.0.1', '-p', String(echo.port)], 'tstclnt');
    client.write('hello nss\n');
    const server = await echo.firstSession();
    const complete = await server.next('handshake-complete');
    expect(complete).not.toHaveProperty('peerRecordSizeLimit');
    expect(await server.received('hello nss\n')).toBe('hello nss\n');
    await client.waitForStdout('hello nss');
    expect(recordSizeLimitOf(helloExtensions(transport.log, 'received', 1))).toBe(16384);
    expect(recordSizeLimitOf(helloExtensions(transport.log, 'sent', 2))).toBe(1024);
  });
});

describe.skipIf(openssl.skip)('record limits with OpenSSL 3.0', () => {
  let bin: string;
  beforeEach(() => {
    bin = assertPeerPresent(openssl);
  });

  it('falls back to no limit when s_server ignores record_size_limit: its ServerHello has none, and 2^14 goes out', async () => {
    const { port } = await startOpensslServer({ binary: bin, cipher: 'PSK-AES128-GCM-SHA256' });
    const transport = tapTransport(await UdpTransport.bind({ host: '127.0.0.1', port: 0 }));
    try {
      const session = await connect({ host: '127.0.0.1', port, transport, credentials: pskStore(), cipherSuites: ['TLS_PSK_WITH_AES_128_GCM_SHA256'], recordSizeLimit: 512, ...FAST });
      const rec = recordSession(session);
      expect(recordSizeLimitOf(helloExtensions(transport.log, 'sent', 1))).toBe(512);
      expect(helloExtensions(transport.log, 'received', 2)?.map((e) => e.type)).not.toContain(ExtensionType.record_size_limit);
      expect(session.info).not.toHaveProperty('peerRecordSizeLimit');
      const line = `${'o'.repeat(3000)}\n`;
      session.send(utf8(line));
      expect(await rec.received(line)).toBe(line);
      await session.close();
    } finally {
      await transport.close();
    }
  });

  it('fragments its flights to the 512 that s_client -maxfraglen 512 asks for (handshake records too) and echoes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rx-dtls-maxfraglen-'));
    try {
      // Leaf and intermediate: a Certificate message of some 900 bytes, whole at mtu 1200.
      const pki = certificateChain(bin, dir);
      const transport = tapTransport(await UdpTransport.bind({ host: '127.0.0.1', port: 0 }));
      echo = await startEchoServer({ credentials: credentials().x509({ tag: 0, certificate: pki.leafChain, privateKey: readPem(pki.leaf.privateKey) }), transport });
      const client = startOpensslCertClient({ binary: bin, port: echo.port, cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256', caFile: pki.root.certificate, extraArgs: ['-maxfraglen', '512'] });
      client.write('short fragments\n');
      const server = await echo.firstSession();
      expect(await server.next('handshake-complete')).toMatchObject({ peerRecordSizeLimit: 512 });
      expect(await server.received('short fragments\n')).toBe('short fragments\n');
      await client.waitForStdout('short fragments');
      expect(findExtension(helloExtensions(transport.log, 'sent', 2) ?? [], ExtensionType.max_fragment_length)?.data).toEqual(Uint8Array.of(1));
      expect(partialFragments(transport.log, 'sent').some((f) => f.msgType === 11)).toBe(true);
      for (const r of recordLengths(transport.log, 'sent')) expect(r.length).toBeLessThanOrEqual(r.epoch === 0 ? 512 : 512 + GCM_OVERHEAD);
      expect(() => server.session.send(new Uint8Array(513))).toThrow(expect.objectContaining({ code: 'EMSGSIZE' }));
      client.endInput();
      expect((await client.waitForExit()).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('asks s_server for max_fragment_length 512 and gets it: s_server echoes it and keeps its records within it', async () => {
    const { port } = await startOpensslServer({ binary: bin, cipher: 'PSK-AES128-GCM-SHA256' });
    const transport = tapTransport(await UdpTransport.bind({ host: '127.0.0.1', port: 0 }));
    try {
      const session = await connect({ host: '127.0.0.1', port, transport, credentials: pskStore(), cipherSuites: ['TLS_PSK_WITH_AES_128_GCM_SHA256'], maxFragmentLength: 512, ...FAST });
      const rec = recordSession(session);
      expect(session.info?.peerRecordSizeLimit).toBe(512);
      expect(() => session.send(new Uint8Array(513))).toThrow(expect.objectContaining({ code: 'EMSGSIZE' }));
      // s_server echoes each record as it arrives. (OpenSSL 3.0 does not cut a DTLS write to the
      // negotiated length: given more than 512 bytes at once it sends internal_error instead.)
      const line = `${'m'.repeat(499)}\n`;
      session.send(utf8(line));
      expect(await rec.received(line)).toBe(line);
      for (const r of recordLengths(transport.log, 'received')) expect(r.length).toBeLessThanOrEqual(r.epoch === 0 ? 512 : 512 + GCM_OVERHEAD);
      await session.close();
    } finally {
      await transport.close();
    }
  });
});
