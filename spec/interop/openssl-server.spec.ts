import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connect, UdpTransport, utf8 } from '../../lib/index.js';
import { startOpensslServer } from './helpers/openssl.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { stopAllPeers } from './helpers/peer-process.js';
import { pskStore } from './helpers/psk.js';
import { recordSession } from './helpers/session-recorder.js';
import { OPENSSL_SUITES } from './helpers/suites.js';

const openssl = peerBinary('openssl');

/** Client options for a loopback handshake that either finishes quickly or fails quickly. */
const FAST = { handshakeTimeout: 5000, retransmit: { initialTimeout: 250, maxTimeout: 1000 } } as const;

describe.skipIf(openssl.skip)('rx-dtls client against openssl s_server -dtls1_2 -listen', () => {
  let bin: string;
  let dir: string;
  // beforeEach, not beforeAll: under DTLS_INTEROP=require each test then counts as failed, not skipped.
  beforeEach(() => {
    bin = assertPeerPresent(openssl);
  });
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rx-dtls-ossl-server-'));
  });
  afterEach(stopAllPeers);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe.each(OPENSSL_SUITES)('$openssl', ({ iana, openssl: cipher }) => {
    it(`negotiates ${iana}, gets its message echoed, and closes cleanly when s_server sends close_notify`, async () => {
      const { peer, port } = await startOpensslServer({ binary: bin, cipher, naccept: 1 });
      const session = await connect({ host: '127.0.0.1', port, credentials: pskStore(), cipherSuites: [iana], ...FAST });
      const rec = recordSession(session);

      expect(session.info).toEqual({ cipherSuite: iana, peer: { kind: 'psk', identity: 'Client_identity' }, extendedMasterSecret: true, resumed: false, socketBuffers: expect.any(Object) });
      const message = `ping ${cipher} ${Math.random()}\n`;
      session.send(utf8(message));
      expect(await rec.received(message)).toBe(message);
      // s_server received exactly the bytes we sent (its -quiet stdout is the application data).
      expect(peer.stdout).toBe(message);

      // Ending s_server's input makes it send close_notify; -naccept 1 then makes it exit.
      peer.endInput();
      const closed = await rec.closed();
      expect(closed.error).toBeUndefined();
      expect(rec.events).toContainEqual(expect.objectContaining({ type: 'alert', direction: 'received', name: 'close_notify' }));
      expect(rec.events).toContainEqual(expect.objectContaining({ type: 'alert', direction: 'sent', name: 'close_notify' }));
      expect((await peer.waitForExit()).code).toBe(0);
    });
  });

  it('close() of a connect()ed session delivers close_notify to s_server (it traces the alert and exits)', async () => {
    const trace = join(dir, 'close-own-socket.trace');
    const { peer, port } = await startOpensslServer({ binary: bin, cipher: 'PSK-AES128-CCM8', naccept: 1, traceFile: trace });
    const session = await connect({ host: '127.0.0.1', port, credentials: pskStore(), cipherSuites: ['TLS_PSK_WITH_AES_128_CCM_8'], ...FAST });
    session.close();
    // s_server -naccept 1 exits only once the connection ends, i.e. when our close_notify arrived.
    expect((await peer.waitForExit(3000)).code).toBe(0);
    expect(readFileSync(trace, 'utf8')).toMatch(/Content Type = Alert \(21\)[\s\S]*Level=warning\(1\), description=close notify\(0\)/);
  });

  it('close() of a session on a caller-owned UDP transport delivers close_notify to s_server', async () => {
    const trace = join(dir, 'close-caller-socket.trace');
    const { peer, port } = await startOpensslServer({ binary: bin, cipher: 'PSK-AES128-CCM8', naccept: 1, traceFile: trace });
    const transport = await UdpTransport.bind({ host: '127.0.0.1', port: 0 });
    try {
      const session = await connect({ host: '127.0.0.1', port, transport, credentials: pskStore(), cipherSuites: ['TLS_PSK_WITH_AES_128_CCM_8'], ...FAST });
      session.close();
      expect((await peer.waitForExit(3000)).code).toBe(0);
      expect(readFileSync(trace, 'utf8')).toMatch(/Level=warning\(1\), description=close notify\(0\)/);
    } finally {
      transport.close();
    }
  });
});
