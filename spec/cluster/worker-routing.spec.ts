// The primary's routing (issue 16): stateless, by CID prefix for tls12_cid records, by a keyed
// hash of the address and port otherwise, spreading peers over the workers.
import { describe, expect, it } from 'vitest';
import { workerFor } from '../../lib/cluster/worker-routing.js';
import { ContentType } from '../../lib/wire/constants.js';

const handshake = new Uint8Array([ContentType.handshake, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
/** A tls12_cid record header whose CID starts with `first`. */
const cidRecord = (first: number) => new Uint8Array([ContentType.tls12_cid, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 7, first, 0xaa, 0xbb, 0xcc, 0, 16]);
/** A DTLS 1.3 unified header (RFC 9147 §4: 001 C S L EE, here C, S and L set, epoch 3) whose CID starts with `first`. */
const cidRecord13 = (first: number) => new Uint8Array([0b0011_1111, first, 0xaa, 0xbb, 0xcc, 0x12, 0x34, 0, 16]);

describe('workerFor: which worker a datagram goes to', () => {
  it('sends every datagram of a peer to one worker, and spreads peers over all of them evenly', () => {
    const counts = [0, 0, 0, 0];
    for (let port = 40_000; port < 44_000; port++) {
      const peer = { address: '127.0.0.1', port };
      const worker = workerFor(handshake, peer, 4, 12345)!;
      expect(workerFor(handshake.slice(), { ...peer }, 4, 12345)).toBe(worker);
      counts[worker]++;
    }
    // 1,000 expected each; a fair spread stays well within ±15 %.
    for (const count of counts) expect(Math.abs(count - 1000)).toBeLessThan(150);
  });

  it('sends a tls12_cid record to the worker its CID names, from any address; a CID naming no worker to none', () => {
    for (const port of [1, 2, 3, 60_000]) expect(workerFor(cidRecord(2), { address: '10.1.1.1', port }, 3, 1)).toBe(2);
    expect(workerFor(cidRecord(3), { address: '10.1.1.1', port: 1 }, 3, 1)).toBeUndefined();
  });

  it('sends a DTLS 1.3 record with a CID (C set) to the worker its CID names too; one without a CID by the address', () => {
    for (const port of [1, 2, 3, 60_000]) expect(workerFor(cidRecord13(1), { address: '10.1.1.1', port }, 3, 1)).toBe(1);
    expect(workerFor(cidRecord13(3), { address: '10.1.1.1', port: 1 }, 3, 1)).toBeUndefined();
    const withoutCid = new Uint8Array([0b0010_1111, 0x12, 0x34, 0, 16]);
    expect(workerFor(withoutCid, { address: '10.1.1.1', port: 1 }, 64, 1)).toBe(workerFor(handshake, { address: '10.1.1.1', port: 1 }, 64, 1));
  });

  it('spreads peers differently under another seed, so nobody outside can aim at one worker', () => {
    const under = (seed: number) => Array.from({ length: 64 }, (_, i) => workerFor(handshake, { address: '192.0.2.1', port: 5000 + i }, 2, seed));
    expect(under(1)).not.toEqual(under(2));
  });
});
