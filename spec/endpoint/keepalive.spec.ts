import { describe, expect, it } from 'vitest';
import { DtlsError } from '../../lib/dtls-error.js';
import { Keepalive } from '../../lib/endpoint/keepalive.js';
import { VirtualTime } from '../../lib/testing/virtual-time.js';

/** A Keepalive on a virtual clock, with what it did. */
function watch(options: { heartbeats: boolean; interval?: number; timeout?: number }) {
  const time = new VirtualTime();
  let heard = 0;
  const probes: number[] = [];
  let failed: { at: number; error: DtlsError } | undefined;
  const keepalive = new Keepalive(
    { interval: options.interval ?? 10_000, timeout: options.timeout ?? 30_000 },
    {
      scheduler: time.scheduler,
      lastHeard: () => heard,
      probe: options.heartbeats ? () => probes.push(time.now) : undefined,
      retransmitTimeout: 1000,
      fail: (error) => (failed = { at: time.now, error }),
    },
    '10.0.0.2:5684',
  );
  return { time, keepalive, probes, failed: () => failed, hear: () => (heard = time.now) };
}

describe('Keepalive: a client notices a server that went away', () => {
  it('with heartbeats: probes after the interval, resends on the DTLS timer (1, 2, 4 s...), and ends the session at the timeout', () => {
    const k = watch({ heartbeats: true });
    k.time.advanceBy(40_000);
    expect(k.probes).toEqual([10_000, 11_000, 13_000, 17_000, 25_000]);
    expect(k.failed()?.at).toBe(30_000);
    expect(k.failed()?.error).toMatchObject({ code: 'ETIMEDOUT', message: 'no record from 10.0.0.2:5684 for 30 s, 5 HeartbeatRequests unanswered: it may have gone away or restarted' });
    expect(k.time.pending).toBe(0);
  });

  it('with heartbeats: an answer starts the silence over, so a live but idle server keeps the session', () => {
    const k = watch({ heartbeats: true });
    k.time.advanceTo(10_000);
    k.hear(); // the HeartbeatResponse
    k.time.advanceTo(20_000);
    k.hear();
    k.time.advanceBy(15_000);
    expect(k.probes).toEqual([10_000, 20_000, 30_000, 31_000, 33_000]);
    expect(k.failed()).toBeUndefined();
    k.keepalive.stop();
    expect(k.time.pending).toBe(0);
  });

  it('without heartbeats: no probe; only records from the server count, and silence for the timeout ends the session', () => {
    const k = watch({ heartbeats: false });
    k.time.advanceTo(20_000);
    k.hear(); // some application data
    k.time.advanceBy(60_000);
    expect(k.probes).toEqual([]);
    expect(k.failed()?.at).toBe(50_000);
    expect(k.failed()?.error.message).toBe('no record from 10.0.0.2:5684 for 30 s (heartbeats not negotiated: only its own records count): it may have gone away or restarted');
  });

  it('keeps one scheduled action, and none once stopped: nothing runs per record', () => {
    const k = watch({ heartbeats: false });
    for (let t = 1000; t < 100_000; t += 1000) {
      k.time.advanceTo(t);
      k.hear();
      expect(k.time.pending).toBeLessThanOrEqual(1);
    }
    expect(k.failed()).toBeUndefined();
    k.keepalive.stop();
    expect(k.time.pending).toBe(0);
  });
});
