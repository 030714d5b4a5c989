import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { PSK_IDENTITY, PSK_KEY_HEX } from './helpers/psk.js';
import { gnutlsPriority } from './helpers/suites.js';

const gnutlsServ = peerBinary('gnutls-serv');
const unshare = peerBinary('unshare');

/**
 * gnutls-serv binds every address and cannot be told otherwise, so it runs in a network
 * namespace of its own (`unshare -n`, as root), whose only interface is its own loopback,
 * with our client beside it: nothing outside the namespace can reach it.
 */
describe.skipIf(gnutlsServ.skip || unshare.skip)('heartbeats (RFC 6520) between an rx-dtls client and gnutls-serv --heartbeat', () => {
  let dir: string;
  beforeEach(() => {
    assertPeerPresent(gnutlsServ);
    assertPeerPresent(unshare);
    dir = mkdtempSync(join(tmpdir(), 'rx-dtls-heartbeat-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("GnuTLS answers our keepalive's HeartbeatRequests, and we answer its ping", () => {
    const psk = join(dir, 'psk.txt');
    const log = join(dir, 'gnutls-serv.log');
    writeFileSync(psk, `${PSK_IDENTITY}:${PSK_KEY_HEX}\n`);
    const child = join(import.meta.dirname, 'helpers', 'heartbeat-child.ts');
    const priority = gnutlsPriority('PSK', 'AES-128-CCM-8');
    const script = [
      'ip link set lo up',
      `gnutls-serv --udp --echo --heartbeat -p 5684 --pskpasswd '${psk}' --priority '${priority}' > '${log}' 2>&1 & server=$!`,
      'sleep 1',
      `'${process.execPath}' --import tsx '${child}' 5684`,
      'kill $server 2>/dev/null; wait',
    ].join('\n');
    const run = spawnSync('unshare', ['-n', 'sh', '-c', script], { encoding: 'utf8', timeout: 60_000 });
    const serverLog = readFileSync(log, 'utf8');
    const seen = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}');
    // GnuTLS said peer_allowed_to_send, so the keepalive probed it: five seconds of silence
    // with a 2 s timeout, and the session lived on its HeartbeatResponses alone.
    expect(seen, `${run.stderr}\n${serverLog}`).toMatchObject({ heartbeat: { peerAnswers: true }, aliveAfterSilence: true, state: 'established', dropped: 0 });
    expect(seen.probes).toBeGreaterThanOrEqual(4);
    // On "**HEARTBEAT**" gnutls-serv pings us and waits for the answer; without one it prints "ping: ..." and exits.
    expect(serverLog).toContain('Processing 14 bytes command: **HEARTBEAT**');
    expect(serverLog).not.toMatch(/ping: |No heartbeat in this session/);
    expect(seen.echoed).toBe('after\n');
  });
});
