import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { assertPeerPresent, interopMode, peerBinary, shouldSkip, which } from './helpers/peer-binary.js';
import { PeerProcess, stopAllPeers } from './helpers/peer-process.js';
import { freeUdpPort, waitUntilBound } from './helpers/udp-port.js';

const MISSING = 'rx-dtls-no-such-peer-binary';

describe('interop harness: skip or require', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads DTLS_INTEROP=require as require and anything else as optional', () => {
    expect(interopMode({ DTLS_INTEROP: 'require' })).toBe('require');
    expect(interopMode({ DTLS_INTEROP: '1' })).toBe('optional');
    expect(interopMode({})).toBe('optional');
  });

  it('skips only a missing peer, and never when peers are required', () => {
    expect(shouldSkip(false, 'optional')).toBe(true);
    expect(shouldSkip(true, 'optional')).toBe(false);
    expect(shouldSkip(false, 'require')).toBe(false);
    expect(shouldSkip(true, 'require')).toBe(false);
  });

  it('finds a binary on PATH and not a missing one', () => {
    expect(which('sh')).toMatch(/\/sh$/);
    expect(which(MISSING)).toBeUndefined();
  });

  it('says which binary is missing when it skips', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(peerBinary(MISSING, 'optional')).toEqual({ name: MISSING, path: undefined, skip: true });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`"${MISSING}"`));
  });

  it('does not skip a missing required peer: assertPeerPresent fails each test instead', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const peer = peerBinary(MISSING, 'require');
    expect(peer.skip).toBe(false);
    expect(warn).not.toHaveBeenCalled();
    expect(() => assertPeerPresent(peer)).toThrow(/required \(DTLS_INTEROP=require\) but was not found/);
  });
});

describe('interop harness: processes and ports', () => {
  afterEach(stopAllPeers);

  it('stopAllPeers ends every peer still running', async () => {
    const a = PeerProcess.start('sleep', ['30']);
    const b = PeerProcess.start('sleep', ['30']);
    await stopAllPeers();
    expect([a.running, b.running]).toEqual([false, false]);
    expect((await a.exited).signal).toBe('SIGTERM');
  });

  it('stop ends the peer together with the processes it started', async () => {
    // sh waits on its sleep, which holds the stdout pipe: killing sh alone would leave 'close' pending for 30 s.
    const p = PeerProcess.start('sh', ['-c', 'sleep 30; true']);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await p.stop();
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('a wait that times out rejects with the output so far', async () => {
    const p = PeerProcess.start('sh', ['-c', 'echo partial; sleep 30']);
    await expect(p.waitForStdout('never printed', 300)).rejects.toThrow(/timed out after 300 ms[\s\S]*partial/);
  });

  it('a wait fails as soon as the peer exits', async () => {
    const p = PeerProcess.start('sh', ['-c', 'echo bye; exit 3']);
    await expect(p.waitForStdout('never printed', 5000)).rejects.toThrow(/exited while waiting/);
    expect((await p.waitForExit()).code).toBe(3);
  });

  it('freeUdpPort gives a port that can be bound on 127.0.0.1', async () => {
    const port = await freeUdpPort();
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', () => resolve());
    });
    expect(socket.address().port).toBe(port);
    socket.close();
  });

  it('waitUntilBound waits for that very process to bind the port', async () => {
    const port = await freeUdpPort();
    const script = `setTimeout(() => require('dgram').createSocket('udp4').bind(${port}, '127.0.0.1'), 200); setTimeout(() => {}, 30000)`;
    const p = PeerProcess.start(process.execPath, ['-e', script]);
    const started = Date.now();
    await waitUntilBound(p.pid, port, () => p.running);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('waitUntilBound fails when the process exits without binding', async () => {
    const port = await freeUdpPort();
    const p = PeerProcess.start('sh', ['-c', 'exit 0']);
    await expect(waitUntilBound(p.pid, port, () => p.running, 2000)).rejects.toThrow(/exited before binding/);
  });
});
