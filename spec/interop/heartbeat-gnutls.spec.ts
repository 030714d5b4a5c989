import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { runBesideGnutlsServ } from './helpers/in-namespace.js';
import { gnutlsPriority } from './helpers/suites.js';

const gnutlsServ = peerBinary('gnutls-serv');
const unshare = peerBinary('unshare');

/** gnutls-serv and our client run in a network namespace of their own (helpers/in-namespace.ts). */
describe.skipIf(gnutlsServ.skip || unshare.skip)('heartbeats (RFC 6520) between an rx-dtls client and gnutls-serv --heartbeat', () => {
  let dir: string;
  beforeEach(() => {
    assertPeerPresent(gnutlsServ);
    assertPeerPresent(unshare);
    dir = mkdtempSync(join(tmpdir(), 'rx-dtls-heartbeat-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("GnuTLS answers our keepalive's HeartbeatRequests, and we answer its ping", () => {
    const priority = gnutlsPriority('PSK', 'AES-128-CCM-8');
    const { seen, serverLog, stderr } = runBesideGnutlsServ(dir, ['--echo', '--heartbeat', '--priority', priority], 'heartbeat-child.ts');
    // GnuTLS said peer_allowed_to_send, so the keepalive probed it: five seconds of silence
    // with a 2 s timeout, and the session lived on its HeartbeatResponses alone.
    expect(seen, `${stderr}\n${serverLog}`).toMatchObject({ heartbeat: { peerAnswers: true }, aliveAfterSilence: true, state: 'established', dropped: 0 });
    expect(seen.probes).toBeGreaterThanOrEqual(4);
    // On "**HEARTBEAT**" gnutls-serv pings us and waits for the answer; without one it prints "ping: ..." and exits.
    expect(serverLog).toContain('Processing 14 bytes command: **HEARTBEAT**');
    expect(serverLog).not.toMatch(/ping: |No heartbeat in this session/);
    expect(seen.echoed).toBe('after\n');
  });
});
