import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Flight } from '../../lib/handshake/flight.js';
import { flightRecords } from '../../lib/handshake/flight-records.js';
import { fragment } from '../../lib/operators/fragment.js';
import type { OutgoingRecord } from '../../lib/record/seal-records.js';
import { HandshakeType } from '../../lib/wire/constants.js';

const hello = { msgType: HandshakeType.server_hello, messageSeq: 1, body: Uint8Array.from({ length: 500 }, (_, i) => i & 0xff) };
const done = { msgType: HandshakeType.server_hello_done, messageSeq: 2, body: new Uint8Array(0) };
const finished = { msgType: HandshakeType.finished, messageSeq: 3, body: new Uint8Array(12).fill(7) };
const flight: Flight = {
  number: 5,
  final: false,
  entries: [
    { kind: 'handshake', epoch: 0, message: hello },
    { kind: 'handshake', epoch: 0, message: done },
    { kind: 'change_cipher_spec', epoch: 0 },
    { kind: 'handshake', epoch: 1, message: finished },
  ],
};
const overhead = (epoch: number) => (epoch === 0 ? 0 : 16);

describe('fragment', () => {
  it('maps each transmission of a flight to its records', () => {
    let out: OutgoingRecord[] | undefined;
    of({ flight, attempt: 2, reason: 'timeout' as const })
      .pipe(fragment({ maxDatagramSize: 1200, overhead }))
      .subscribe((r) => (out = r));
    expect(out).toEqual(flightRecords(flight, { maxDatagramSize: 1200, overhead }));
  });
});
