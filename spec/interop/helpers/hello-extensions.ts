import { splitRecords } from '../../../lib/record/split-records.js';
import { decodeClientHello } from '../../../lib/wire/client-hello.js';
import { decodeHandshakeFragments } from '../../../lib/wire/handshake-header.js';
import { decodeServerHello } from '../../../lib/wire/server-hello.js';
import type { Extension } from '../../../lib/wire/extensions.js';
import type { TappedDatagram } from './tap-transport.js';

/** Every epoch-0 record of a tapped direction, as [epoch, content type, plaintext length]. */
export function recordLengths(log: readonly TappedDatagram[], direction: TappedDatagram['direction']): Array<{ epoch: number; length: number }> {
  return log
    .filter((d) => d.direction === direction)
    .flatMap((d) => splitRecords(d.data).records.map((r) => ({ epoch: r.header.epoch, length: r.fragment.length })));
}

/** The extensions of the last ClientHello (1) or ServerHello (2) in a tapped direction, when it came whole in one record. */
export function helloExtensions(log: readonly TappedDatagram[], direction: TappedDatagram['direction'], msgType: 1 | 2): Extension[] | undefined {
  let found: Extension[] | undefined;
  for (const datagram of log.filter((d) => d.direction === direction)) {
    for (const record of splitRecords(datagram.data).records) {
      if (record.header.epoch !== 0 || record.header.contentType !== 22) continue;
      const fragments = decodeHandshakeFragments(record.fragment);
      for (const f of fragments.ok ? fragments.value : []) {
        if (f.msgType !== msgType || f.fragmentLength !== f.length) continue;
        const hello = msgType === 1 ? decodeClientHello(f.body) : decodeServerHello(f.body);
        if (hello.ok) found = hello.value.extensions;
      }
    }
  }
  return found;
}
