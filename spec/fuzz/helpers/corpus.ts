import { splitRecords } from '../../../lib/record/split-records.js';
import { utf8 } from '../../../lib/credentials/credential-store.js';
import { ContentType } from '../../../lib/wire/constants.js';
import { decodeHandshakeFragments } from '../../../lib/wire/handshake-header.js';
import type { KeyExchangeSetup } from './key-exchanges.js';
import { Lab, type Direction } from './lab.js';

/** Datagrams of one real handshake (and a little application data), as each side sent them. */
export interface Recording {
  readonly setup: KeyExchangeSetup;
  readonly datagrams: ReadonlyArray<{ readonly direction: Direction; readonly data: Uint8Array }>;
  /** Every epoch-0 handshake message body, by message type: seeds for the decoders and for forgeries. */
  readonly bodies: ReadonlyMap<number, readonly Uint8Array[]>;
}

/**
 * Runs a clean in-process handshake of `setup` over memoryLink and records the
 * datagrams from the link tap: real flights of every key exchange, as the
 * mutation fuzzers' starting points.
 */
export async function recordHandshake(setup: KeyExchangeSetup, seed: number, mtu?: number): Promise<Recording> {
  const lab = await new Lab({ setup, seed, client: mtu ? { mtu } : {}, server: mtu ? { mtu } : {} }).start();
  if (!lab.clock.runUntil(() => lab.client!.state !== 'handshaking', 10_000, 10) || lab.client!.state !== 'established') {
    throw new Error(`recording ${setup.name}: the clean handshake did not complete`);
  }
  lab.client!.send(utf8('recorded application data'));
  lab.clock.advanceBy(10);
  lab.close();
  const bodies = new Map<number, Uint8Array[]>();
  for (const { data } of lab.sent) {
    for (const { header, fragment } of splitRecords(data).records) {
      if (header.epoch !== 0 || header.contentType !== ContentType.handshake) continue;
      const fragments = decodeHandshakeFragments(fragment);
      if (!fragments.ok) continue;
      for (const f of fragments.value) {
        if (f.fragmentOffset !== 0 || f.fragmentLength !== f.length) continue;
        bodies.set(f.msgType, [...(bodies.get(f.msgType) ?? []), f.body]);
      }
    }
  }
  return { setup, datagrams: lab.sent.slice(), bodies };
}
