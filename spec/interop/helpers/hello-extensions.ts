import { splitRecords } from '../../../lib/record/split-records.js';
import { decodeClientHello } from '../../../lib/wire/client-hello.js';
import { decodeHandshakeFragments } from '../../../lib/wire/handshake-header.js';
import { decodeServerHello, type ServerHello } from '../../../lib/wire/server-hello.js';
import type { Extension } from '../../../lib/wire/extensions.js';
import type { Result } from '../../../lib/wire/result.js';
import type { TappedDatagram } from './tap-transport.js';

/** Every epoch-0 record of a tapped direction, as [epoch, content type, plaintext length]. */
export function recordLengths(log: readonly TappedDatagram[], direction: TappedDatagram['direction']): Array<{ epoch: number; length: number }> {
  return log
    .filter((d) => d.direction === direction)
    .flatMap((d) => splitRecords(d.data).records.map((r) => ({ epoch: r.header.epoch, length: r.fragment.length })));
}

/** The extensions of the last ClientHello (1) or ServerHello (2) in a tapped direction, when it came whole in one record. */
export function helloExtensions(log: readonly TappedDatagram[], direction: TappedDatagram['direction'], msgType: 1 | 2): Extension[] | undefined {
  return (msgType === 1 ? lastHello(log, direction, 1, decodeClientHello) : lastHello(log, direction, 2, decodeServerHello))?.extensions;
}

/** The last ServerHello in a tapped direction, decoded, when it came whole in one record. */
export function lastServerHello(log: readonly TappedDatagram[], direction: TappedDatagram['direction']): ServerHello | undefined {
  return lastHello(log, direction, 2, decodeServerHello);
}

function lastHello<T>(log: readonly TappedDatagram[], direction: TappedDatagram['direction'], msgType: 1 | 2, decode: (body: Uint8Array) => Result<T>): T | undefined {
  let found: T | undefined;
  for (const datagram of log.filter((d) => d.direction === direction)) {
    for (const record of splitRecords(datagram.data).records) {
      if (record.header.epoch !== 0 || record.header.contentType !== 22) continue;
      const fragments = decodeHandshakeFragments(record.fragment);
      for (const f of fragments.ok ? fragments.value : []) {
        if (f.msgType !== msgType || f.fragmentLength !== f.length) continue;
        const hello = decode(f.body);
        if (hello.ok) found = hello.value;
      }
    }
  }
  return found;
}
