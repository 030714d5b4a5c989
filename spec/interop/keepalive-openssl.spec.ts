import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, utf8 } from '../../lib/index.js';
import { startOpensslServer } from './helpers/openssl.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { stopAllPeers } from './helpers/peer-process.js';
import { pskStore } from './helpers/psk.js';
import { recordSession } from './helpers/session-recorder.js';

const openssl = peerBinary('openssl');

describe.skipIf(openssl.skip)('a keepalive against openssl s_server, which has no heartbeats (OpenSSL 3.0 removed them)', () => {
  let bin: string;
  beforeEach(() => {
    bin = assertPeerPresent(openssl);
  });
  afterEach(stopAllPeers);

  it('the extension is not negotiated, nothing is probed, its records keep the session, and its silence ends it with ETIMEDOUT', async () => {
    const { peer, port } = await startOpensslServer({ binary: bin, cipher: 'PSK-AES128-CCM8', naccept: 1 });
    const keepalive = { interval: 200, timeout: 1500 };
    const session = await connect({ host: '127.0.0.1', port, credentials: pskStore(), cipherSuites: ['TLS_PSK_WITH_AES_128_CCM_8'], keepalive });
    const rec = recordSession(session);
    expect(session.info?.heartbeat).toBeUndefined();
    // What s_server types reaches us: records from it are all that can show it is there.
    peer.write('still here\n');
    expect(await rec.received('still here\n')).toBe('still here\n');
    const closed = await rec.closed();
    // Real timers: on a loaded machine the deadline's check may run late, so at least 1.5 s.
    expect(closed.error).toMatchObject({ code: 'ETIMEDOUT', message: expect.stringMatching(/for (1\.5|1\.[5-9]\d*|[2-9](\.\d+)?) s \(heartbeats not negotiated/) });
    expect(rec.events.filter((e) => e.type === 'keepalive-probe')).toEqual([]);
    expect(() => session.send(utf8('into the void'))).toThrow(/closed/);
  });
});
