import { from, mergeMap, of, type MonoTypeOperatorFunction } from 'rxjs';
import type { Datagram } from '../../../lib/transport/datagram.js';
import type { WireDatagram } from '../../endpoint/helpers/pair.js';

const RECORD_HEADER = 13;
const HANDSHAKE_HEADER = 12;
const HANDSHAKE_NAMES: Record<number, string> = {
  0: 'HelloRequest',
  1: 'ClientHello',
  2: 'ServerHello',
  3: 'HelloVerifyRequest',
  4: 'NewSessionTicket',
  11: 'Certificate',
  12: 'ServerKeyExchange',
  13: 'CertificateRequest',
  14: 'ServerHelloDone',
  15: 'CertificateVerify',
  16: 'ClientKeyExchange',
  20: 'Finished',
};

/** One record of a datagram, read straight from the RFC 6347 §4.1 layout (independently of lib/). */
interface SplitRecord {
  readonly bytes: Uint8Array;
  readonly labels: string[];
}

function records(datagram: Uint8Array): SplitRecord[] {
  const found: SplitRecord[] = [];
  let at = 0;
  while (at + RECORD_HEADER <= datagram.length) {
    const type = datagram[at];
    const epoch = (datagram[at + 3] << 8) | datagram[at + 4];
    const end = at + RECORD_HEADER + ((datagram[at + 11] << 8) | datagram[at + 12]);
    if (end > datagram.length) break;
    found.push({ bytes: datagram.subarray(at, end), labels: recordLabels(datagram.subarray(at + RECORD_HEADER, end), type, epoch) });
    at = end;
  }
  return found;
}

function recordLabels(fragment: Uint8Array, type: number, epoch: number): string[] {
  switch (type) {
    case 20:
      return ['ChangeCipherSpec'];
    case 21:
      return ['Alert'];
    case 23:
      return ['ApplicationData'];
    case 22: {
      // Encrypted handshake records: without renegotiation, DTLS 1.2 has only Finished there.
      if (epoch > 0) return ['Finished'];
      const names: string[] = [];
      for (let h = 0; h + HANDSHAKE_HEADER <= fragment.length; ) {
        names.push(HANDSHAKE_NAMES[fragment[h]] ?? `handshake(${fragment[h]})`);
        h += HANDSHAKE_HEADER + ((fragment[h + 9] << 16) | (fragment[h + 10] << 8) | fragment[h + 11]);
      }
      return names;
    }
    default:
      return [`type(${type})`];
  }
}

/** The messages and records a datagram carries, in order, by name (e.g. ['ChangeCipherSpec', 'Finished']). */
export function labels(datagram: Uint8Array): string[] {
  return records(datagram).flatMap((r) => r.labels);
}

/** Which datagrams to drop: the n-th (1-based) datagrams from `from` whose first message is `first`. */
export interface DropRule {
  readonly from: 'client' | 'server';
  readonly first: string;
  readonly occurrences: readonly number[];
}

/**
 * A `deliver` filter for startPair that drops exactly the datagrams named, and
 * records what it dropped: the network of a hard case, scripted.
 */
export function dropScript(rules: readonly DropRule[]): { deliver: (d: WireDatagram) => boolean; dropped: string[][] } {
  const seen = new Map<DropRule, number>();
  const dropped: string[][] = [];
  const deliver = (d: WireDatagram): boolean => {
    const names = labels(d.data);
    for (const rule of rules) {
      if (rule.from !== d.from || names[0] !== rule.first) continue;
      const n = (seen.get(rule) ?? 0) + 1;
      seen.set(rule, n);
      if (rule.occurrences.includes(n)) {
        dropped.push(names);
        return false;
      }
    }
    return true;
  };
  return { deliver, dropped };
}

/**
 * A link stage that takes the first datagram whose records are exactly `match`
 * apart into one datagram per record and delivers them in `order` (indices into
 * `match`): what a sender that packed each record alone and a network that
 * reordered them would deliver. Other datagrams pass untouched.
 */
export function reorderRecords(match: readonly string[], order: readonly number[]): MonoTypeOperatorFunction<Datagram> {
  let done = false;
  return mergeMap((d: Datagram) => {
    const split = records(d.data);
    const names = split.flatMap((r) => r.labels);
    if (done || names.join() !== match.join() || split.length !== match.length) return of(d);
    done = true;
    return from(order.map((i) => ({ data: split[i].bytes.slice(), peer: d.peer })));
  });
}
