import { tap } from 'rxjs';
import type { DatagramTransport, PeerAddress } from '../../../lib/index.js';

export interface TappedDatagram {
  readonly direction: 'sent' | 'received';
  readonly data: Uint8Array;
}

/** A transport that records every datagram in both directions, copying it, then passes it on unchanged. */
export interface TapTransport extends DatagramTransport {
  readonly log: TappedDatagram[];
}

export function tapTransport(inner: DatagramTransport): TapTransport {
  const log: TappedDatagram[] = [];
  return {
    log,
    datagrams$: inner.datagrams$.pipe(tap((d) => log.push({ direction: 'received', data: d.data.slice() }))),
    send(data: Uint8Array, peer: PeerAddress) {
      log.push({ direction: 'sent', data: data.slice() });
      inner.send(data, peer);
    },
    address: () => inner.address(),
    close: () => inner.close(),
  };
}

/** One handshake fragment found in a plaintext (epoch 0) record. */
export interface PlainFragment {
  readonly msgType: number;
  readonly length: number;
  readonly messageSeq: number;
  readonly fragmentOffset: number;
  readonly fragmentLength: number;
}

const HANDSHAKE = 22;
const RECORD_HEADER = 13;
const HANDSHAKE_HEADER = 12;

/**
 * The handshake fragments of a datagram's epoch-0 records, read straight from
 * RFC 6347 §4.1 / §4.2.2 layouts (independently of lib/wire, so a bug there
 * cannot hide here). Encrypted records are skipped.
 */
export function plainFragments(datagram: Uint8Array): PlainFragment[] {
  const found: PlainFragment[] = [];
  const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  let at = 0;
  while (at + RECORD_HEADER <= datagram.length) {
    const type = datagram[at];
    const epoch = view.getUint16(at + 3);
    const length = view.getUint16(at + 11);
    const end = at + RECORD_HEADER + length;
    if (end > datagram.length) break;
    if (type === HANDSHAKE && epoch === 0) {
      let h = at + RECORD_HEADER;
      while (h + HANDSHAKE_HEADER <= end) {
        const u24 = (i: number) => (datagram[i] << 16) | (datagram[i + 1] << 8) | datagram[i + 2];
        const fragment = {
          msgType: datagram[h],
          length: u24(h + 1),
          messageSeq: view.getUint16(h + 4),
          fragmentOffset: u24(h + 6),
          fragmentLength: u24(h + 9),
        };
        found.push(fragment);
        h += HANDSHAKE_HEADER + fragment.fragmentLength;
      }
    }
    at = end;
  }
  return found;
}

/** Fragments that carry only part of their message: proof a flight was really fragmented. */
export function partialFragments(log: readonly TappedDatagram[], direction: TappedDatagram['direction']): PlainFragment[] {
  return log.filter((d) => d.direction === direction).flatMap((d) => plainFragments(d.data)).filter((f) => f.fragmentLength < f.length);
}
